package engine

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/sluice-dev/sluice/internal/spec"
)

// Each prepared record carries its own _key and _hash texts, also when records that fail
// extraction sit between them, and they match the key and content hash of its row.
func TestPrepareGivesEachRecordItsKeyAndHashTexts(t *testing.T) {
	st := &spec.Stream{
		PrimaryKey:       []string{"id"},
		AdditionalFields: record.AdditionalDrop,
		Fields: []schema.Field{
			{Name: "id", Type: schema.String, Required: true},
			{Name: "n", Type: schema.Int},
		},
	}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := &extraction{
		rules: map[string]*dateRule{},
		plans: map[string]*streamPlan{"s": {name: "s", st: st}},
		job:   &job{days: []time.Time{day}},
	}
	sh := &shape{name: "s", st: st}
	if err := sh.build(nil); err != nil {
		t.Fatal(err)
	}
	raws := []string{
		`{"id":"a","n":1}`,
		`{"id":"a-much-longer-key-than-the-others","n":2}`,
		`{"n":3}`, // no id: rejected
		`{"id":"c","n":"not a number"}`,
		`{"id":"d","n":4}`,
	}
	p := newPreparer(x)
	for round := range 2 { // the second page reuses the preparer's buffers
		recs := p.prepare(sh, raws, time.Time{}, "")
		if len(recs) != len(raws) {
			t.Fatalf("round %d: %d prepared records, want %d", round, len(recs), len(raws))
		}
		var h record.Hasher
		n := len(sh.out.Fields) - 2
		for i, r := range recs {
			if wantErr := i == 2 || i == 3; (r.err != nil) != wantErr {
				t.Fatalf("round %d, record %d: error %v, want an error: %v", round, i, r.err, wantErr)
			}
			if r.err != nil {
				continue
			}
			key, sum, text := h.Identify(nil, sh.data, r.row[:n], sh.pk)
			if r.key != key || r.sum != sum {
				t.Errorf("round %d, record %d: key or sum differ from Identify's", round, i)
			}
			if got, want := r.row[n].S, string(text); got != want {
				t.Errorf("round %d, record %d: _key %q, want %q", round, i, got, want)
			}
			if got, want := r.row[n+1].S, hex.EncodeToString(sum[:]); got != want {
				t.Errorf("round %d, record %d: _hash %q, want %q", round, i, got, want)
			}
		}
		if got := recs[4].row[n].S; got != "d" {
			t.Fatalf("round %d: last record's _key %q, want d", round, got)
		}
		for _, r := range recs {
			r.release()
		}
	}
}

// TestUTCDayMatchesTheCalendar checks the arithmetic partition day against the calendar
// one, value for value (== on time.Time), across the epoch, day boundaries, leap days
// and the far past and future.
func TestUTCDayMatchesTheCalendar(t *testing.T) {
	instants := []int64{0, -1, 1, microsPerDay - 1, microsPerDay, -microsPerDay, -microsPerDay - 1}
	for _, ts := range []string{"2024-02-29T23:59:59.999999Z", "2024-03-01T00:00:00Z", "1969-12-31T23:59:59.5Z",
		"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "1900-03-01T12:00:00Z"} {
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			t.Fatal(err)
		}
		instants = append(instants, tm.UnixMicro())
	}
	for i := range 2000 {
		instants = append(instants, int64(i)*7_777_777_777_777-5_000_000_000_000_000)
	}
	for _, us := range instants {
		got, want := utcDay(us), calendarDay(time.UnixMicro(us).UTC(), time.UTC)
		if got != want {
			t.Fatalf("utcDay(%d) = %v, want %v", us, got, want)
		}
	}
}

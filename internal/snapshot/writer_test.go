package snapshot

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// TestWriterRoundTrip writes records and reads them back with Absent restored.
func TestWriterRoundTrip(t *testing.T) {
	s := fieldsSchema()
	rows := []record.Row{
		row(s, "all-absent", nil),
		row(s, "nulls", map[string]record.Value{"name": null, "n": null, "owner": null, "meta": js("null"), "tags": null}),
		row(s, "nested", map[string]record.Value{"name": str("x"), "owner": obj(absent, null), "tags": list(str("a"), null)}),
		row(s, "full", map[string]record.Value{"name": str("x"), "n": num(-4), "owner": obj(str("o"), num(3)), "meta": js(`{"a":[1,2]}`), "tags": list()}),
	}
	wantAbsent := [][]string{
		{"name", "n", "owner", "meta", "tags"},
		nil,
		{"n", "owner.name", "meta"},
		nil,
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, s, format.ParquetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var h record.Hasher
	for _, r := range rows {
		_, sum, key := h.Identify(nil, s, r, []int{0})
		if err := w.Write(r, string(key), sum); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != 4 || w.ContentHash() != setHash(s, rows) {
		t.Errorf("rows %d hash %s, want 4 %s", w.Rows(), w.ContentHash(), setHash(s, rows))
	}
	// The raw file carries _absent as written.
	_, raw, err := format.ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for r, err := range raw {
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r[len(r)-1].L {
			got = append(got, p.S)
		}
		if !slices.Equal(got, wantAbsent[i]) {
			t.Errorf("row %d: _absent %q, want %q", i, got, wantAbsent[i])
		}
		i++
	}
	data, recs, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if data.Fingerprint() != s.Fingerprint() {
		t.Errorf("data schema %+v, want %+v", data, s)
	}
	i = 0
	for rec, err := range recs {
		if err != nil {
			t.Fatal(err)
		}
		want := rows[i]
		if got, w := string(h.AppendCanonical(nil, s, rec.Row)), string(h.AppendCanonical(nil, s, want)); got != w {
			t.Errorf("row %d: %s, want %s", i, got, w)
		}
		if rec.Key != want[0].S || rec.Hash != h.Sum(s, want) {
			t.Errorf("row %d: key %q hash %x", i, rec.Key, rec.Hash)
		}
		// Kinds, not only canonical text: Absent and Null are told apart.
		for j := range want {
			if (want[j].Kind == record.Absent) != (rec.Row[j].Kind == record.Absent) {
				t.Errorf("row %d field %s: kind %d, want %d", i, s.Fields[j].Name, rec.Row[j].Kind, want[j].Kind)
			}
		}
		i++
	}
	if i != len(rows) {
		t.Fatalf("read %d records, want %d", i, len(rows))
	}
}

// TestNewWriterRejectsSystemNames checks that data columns cannot shadow system columns.
func TestNewWriterRejectsSystemNames(t *testing.T) {
	for _, name := range []string{KeyColumn, HashColumn, AbsentColumn, ChangeColumn, PrevHashColumn, ChangedColumn} {
		t.Run(name, func(t *testing.T) {
			s := schema.Schema{Fields: []schema.Field{{Name: "id", Type: schema.String}, {Name: name, Type: schema.String}}}
			_, err := NewWriter(&bytes.Buffer{}, s, format.ParquetOptions{})
			want := `snapshot schema: column "` + name + `" collides with a system column`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
}

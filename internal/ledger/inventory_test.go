package ledger_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// putManifest stores a manifest for stream's day with the given records.
func putManifest(t *testing.T, st store.Store, s layout.Stream, d string, records int64) {
	t.Helper()
	p := layout.Partition{Stream: s, Day: day(d)}
	m := ledger.Manifest{Version: 1, Partition: p.String(), RunID: "run" + d[8:], RunTimestamp: "20240401T000000Z",
		CommittedAt: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Records: records, Format: "jsonl"}
	put(t, st, p.ManifestKey(), m.Encode())
}

// summarize renders days as "2024-03-01=5" (committed, records) or "2024-03-02=-" (gap).
func summarize(days []ledger.DayStatus) string {
	var parts []string
	for _, d := range days {
		s := d.Day.Format(time.DateOnly) + "="
		if d.Committed {
			s += strings.TrimLeft(d.RunID, "run") + ":" + itoa(d.Records)
		} else {
			s += "-"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestInventory(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	putManifest(t, st, testStream, "2023-12-31", 7)
	putManifest(t, st, testStream, "2024-01-01", 3)
	putManifest(t, st, testStream, "2024-01-03", 0)
	putManifest(t, st, testStream, "2024-01-06", 9)
	other := layout.Stream{Source: "demo", Account: "acme", Name: "comments"}
	putManifest(t, st, other, "2024-01-02", 5)
	// Objects under the state prefix that are not manifests of a day are ignored.
	put(t, st, testStream.StatePrefix()+"2024/01/02/notes.json", []byte("{}"))
	put(t, st, testStream.StatePrefix()+"2024/13/02/manifest.json", []byte("{}"))
	put(t, st, testStream.CheckpointKey(day("2024-01-02"), day("2024-01-02")), []byte("{}"))

	tests := []struct {
		name     string
		from, to string
		want     string
		gaps     string
	}{
		{"across a year boundary", "2023-12-30", "2024-01-04",
			"2023-12-30=- 2023-12-31=31:7 2024-01-01=01:3 2024-01-02=- 2024-01-03=03:0 2024-01-04=-",
			"2023-12-30..2023-12-30 2024-01-02..2024-01-02 2024-01-04..2024-01-04"},
		{"one committed day", "2024-01-06", "2024-01-06", "2024-01-06=06:9", ""},
		{"trailing gap collapses", "2024-01-03", "2024-01-05", "2024-01-03=03:0 2024-01-04=- 2024-01-05=-",
			"2024-01-04..2024-01-05"},
		{"nothing committed", "2022-06-01", "2022-06-02", "2022-06-01=- 2022-06-02=-", "2022-06-01..2022-06-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Times within the day are truncated to it.
			days, err := ledger.Inventory(t.Context(), st, testStream, day(tc.from).Add(5*time.Hour), day(tc.to).Add(23*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(days); got != tc.want {
				t.Errorf("days:\n got %s\nwant %s", got, tc.want)
			}
			var gaps []string
			for _, g := range ledger.Gaps(days) {
				gaps = append(gaps, g.From.Format(time.DateOnly)+".."+g.To.Format(time.DateOnly))
			}
			if got := strings.Join(gaps, " "); got != tc.gaps {
				t.Errorf("gaps: got %q, want %q", got, tc.gaps)
			}
		})
	}
}

func TestInventoryDetails(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	putManifest(t, st, testStream, "2024-01-01", 3)
	days, err := ledger.Inventory(t.Context(), st, testStream, day("2024-01-01"), day("2024-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.DayStatus{Day: day("2024-01-01"), Committed: true, Records: 3, RunID: "run01",
		RunTimestamp: "20240401T000000Z", CommittedAt: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Format: "jsonl"}
	if len(days) != 1 || days[0] != want {
		t.Errorf("got %+v, want [%+v]", days, want)
	}
}

func TestInventoryErrors(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put(t, st, layout.Partition{Stream: testStream, Day: day("2024-02-01")}.ManifestKey(), []byte("not json"))
	tests := []struct {
		name     string
		stream   layout.Stream
		from, to string
		want     string
	}{
		{"reversed range", testStream, "2024-01-02", "2024-01-01",
			"inventory demo/acme/posts: range 2024-01-02..2024-01-01 ends before it starts"},
		{"too long", testStream, "2000-01-01", "2024-01-01",
			"inventory demo/acme/posts: range 2000-01-01..2024-01-01 has 8767 days; ask for at most 3660"},
		{"bad stream", layout.Stream{Source: "demo", Account: "a/b", Name: "posts"}, "2024-01-01", "2024-01-01",
			`inventory: account id "a/b": must not contain / or \ (it would change the storage path)`},
		{"unreadable manifest", testStream, "2024-02-01", "2024-02-01",
			"inventory: manifest _sluice/state/demo/acme/posts/2024/02/01/manifest.json is not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ledger.Inventory(t.Context(), st, tc.stream, day(tc.from), day(tc.to))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got error %v, want one starting with %q", err, tc.want)
			}
		})
	}
}

func TestCheckpoints(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ledger.Checkpoints(t.Context(), st, testStream)
	if err != nil || got != nil {
		t.Fatalf("empty store: got %v, %v; want nil, nil", got, err)
	}
	for _, w := range []ledger.Window{{From: day("2024-02-01"), To: day("2024-02-29")}, {From: day("2024-01-01"), To: day("2024-01-31")}} {
		cp := &ledger.Checkpoint{Window: w, RunID: "r" + w.From.Format("01"), Pages: 4}
		if _, err := ledger.SaveCheckpoint(t.Context(), st, testStream, cp, ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err = ledger.Checkpoints(t.Context(), st, testStream)
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, cp := range got {
		runs = append(runs, cp.RunID+"@"+cp.Window.From.Format(time.DateOnly)+"/"+itoa(cp.Pages))
	}
	if want := []string{"r01@2024-01-01/4", "r02@2024-02-01/4"}; !slices.Equal(runs, want) {
		t.Errorf("got %v, want %v", runs, want)
	}
}

package engine_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/store"
)

// eventsFixture runs the events stream for 2024-01-02 against a paged API.
type eventsFixture struct {
	t   *testing.T
	api *pagedAPI
	url string
	st  store.Store
}

func newEventsFixture(t *testing.T, pages ...[]string) *eventsFixture {
	api := &pagedAPI{pages: pages}
	return &eventsFixture{t: t, api: api, url: fakeapi.StartHandler(t, api).URL, st: localStore(t)}
}

// run extracts the day into st (the fixture's store, or a wrapper of it) at run time at.
func (f *eventsFixture) run(st store.Store, at time.Time) *engine.Summary {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	return runE2E(f.t, e2eRun{Refresh: true,
		Store: st, Spec: windowSpec(f.t, eventsStream), BaseURL: f.url, Accounts: accounts(nil, "acct"),
		Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at,
	})
}

var (
	oneEvent = []string{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}
	aug1     = time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	aug2     = time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC)
)

const eventsDay = "mini/acct/events/2024/01/02/"

// A rejected record fails its window by default, and the data committed before stays
// exactly as it was: an extraction with holes never replaces a complete one.
func TestRejectedRecordKeepsCommittedData(t *testing.T) {
	f := newEventsFixture(t, []string{
		`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`, `{"id":"b","ts":"2024-01-02T02:00:00Z","n":2}`,
	})
	if first := f.run(f.st, aug1); first.Totals.Committed != 1 || first.Totals.Records != 2 {
		t.Fatalf("first run: %+v", first.Totals)
	}
	before := storeKeys(t, f.st, "mini/")

	// The API now sends a record whose n is not an integer.
	f.api.pages[0][1] = `{"id":"b","ts":"2024-01-02T02:00:00Z","n":"two"}`
	second := f.run(f.st, aug2)
	if second.Totals.Failed != 1 || second.ExitCode() != 1 {
		t.Fatalf("second run: %+v", second.Totals)
	}
	msg := second.Partitions[0].Error
	if !strings.HasPrefix(msg, `stream events: record rejected: field "n"`) || !strings.Contains(msg, "on_reject: skip") {
		t.Errorf("error = %q", msg)
	}
	if after := storeKeys(t, f.st, "mini/"); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("objects changed:\n%v\nwant\n%v", after, before)
	}
	var got []string
	for _, k := range storeKeys(t, f.st, eventsDay+"data_") {
		for _, r := range readRecords(t, f.st, k) {
			got = append(got, r["_key"].(string))
		}
	}
	if strings.Join(got, ",") != "a,b" {
		t.Errorf("records = %v, want a,b", got)
	}
}

// Two runs started in the same second get distinct timestamps, so their keys never collide.
func TestRunsInTheSameSecondGetDistinctTimestamps(t *testing.T) {
	f := newEventsFixture(t, oneEvent)
	var keys []string
	for range 2 {
		sum := f.run(f.st, aug1)
		if sum.Totals.Failed != 0 {
			t.Fatalf("totals %+v", sum.Totals)
		}
		keys = append(keys, sum.Key())
	}
	want := []string{"_sluice/runs/2024/08/01/run_20240801T000000Z_run1.json", "_sluice/runs/2024/08/01/run_20240801T000001Z_run1.json"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("summaries %v, want %v", keys, want)
	}
}

// Committed files that disappeared (deleted by hand, a bucket lifecycle rule) are written
// again by the next run instead of the partition being reported unchanged.
func TestMissingCommittedFilesAreRewritten(t *testing.T) {
	cases := []struct {
		name   string
		delete string // key prefix under the day folder
	}{
		{"the data file", "data_"},
		{"the whole day folder", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newEventsFixture(t, oneEvent)
			f.run(f.st, aug1)
			for _, k := range storeKeys(t, f.st, eventsDay+c.delete) {
				if err := f.st.Delete(t.Context(), k); err != nil {
					t.Fatal(err)
				}
			}
			if again := f.run(f.st, aug2); again.Totals.Committed != 1 || again.Totals.Unchanged != 0 {
				t.Fatalf("rerun totals %+v", again.Totals)
			}
			want := []string{eventsDay + "data_20240802T000000Z.parquet", eventsDay + "metadata_20240802T000000Z.json"}
			if got := storeKeys(t, f.st, eventsDay); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("partition files %v, want %v", got, want)
			}
		})
	}
}

// failingStore fails every create of a metadata file.
type failingStore struct{ store.Store }

func (f failingStore) Create(ctx context.Context, key string, r io.Reader, size int64) (store.Object, error) {
	if strings.Contains(key, "/metadata_") {
		return store.Object{}, errors.New("disk full")
	}
	return f.Store.Create(ctx, key, r, size)
}

// A commit that fails after storing the data file removes it again: nothing unreferenced
// by a manifest is left for readers to glob.
func TestFailedCommitRemovesItsUploads(t *testing.T) {
	f := newEventsFixture(t, oneEvent)
	sum := f.run(failingStore{f.st}, aug1)
	if sum.Totals.Failed != 1 || !strings.Contains(sum.Partitions[0].Error, "store metadata: disk full") {
		t.Fatalf("partitions %+v", sum.Partitions)
	}
	if got := storeKeys(t, f.st, "mini/"); len(got) != 0 {
		t.Errorf("objects left: %v", got)
	}
	if got := storeKeys(t, f.st, "_sluice/state/"); len(got) != 0 {
		t.Errorf("state left: %v", got)
	}
}

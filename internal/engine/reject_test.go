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

// A rejected record fails its window by default, and the data committed before stays
// exactly as it was: an extraction with holes never replaces a complete one.
func TestRejectedRecordKeepsCommittedData(t *testing.T) {
	api := &pagedAPI{pages: [][]string{{
		`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`, `{"id":"b","ts":"2024-01-02T02:00:00Z","n":2}`,
	}}}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	run := func(at time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at,
		})
	}
	first := run(time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	if first.Totals.Committed != 1 || first.Totals.Records != 2 {
		t.Fatalf("first run: %+v", first.Totals)
	}
	before := storeKeys(t, st, "mini/")

	// The API now sends a record whose n is not an integer.
	api.pages[0][1] = `{"id":"b","ts":"2024-01-02T02:00:00Z","n":"two"}`
	second := run(time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC))
	if second.Totals.Failed != 1 || second.ExitCode() != 1 {
		t.Fatalf("second run: %+v", second.Totals)
	}
	msg := second.Partitions[0].Error
	if !strings.HasPrefix(msg, `stream events: record rejected: field "n"`) || !strings.Contains(msg, "on_reject: skip") {
		t.Errorf("error = %q", msg)
	}
	after := storeKeys(t, st, "mini/")
	if strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("objects changed:\n%v\nwant\n%v", after, before)
	}
	var got []string
	for _, k := range storeKeys(t, st, "mini/acct/events/2024/01/02/data_") {
		for _, r := range readRecords(t, st, k) {
			got = append(got, r["_key"].(string))
		}
	}
	if strings.Join(got, ",") != "a,b" {
		t.Errorf("records = %v, want a,b", got)
	}
}

// Two runs started in the same second get distinct timestamps, so their keys never collide.
func TestRunsInTheSameSecondGetDistinctTimestamps(t *testing.T) {
	api := &pagedAPI{pages: [][]string{{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}}}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	at := time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
	var keys []string
	for range 2 {
		sum := runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at,
		})
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

// A committed data file that disappeared (deleted by hand, a bucket lifecycle rule) is
// written again by the next run instead of being reported unchanged.
func TestMissingCommittedFileIsRewritten(t *testing.T) {
	api := &pagedAPI{pages: [][]string{{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}}}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	run := func(at time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at,
		})
	}
	run(time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	data := storeKeys(t, st, "mini/acct/events/2024/01/02/data_")
	if len(data) != 1 {
		t.Fatalf("data files %v", data)
	}
	if err := st.Delete(t.Context(), data[0]); err != nil {
		t.Fatal(err)
	}
	again := run(time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC))
	if again.Totals.Committed != 1 || again.Totals.Unchanged != 0 {
		t.Fatalf("rerun totals %+v", again.Totals)
	}
	got := storeKeys(t, st, "mini/acct/events/2024/01/02/")
	want := []string{"mini/acct/events/2024/01/02/data_20240802T000000Z.parquet", "mini/acct/events/2024/01/02/metadata_20240802T000000Z.json"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("partition files %v, want %v", got, want)
	}
}

// A partition folder emptied by hand is written again too: its manifest names files that
// are gone.
func TestEmptiedPartitionFolderIsRewritten(t *testing.T) {
	api := &pagedAPI{pages: [][]string{{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}}}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	run := func(at time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at,
		})
	}
	run(time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC))
	for _, k := range storeKeys(t, st, "mini/acct/events/2024/01/02/") {
		if err := st.Delete(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
	if again := run(time.Date(2024, 8, 2, 0, 0, 0, 0, time.UTC)); again.Totals.Committed != 1 {
		t.Fatalf("rerun totals %+v", again.Totals)
	}
	if got := storeKeys(t, st, "mini/acct/events/2024/01/02/"); len(got) != 2 {
		t.Errorf("partition files %v", got)
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
	api := &pagedAPI{pages: [][]string{{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}}}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	sum := runE2E(t, e2eRun{
		Store: failingStore{st}, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
		Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC),
	})
	if sum.Totals.Failed != 1 || !strings.Contains(sum.Partitions[0].Error, "store metadata: disk full") {
		t.Fatalf("partitions %+v", sum.Partitions)
	}
	if got := storeKeys(t, st, "mini/"); len(got) != 0 {
		t.Errorf("objects left: %v", got)
	}
	if got := storeKeys(t, st, "_sluice/state/"); len(got) != 0 {
		t.Errorf("state left: %v", got)
	}
}

package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/snapshot"
	"github.com/sluice-dev/sluice/internal/store"
)

// followersStream is a snapshot stream: no date filter, cursor paging, a nested object.
const followersStream = `    mode: snapshot
    request: {path: /events}
    records: data
    primary_key: [id]
    pagination: {type: cursor, cursor_path: next, param: cursor}
    fields:
      - {name: id, type: string}
      - {name: n, type: int}
      - name: owner
        type: object
        fields: [{name: city, type: string}]
`

// captureAt captures the snapshot stream of account acct at 09:00 UTC of August day.
func captureAt(t *testing.T, f *eventsFixture, day int, allowShrink bool) *engine.Summary {
	t.Helper()
	at := time.Date(2024, 8, day, 9, 0, 0, 0, time.UTC)
	sp := windowSpec(t, followersStream)
	return runE2E(t, e2eRun{
		Store: f.st, Spec: sp, BaseURL: f.url, Accounts: accounts(nil, "acct"), Format: format.JSONL,
		Range: engine.Range{From: at, To: at}, RunTime: at, AllowShrink: allowShrink,
	})
}

var followersStreamKey = layout.Stream{Source: "mini", Account: "acct", Name: "events"}

// diffLines reads a diff file as "CHANGE key path:old>new ..." lines, in file order.
func diffLines(t *testing.T, f *eventsFixture, key string) []string {
	t.Helper()
	data := readObject(t, f.st, key)
	s, rows, err := format.ReadParquet(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := s.Index(name)
		if i < 0 {
			t.Fatalf("diff file has no column %s", name)
		}
		return i
	}
	change, k, changed := col(snapshot.ChangeColumn), col(snapshot.KeyColumn), col(snapshot.ChangedColumn)
	var out []string
	for row, err := range rows {
		if err != nil {
			t.Fatal(err)
		}
		line := row[change].S + " " + row[k].S
		for _, c := range row[changed].L {
			text := func(v record.Value) string {
				if v.Kind == record.Null || v.Kind == record.Absent {
					return "(absent)"
				}
				return v.S
			}
			line += fmt.Sprintf(" %s:%s>%s", c.L[0].S, text(c.L[1]), text(c.L[2]))
		}
		out = append(out, line)
	}
	return out
}

// snapshotKeys reads the _key of every record of a stored snapshot file, in file order.
func snapshotKeys(t *testing.T, st store.Store, key string) []string {
	t.Helper()
	data := readObject(t, st, key)
	_, recs, err := snapshot.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for r, err := range recs {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Key)
	}
	return keys
}

func chainOf(t *testing.T, f *eventsFixture) *ledger.Chain {
	t.Helper()
	c, _, err := ledger.ReadChain(t.Context(), f.st, followersStreamKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSnapshotChain(t *testing.T) {
	f := newEventsFixture(t,
		[]string{`{"id":"a","n":1,"owner":{"city":"Oslo"}}`, `{"id":"b","n":1,"owner":{"city":null}}`},
		[]string{`{"id":"c","n":3}`})

	// The first capture: a snapshot and its metadata, no diff.
	first := captureAt(t, f, 1, false)
	if first.Totals != (engine.Totals{Committed: 1, Records: 3}) {
		t.Fatalf("first capture %+v: %+v", first.Totals, first.Partitions)
	}
	snap1 := followersStreamKey.SnapshotKey(time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), "20240801T090000Z", "parquet")
	meta1 := followersStreamKey.SnapshotMetadataKey(time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), "20240801T090000Z")
	sameStrings(t, "first capture files", storeKeys(t, f.st, "mini/"), []string{meta1, snap1})
	sameStrings(t, "snapshot keys", snapshotKeys(t, f.st, snap1), []string{"a", "b", "c"})

	// The same content the next day: unchanged, nothing written but the run summary.
	before := storeKeys(t, f.st, "mini/")
	if again := captureAt(t, f, 2, false); again.Totals != (engine.Totals{Unchanged: 1, Records: 3}) {
		t.Fatalf("identical capture %+v", again.Totals)
	}
	sameStrings(t, "objects after an unchanged capture", storeKeys(t, f.st, "mini/"), before)

	// b changes (n, and owner.city from null to absent), c goes, d comes, a repeats.
	f.api.pages = [][]string{
		{`{"id":"a","n":1,"owner":{"city":"Oslo"}}`, `{"id":"b","n":2,"owner":{}}`},
		{`{"id":"a","n":1,"owner":{"city":"Oslo"}}`, `{"id":"d","n":4}`},
	}
	third := captureAt(t, f, 3, false)
	if third.Totals != (engine.Totals{Committed: 1, Records: 3}) {
		t.Fatalf("changed capture %+v: %+v", third.Totals, third.Partitions)
	}
	head := chainOf(t, f).Head()
	if head.Added != 1 || head.Modified != 1 || head.Deleted != 1 || head.Date != "2024-08-03" || head.DiffKey == "" {
		t.Fatalf("head after the change: %+v", head)
	}
	if !strings.HasSuffix(head.DiffKey, "/diffs/events/diff_2024-08-01_2024-08-03_20240803T090000Z.parquet") {
		t.Errorf("diff key %s", head.DiffKey)
	}
	got := diffLines(t, f, head.DiffKey)
	want := []string{"MODIFIED b n:1>2 owner.city:null>(absent)", "DELETED c", "ADDED d"}
	slices.Sort(got)
	slices.Sort(want)
	sameStrings(t, "diff rows", got, want)
	var dm engine.DiffMetadata
	if err := json.Unmarshal(readObject(t, f.st, head.DiffMetadataKey), &dm); err != nil {
		t.Fatal(err)
	}
	if dm.Previous.Key != snap1 || dm.Current.Key != head.Key || dm.Previous.ContentHash == "" || dm.Current.ContentHash != head.ContentHash ||
		dm.Added != 1 || dm.Modified != 1 || dm.Deleted != 1 || dm.Unchanged != 1 {
		t.Errorf("diff metadata %+v", dm)
	}
	var sm engine.Metadata
	if err := json.Unmarshal(readObject(t, f.st, head.MetadataKey), &sm); err != nil {
		t.Fatal(err)
	}
	if sm.Counts.Duplicates != 1 || sm.Previous == nil || sm.Previous.Key != snap1 || sm.Diff == nil || sm.Diff.Key != head.DiffKey {
		t.Errorf("snapshot metadata counts %+v previous %+v diff %+v", sm.Counts, sm.Previous, sm.Diff)
	}

	// A capture that shrinks by two thirds, and an empty one, are refused: nothing written.
	before = storeKeys(t, f.st, "mini/")
	for _, pages := range [][][]string{{{`{"id":"a","n":1}`}}, {{}}} {
		f.api.pages = pages
		res := captureAt(t, f, 4, false)
		if res.Totals.Failed != 1 || !strings.Contains(res.Partitions[0].Error, "--allow-shrink") {
			t.Fatalf("shrunk capture %+v: %+v", res.Totals, res.Partitions)
		}
	}
	sameStrings(t, "objects after refused captures", storeKeys(t, f.st, "mini/"), before)
	if n := len(chainOf(t, f).Links); n != 2 {
		t.Fatalf("chain has %d links after refused captures, want 2", n)
	}

	// With --allow-shrink the empty capture is committed: everything is DELETED.
	if res := captureAt(t, f, 5, true); res.Totals != (engine.Totals{Committed: 1}) {
		t.Fatalf("allowed empty capture %+v: %+v", res.Totals, res.Partitions)
	}
	head = chainOf(t, f).Head()
	got = diffLines(t, f, head.DiffKey)
	slices.Sort(got)
	sameStrings(t, "diff rows of the empty capture", got, []string{"DELETED a", "DELETED b", "DELETED d"})
}

// failOnce answers the first request for cursor with a permanent error.
type failOnce struct {
	next   *pagedAPI
	cursor string
	done   bool
}

func (f *failOnce) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !f.done && r.URL.Query().Get("cursor") == f.cursor {
		f.done = true
		http.Error(w, `{"error":"boom"}`, http.StatusBadRequest)
		return
	}
	f.next.ServeHTTP(w, r)
}

func TestSnapshotCaptureResumesFromItsCheckpoint(t *testing.T) {
	var pages [][]string
	for i := range 6 {
		pages = append(pages, []string{fmt.Sprintf(`{"id":"k%d","n":%d}`, 2*i, i), fmt.Sprintf(`{"id":"k%d","n":%d}`, 2*i+1, i)})
	}
	api := &pagedAPI{pages: pages}
	srv := fakeapi.StartHandler(t, &failOnce{next: api, cursor: "5"})
	st := localStore(t)
	at := time.Date(2024, 8, 1, 9, 0, 0, 0, time.UTC)
	capture := func(at time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, followersStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Range: engine.Range{From: at, To: at}, RunTime: at, CheckpointPages: 2,
		})
	}
	if first := capture(at); first.Totals.Failed != 1 {
		t.Fatalf("first capture %+v", first.Totals)
	}
	if cps := storeKeys(t, st, followersStreamKey.CheckpointPrefix()); len(cps) != 1 {
		t.Fatalf("checkpoints after the failure: %q", cps)
	}
	before := len(api.seen())
	second := capture(at.Add(time.Hour))
	if second.Totals != (engine.Totals{Committed: 1, Records: 12}) {
		t.Fatalf("resumed capture %+v: %+v", second.Totals, second.Partitions)
	}
	// Pages 1-4 were checkpointed: the rerun starts at page 5 (cursor 4).
	if got := api.seen()[before:]; len(got) != 2 || got[0] != "/events?cursor=4" || got[1] != "/events?cursor=5" {
		t.Errorf("resumed capture requests %q, want pages 5 and 6", got)
	}
	head := chainOf(t, &eventsFixture{st: st}).Head()
	sameStrings(t, "resumed snapshot keys", snapshotKeys(t, st, head.Key), []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"})
	if left := storeKeys(t, st, "_sluice/staging/"); len(left) != 0 {
		t.Errorf("staged parts left: %q", left)
	}
}

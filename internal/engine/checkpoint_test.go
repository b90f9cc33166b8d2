package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// pagedPosts serves the demo API, recording the cursor of every posts request by account,
// and can answer one posts request with a permanent error: the failure that stops a run
// mid-window (the crash suite does the same with SIGKILL).
type pagedPosts struct {
	next http.Handler
	mu   sync.Mutex
	// queries lists the query of each posts request, by account.
	queries map[string][]url.Values
	// failAccount's request number failAt (from 0) is refused, once; -1: none.
	failAccount string
	failAt      int
	// refuse answers requests with this cursor with a 400, once (an expired cursor).
	refuse string
}

func newPagedPosts() *pagedPosts {
	return &pagedPosts{next: fakeapi.NewDemo(fakeapi.Options{Seed: demoSeed}), queries: map[string][]url.Values{}, failAt: -1}
}

func (p *pagedPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/posts") {
		p.next.ServeHTTP(w, r)
		return
	}
	account := strings.Split(r.URL.Path, "/")[3] // /v1/accounts/{id}/posts
	q := r.URL.Query()
	cursor := q.Get("after")
	p.mu.Lock()
	n := len(p.queries[account])
	p.queries[account] = append(p.queries[account], q)
	fail := account == p.failAccount && n == p.failAt || cursor != "" && cursor == p.refuse
	if fail {
		p.failAt, p.refuse = -1, ""
	}
	p.mu.Unlock()
	if fail {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"message":"Invalid cursor","code":100}}`))
		return
	}
	p.next.ServeHTTP(w, r)
}

// requests returns the cursor ("" for a first page) of each posts request of account, and
// forgets them.
func (p *pagedPosts) requests(account string) []string {
	var out []string
	for _, q := range p.take(account) {
		out = append(out, q.Get("after"))
	}
	return out
}

// take returns the queries of account's posts requests and forgets them.
func (p *pagedPosts) take(account string) []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.queries[account]
	delete(p.queries, account)
	return out
}

// smallPages is the demo spec with three posts per page, so a window takes many pages.
func smallPages(t *testing.T) *spec.Spec {
	sp := demoSpec(t)
	sp.Streams["posts"].Request.Params["limit"] = "3"
	return sp
}

// resumeRun runs the demo over its four days with checkpoints every two pages.
func resumeRun(t *testing.T, st store.Store, sp *spec.Spec, base string, f format.Format, at time.Time) *engine.Summary {
	return runE2E(t, e2eRun{
		Store: st, Spec: sp, BaseURL: base, Accounts: accounts(nil, "northwind", "contoso"),
		Format: f, Range: engine.Range{From: demoFrom, To: demoTo}, RunTime: at, CheckpointPages: 2,
	})
}

var (
	resumeT1 = time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	resumeT2 = resumeT1.Add(time.Hour)
)

// checkCleanResult checks that st holds exactly a clean run's records, one generation per
// partition and nothing left of checkpoints.
func checkCleanResult(t *testing.T, st store.Store, ext string, runs ...*engine.Summary) {
	t.Helper()
	want := []string{}
	for _, a := range []string{"northwind", "contoso"} {
		w := wantDemo(t, a)
		w.check(t, st, a)
		for _, k := range w.keys(a, resumeT1, ext) {
			want = append(want, strings.Split(k, "_20240201T")[0]) // the key without its run timestamp
		}
	}
	for _, s := range runs {
		want = append(want, strings.Split(s.Key(), "_20240201T")[0])
	}
	var got []string
	for _, k := range storeKeys(t, st, "") {
		got = append(got, strings.Split(k, "_20240201T")[0])
	}
	sameStrings(t, "objects (without run timestamps)", got, want)
}

func TestCheckpointResumesAfterAFailedWindow(t *testing.T) {
	for _, f := range []format.Format{format.Parquet, format.JSONL} {
		t.Run(string(f), func(t *testing.T) {
			st := localStore(t)
			api := newPagedPosts()
			api.failAccount, api.failAt = "northwind", 5 // pages 1-5 arrive, page 6 is refused
			base := fakeapi.StartHandler(t, api).URL
			sp := smallPages(t)

			first := resumeRun(t, st, sp, base, f, resumeT1)
			if first.Totals.Failed != 8 || first.Totals.Committed != 8 {
				t.Fatalf("first run totals %+v", first.Totals)
			}
			run1 := api.requests("northwind")
			api.requests("contoso")
			if len(run1) != 6 {
				t.Fatalf("first run sent %d northwind posts requests, want 6: %q", len(run1), run1)
			}
			cp := storeKeys(t, st, "_sluice/state/demo/northwind/posts/checkpoints/")
			if len(cp) != 1 || len(storeKeys(t, st, "_sluice/staging/demo/northwind/posts/")) == 0 {
				t.Fatalf("after the failure: checkpoints %q, staged parts %q", cp, storeKeys(t, st, "_sluice/staging/"))
			}

			second := resumeRun(t, st, sp, base, f, resumeT2)
			if second.Totals.Committed != 8 || second.Totals.Skipped != 8 || second.Totals.Failed != 0 {
				t.Fatalf("second run totals %+v: %+v", second.Totals, second.Partitions)
			}
			run2 := api.requests("northwind")
			// The resumed chain starts at page 5: the page after the checkpoint of page 4.
			if len(run2) == 0 || run2[0] != run1[4] {
				t.Fatalf("second run's first cursor %q, want page 5's %q (all: %q)", run2, run1[4], run1)
			}
			refetched := 0
			for _, c := range run2 {
				for _, old := range run1 {
					if c == old {
						refetched++
					}
				}
			}
			if refetched > 2 {
				t.Errorf("%d pages fetched again, more than the checkpoint interval 2", refetched)
			}
			if got := api.requests("contoso"); len(got) != 0 {
				t.Errorf("committed contoso partitions fetched again: %q", got)
			}
			checkCleanResult(t, st, f.Ext(), first, second)
		})
	}
}

func TestCheckpointRestartsWhenItCannotContinue(t *testing.T) {
	unchanged := func(_ *pagedPosts, sp *spec.Spec, _ string) (*spec.Spec, format.Format) { return sp, format.Parquet }
	cases := []struct {
		name   string
		change func(api *pagedPosts, sp *spec.Spec, cursor string) (*spec.Spec, format.Format)
		keys   func(staged []byte) []byte // rewrites every staged keys file; nil: left alone
	}{
		{"the API refuses the saved cursor", func(api *pagedPosts, sp *spec.Spec, cursor string) (*spec.Spec, format.Format) {
			api.refuse = cursor
			return sp, format.Parquet
		}, nil},
		{"the spec changed", func(api *pagedPosts, sp *spec.Spec, _ string) (*spec.Spec, format.Format) {
			changed := *sp
			changed.Hash = "another-spec"
			return &changed, format.Parquet
		}, nil},
		{"the format changed", func(api *pagedPosts, sp *spec.Spec, _ string) (*spec.Spec, format.Format) {
			return sp, format.JSONL
		}, nil},
		{"a staged keys file ends inside a key", unchanged, func(b []byte) []byte { return b[:len(b)-5] }},
		{"a staged keys file holds a key too many", unchanged, func(b []byte) []byte { return append(b, make([]byte, 16)...) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := localStore(t)
			api := newPagedPosts()
			api.failAccount, api.failAt = "northwind", 5
			base := fakeapi.StartHandler(t, api).URL
			sp := smallPages(t)
			first := resumeRun(t, st, sp, base, format.Parquet, resumeT1)
			run1 := api.requests("northwind")
			if first.Totals.Failed != 8 || len(run1) != 6 {
				t.Fatalf("first run totals %+v, %d requests", first.Totals, len(run1))
			}
			sp2, f2 := tc.change(api, sp, run1[4])
			if tc.keys != nil {
				rewriteStagedKeys(t, st, tc.keys)
			}
			if f2 == format.JSONL {
				// contoso was committed as Parquet: a JSONL run extracts it again.
				for _, k := range storeKeys(t, st, "_sluice/state/demo/contoso/") {
					if err := st.Delete(t.Context(), k); err != nil {
						t.Fatal(err)
					}
				}
			}
			second := resumeRun(t, st, sp2, base, f2, resumeT2)
			if second.Totals.Failed != 0 {
				t.Fatalf("second run totals %+v: %+v", second.Totals, second.Partitions)
			}
			run2 := api.requests("northwind")
			// The window restarted: its chain began again at the first page.
			firstPage := -1
			for i, c := range run2 {
				if c == "" {
					firstPage = i
					break
				}
			}
			if firstPage < 0 {
				t.Fatalf("the window did not restart from its first page: %q", run2)
			}
			if got := storeKeys(t, st, "_sluice/staging/"); len(got) != 0 {
				t.Errorf("staged parts left: %q", got)
			}
			if got := storeKeys(t, st, "_sluice/state/demo/northwind/posts/checkpoints/"); len(got) != 0 {
				t.Errorf("checkpoints left: %q", got)
			}
			for _, a := range []string{"northwind", "contoso"} {
				wantDemo(t, a).check(t, st, a)
			}
		})
	}
}

func TestBackfillSkipsCommittedDays(t *testing.T) {
	st := localStore(t)
	api := newPagedPosts()
	base := fakeapi.StartHandler(t, api).URL
	sp := smallPages(t)
	run := func(to time.Time, at time.Time, refresh bool) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: sp, BaseURL: base, Accounts: accounts(nil, "northwind"),
			Range: engine.Range{From: demoFrom, To: to}, RunTime: at, Refresh: refresh,
		})
	}
	first := run(demoFrom.AddDate(0, 0, 1), resumeT1, false)
	if first.Totals != (engine.Totals{Committed: 4, Records: first.Totals.Records}) {
		t.Fatalf("partial backfill totals %+v", first.Totals)
	}
	api.take("northwind")
	second := run(demoTo, resumeT2, false)
	if second.Totals.Skipped != 4 || second.Totals.Committed != 4 || second.Totals.Failed != 0 {
		t.Fatalf("resumed backfill totals %+v", second.Totals)
	}
	for _, p := range second.Partitions {
		day, _ := time.Parse(time.DateOnly, p.Day)
		want := engine.OutcomeCommitted
		if day.Before(demoFrom.AddDate(0, 0, 2)) {
			want = engine.OutcomeSkipped
		}
		if p.Outcome != want {
			t.Errorf("%s: %s, want %s", p.Partition, p.Outcome, want)
		}
	}
	// The window of the resumed backfill starts after the committed days.
	since := strconv.FormatInt(demoFrom.AddDate(0, 0, 2).Unix(), 10)
	for _, q := range api.take("northwind") {
		if q.Get("since") != since {
			t.Errorf("resumed backfill asked since=%s, want %s", q.Get("since"), since)
		}
	}
	wantDemo(t, "northwind").check(t, st, "northwind")

	third := run(demoTo, resumeT2.Add(time.Hour), false)
	if third.Totals.Skipped != 8 || third.Totals.Committed+third.Totals.Unchanged != 0 {
		t.Fatalf("rerun totals %+v", third.Totals)
	}
	if got := api.requests("northwind"); len(got) != 0 {
		t.Errorf("a fully committed range sent %d requests", len(got))
	}
	refreshed := run(demoTo, resumeT2.Add(2*time.Hour), true)
	if refreshed.Totals.Unchanged != 8 || refreshed.Totals.Skipped != 0 {
		t.Fatalf("refresh totals %+v", refreshed.Totals)
	}
}

// rewriteStagedKeys replaces every staged keys file with what rewrite makes of it.
func rewriteStagedKeys(t *testing.T, st store.Store, rewrite func([]byte) []byte) {
	t.Helper()
	n := 0
	for _, k := range storeKeys(t, st, "_sluice/staging/") {
		if !strings.HasSuffix(k, ".keys") {
			continue
		}
		rc, _, err := st.Get(t.Context(), k)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		data = rewrite(data)
		if err := st.Delete(t.Context(), k); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Create(t.Context(), k, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no staged keys file to rewrite")
	}
}

// slowCheckpoints is a store whose checkpoint saves take a while, so a fetch that read
// ahead of them would show.
type slowCheckpoints struct {
	store.Store
}

func (s slowCheckpoints) Swap(ctx context.Context, key string, data []byte, etag string) (store.Object, error) {
	if strings.Contains(key, "/checkpoints/") {
		time.Sleep(30 * time.Millisecond)
	}
	return s.Store.Swap(ctx, key, data, etag)
}

// savedPages returns the pages of account's stored posts checkpoint, 0 if none.
func savedPages(t *testing.T, st store.Store, account string) int64 {
	keys := storeKeys(t, st, "_sluice/state/demo/"+account+"/posts/checkpoints/")
	if len(keys) == 0 {
		return 0
	}
	r, _, err := st.Get(context.Background(), keys[0])
	if err != nil {
		return 0 // deleted meanwhile: the window is committing
	}
	defer r.Close()
	var cp struct {
		Pages int64 `json:"pages"`
	}
	if err := json.NewDecoder(r).Decode(&cp); err != nil {
		t.Errorf("checkpoint %s: %v", keys[0], err)
	}
	return cp.Pages
}

// With checkpoints every 8 pages, checkpoints are cut every 7 and the chain reads one
// page ahead while one is saved; no request ever goes more than 8 pages past the stored
// checkpoint, however slow saving it is.
func TestCheckpointReadAheadStaysWithinTheInterval(t *testing.T) {
	st := slowCheckpoints{localStore(t)}
	var mu sync.Mutex
	var pages, worst int64 // posts requests of northwind so far; the largest lead over the checkpoint
	inner := fakeapi.NewDemo(fakeapi.Options{Seed: demoSeed})
	base := fakeapi.StartHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/accounts/northwind/posts") {
			mu.Lock()
			pages++
			worst = max(worst, pages-savedPages(t, st, "northwind"))
			mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	})).URL
	sp := demoSpec(t)
	sp.Streams["posts"].Request.Params["limit"] = "1"
	sum := runE2E(t, e2eRun{
		Store: st, Spec: sp, BaseURL: base, Accounts: accounts(nil, "northwind"),
		Range: engine.Range{From: demoFrom, To: demoTo}, RunTime: resumeT1, CheckpointPages: 8,
	})
	if sum.Totals.Committed != 8 || sum.Totals.Failed != 0 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	wantDemo(t, "northwind").check(t, st, "northwind")
	mu.Lock()
	defer mu.Unlock()
	if pages < 20 {
		t.Fatalf("only %d pages: too few to cross two checkpoints", pages)
	}
	if worst != 8 {
		t.Errorf("a request went %d pages past the stored checkpoint; want exactly 8 (the bound, reached while a save runs)", worst)
	}
}

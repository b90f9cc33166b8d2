package crashtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
)

// Checkpoints in the suite: small pages and a short interval, so every window checkpoints
// many times and kills land between checkpoints.
const (
	pageSize        = 10 // posts per page of the fake API
	checkpointPages = 2  // defaults.checkpoint_pages of every run
)

// newDemoAPI starts a demo fake of seed with the suite's page size.
func newDemoAPI(t *testing.T, seed uint64) string {
	return fakeapi.StartHandler(t, fakeapi.NewDemo(fakeapi.Options{Seed: seed, PageSize: pageSize})).URL
}

// postsRequest is one request of a top-level chain: the window and the cursor.
type postsRequest struct {
	account, since, until, after string
}

// recorder is a scenario's own demo fake, which records the posts requests of each run.
type recorder struct {
	URL  string
	next http.Handler
	mu   sync.Mutex
	reqs []postsRequest
}

func newRecorder(t *testing.T, seed uint64) *recorder {
	r := &recorder{next: fakeapi.NewDemo(fakeapi.Options{Seed: seed, PageSize: pageSize})}
	r.URL = fakeapi.StartHandler(t, r).URL
	return r
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if parts := strings.Split(req.URL.Path, "/"); len(parts) == 5 && parts[4] == "posts" {
		q := req.URL.Query()
		r.mu.Lock()
		r.reqs = append(r.reqs, postsRequest{account: parts[3], since: q.Get("since"), until: q.Get("until"), after: q.Get("after")})
		r.mu.Unlock()
	}
	r.next.ServeHTTP(w, req)
}

// take returns the posts requests since the last take.
func (r *recorder) take() []postsRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// committedDays lists, by account, the days whose posts partition is committed in out.
func committedDays(t *testing.T, out *sink) map[string]map[time.Time]bool {
	t.Helper()
	from, _ := time.Parse(time.DateOnly, fromDay)
	to, _ := time.Parse(time.DateOnly, toDay)
	got := map[string]map[time.Time]bool{}
	for _, a := range accounts {
		days, err := ledger.Inventory(t.Context(), out.st, layout.Stream{Source: "demo", Account: a, Name: "posts"}, from, to)
		if err != nil {
			t.Fatal(err)
		}
		got[a] = map[time.Time]bool{}
		for _, d := range days {
			if d.Committed {
				got[a][d.Day] = true
			}
		}
	}
	return got
}

// checkRefetch checks the rerun's posts requests against the killed runs' (before): per
// account at most checkpointPages pages are fetched again, and, unless the rerun
// refreshes, no request asks for a day committed before it started.
func checkRefetch(t *testing.T, before, rerun []postsRequest, committed map[string]map[time.Time]bool, history []string) {
	t.Helper()
	seen := map[postsRequest]bool{}
	for _, r := range before {
		seen[r] = true
	}
	again := map[string]int{}
	for _, r := range rerun {
		if seen[r] {
			again[r.account]++
		}
		if committed == nil {
			continue
		}
		for _, d := range windowDays(t, r) {
			if committed[r.account][d] {
				t.Errorf("after %v: the rerun fetched %s's committed day %s again (request %+v)", history, r.account, d.Format(time.DateOnly), r)
			}
		}
	}
	for a, n := range again {
		if n > checkpointPages {
			t.Errorf("after %v: the rerun fetched %d pages of %s again; the checkpoint interval is %d", history, n, a, checkpointPages)
		}
	}
}

// windowDays are the UTC days a posts request's since/until window covers.
func windowDays(t *testing.T, r postsRequest) []time.Time {
	since, err1 := strconv.ParseInt(r.since, 10, 64)
	until, err2 := strconv.ParseInt(r.until, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("posts request without a unix window: %+v", r)
	}
	var out []time.Time
	for d := time.Unix(since, 0).UTC(); d.Before(time.Unix(until, 0).UTC()); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

func (r postsRequest) String() string {
	return fmt.Sprintf("%s since=%s after=%q", r.account, r.since, r.after)
}

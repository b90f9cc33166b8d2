package engine_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
)

// gatedAPI holds every request until open is closed, and says when the first arrived.
type gatedAPI struct {
	next    http.Handler
	arrived chan struct{}
	open    chan struct{}
	once    sync.Once
}

func (g *gatedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.once.Do(func() { close(g.arrived) })
	<-g.open
	g.next.ServeHTTP(w, r)
}

// Two runs of one stream at once: the second is refused with the lease holder's identity
// and writes nothing; the first commits exactly once.
func TestConcurrentRunsOfOneStream(t *testing.T) {
	api := &gatedAPI{
		next:    &pagedAPI{pages: [][]string{{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`}}},
		arrived: make(chan struct{}), open: make(chan struct{}),
	}
	srv := fakeapi.StartHandler(t, api)
	st := localStore(t)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	run := func(id string, at time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: windowSpec(t, eventsStream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
			Format: format.Parquet, Range: engine.Range{From: day, To: day}, RunTime: at, RunID: id,
		})
	}
	first := make(chan *engine.Summary)
	go func() { first <- run("runA", time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)) }()
	<-api.arrived // run A holds the lease and waits for its first page
	second := run("runB", time.Date(2024, 8, 1, 0, 0, 30, 0, time.UTC))
	close(api.open)
	a := <-first
	if a.Totals.Committed != 1 || a.Totals.Records != 1 {
		t.Fatalf("run A: %+v %+v", a.Totals, a.Partitions)
	}
	if second.Totals.Failed != 1 || second.ExitCode() != 1 {
		t.Fatalf("run B: %+v", second.Totals)
	}
	if msg := second.Partitions[0].Error; !strings.Contains(msg, "runA") || !strings.Contains(msg, "sluice unlock") {
		t.Errorf("run B error = %q, want the holder's run id and how to unlock", msg)
	}
	if keys := storeKeys(t, st, "mini/acct/events/2024/01/02/"); len(keys) != 2 ||
		!strings.HasSuffix(keys[0], "data_20240801T000000Z.parquet") || !strings.HasSuffix(keys[1], "metadata_20240801T000000Z.json") {
		t.Errorf("partition files = %v", keys)
	}
	if keys := storeKeys(t, st, "_sluice/leases/"); len(keys) != 0 {
		t.Errorf("leases left: %v", keys)
	}
}

package crashtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/failpoint"
	"github.com/sluice-dev/sluice/internal/store/s3test"
)

// crash is one scenario: a run (or several) killed, then a rerun that must converge.
type crash struct {
	name string
	// replace starts from the sink of a completed seedOld run and runs against the seedNew
	// API, so partitions are replaced; otherwise the sink starts empty and the API serves
	// seedOld.
	replace bool
	// failpoint arms SLUICE_FAILPOINT ("name@N") for the first run, which must die by it.
	failpoint string
	// kills are the delays after which successive runs are sent SIGKILL (a run that ends
	// before its delay has simply completed).
	kills []time.Duration
}

// TestCrash is the crash-convergence suite: clean references first, then every scenario on
// the local store and on versitygw, in parallel.
func TestCrash(t *testing.T) {
	apis := map[uint64]string{seedOld: newDemoAPI(t, seedOld), seedNew: newDemoAPI(t, seedNew)}
	local := &backend{name: "local"}
	var refs [2]*reference // seedOld, seedNew, on the local store
	// The reference sinks live as long as the whole test: replacing scenarios copy them.
	refDirs := [2]*sink{localSink(t, t.TempDir()), localSink(t, t.TempDir())}
	t.Run("clean", func(t *testing.T) {
		for i, seed := range []uint64{seedOld, seedNew} {
			t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
				t.Parallel()
				refs[i] = cleanRun(t, local, refDirs[i], seed, apis[seed])
				t.Logf("clean run of seed %d: %d records in %d partitions, %v", seed, refs[i].records, len(refs[i].snap.records), refs[i].duration.Round(time.Millisecond))
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	for _, name := range []string{"local", "s3"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, old := local, refs[0]
			if name == "s3" {
				b = &backend{name: name, srv: s3test.Start(t)}
				out := b.newSink(t)
				old = cleanRun(t, b, out, seedOld, apis[seedOld])
				if d := refs[0].snap.diff(old.snap); d != "" {
					t.Fatalf("a clean run on S3 differs from one on the local store:\n%s", d)
				}
			}
			for _, c := range scenarios(t, old.duration) {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					want := refs[0]
					if c.replace {
						want = refs[1]
					}
					c.check(t, b, old, want)
				})
			}
			if b.srv != nil {
				t.Run("s3-outage", func(t *testing.T) {
					t.Parallel()
					outage(t, refs[0], apis[seedOld])
				})
			}
		})
	}
}

// scenarios lists the crashes to run, by CRASH_FULL, CRASH_RANDOM and CRASH_SEED; random
// kill delays are uniform within the clean run's duration.
func scenarios(t *testing.T, clean time.Duration) []crash {
	hits := []int{1, 40} // the first partition, and one late in the commit phase
	deleteHits := []int{7}
	checkpointHits := []int{1, 8}
	var replaceHits []int
	if os.Getenv("CRASH_FULL") == "1" {
		hits = []int{1, 2, 3, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
		replaceHits, deleteHits = hits, hits
		checkpointHits = []int{1, 2, 3, 5, 8, 13, 21}
	}
	var out []crash
	for _, fp := range []string{failpoint.AfterDataPut, failpoint.AfterMetadataPut, failpoint.AfterManifestCAS} {
		for _, n := range hits {
			out = append(out, crash{name: fmt.Sprintf("fresh/%s@%d", fp, n), failpoint: fmt.Sprintf("%s@%d", fp, n)})
		}
		for _, n := range replaceHits {
			out = append(out, crash{name: fmt.Sprintf("replace/%s@%d", fp, n), replace: true, failpoint: fmt.Sprintf("%s@%d", fp, n)})
		}
	}
	for _, n := range deleteHits {
		fp := fmt.Sprintf("%s@%d", failpoint.DuringSupersededDelete, n)
		out = append(out, crash{name: "replace/" + fp, replace: true, failpoint: fp})
	}
	for _, n := range checkpointHits {
		fp := fmt.Sprintf("%s@%d", failpoint.MidCheckpoint, n)
		out = append(out, crash{name: "fresh/" + fp, failpoint: fp})
	}
	count := envInt(t, "CRASH_RANDOM", 5)
	seed := uint64(envInt(t, "CRASH_SEED", 1))
	for i := range count {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		c := crash{replace: i%2 == 1}
		for range 1 + i%3/2 { // every third scenario kills two runs in a row
			c.kills = append(c.kills, time.Duration(r.Int64N(int64(clean))))
		}
		mode := "fresh"
		if c.replace {
			mode = "replace"
		}
		c.name = fmt.Sprintf("random/%s/seed%d-%d", mode, seed, i)
		out = append(out, c)
	}
	return out
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}

// check runs the scenario on a fresh sink of b against its own demo fake, and requires the
// rerun to leave exactly want, fetching at most a checkpoint interval of pages again and,
// on a fresh sink, no committed day. old is the backend's completed seedOld run, the
// starting point of replacing scenarios, whose runs all pass --refresh (the API's data
// changed: committed partitions must be extracted again).
func (c crash) check(t *testing.T, b *backend, old, want *reference) {
	out := b.newSink(t)
	if c.replace {
		if err := copySink(t.Context(), old.out, out); err != nil {
			t.Fatal(err)
		}
	}
	rec := newRecorder(t, want.seed)
	api := rec.URL
	sc := newScenario(t, b, out)
	var history []string
	if c.failpoint != "" {
		res := sc.run(api, invocation{failpoint: c.failpoint, refresh: c.replace})
		if !res.killed {
			t.Fatalf("SLUICE_FAILPOINT=%s: the run was not killed by its failpoint\n%s", c.failpoint, res.transcript())
		}
		history = append(history, fmt.Sprintf("killed at %s after %v", c.failpoint, res.duration.Round(time.Millisecond)))
	}
	for i, d := range c.kills {
		res := sc.run(api, invocation{killAfter: d, forceUnlock: i > 0, refresh: c.replace})
		switch {
		case res.killed:
			history = append(history, fmt.Sprintf("killed after %v", d))
		case res.code == 0:
			history = append(history, fmt.Sprintf("completed in %v before the kill due at %v", res.duration.Round(time.Millisecond), d))
		default:
			t.Fatalf("run %d, to be killed after %v: %s\n%s", i+1, d, res, res.transcript())
		}
	}
	before := rec.take()
	var committed map[string]map[time.Time]bool
	if !c.replace {
		committed = committedDays(t, out)
	}
	res := sc.run(api, invocation{forceUnlock: true, refresh: c.replace})
	if res.killed || res.code != 0 || recordTotal(res.stdout) != want.records {
		t.Fatalf("after %v: the rerun with --force-unlock must exit 0 with %d records\n%s", history, want.records, res.transcript())
	}
	assertConverged(t, out, want, history)
	if !c.replace {
		checkRefetch(t, before, rec.take(), committed, history)
	}
	t.Logf("converged after %v", history)
	if left := sc.staleTemp(); len(left) > 0 {
		t.Errorf("after %v: TMPDIR still holds %v", history, left)
	}
}

// assertConverged fails unless the sink holds exactly what the clean run left.
func assertConverged(t *testing.T, out *sink, want *reference, history []string) {
	t.Helper()
	got, err := take(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	if d := want.snap.diff(got); d != "" {
		t.Fatalf("after %v and a rerun, %s differs from a clean run of seed %d:\n%s", history, out.url, want.seed, d)
	}
}

// outage stops the S3 server while a run commits: the run must fail, naming the endpoint,
// and a rerun once the server is back must converge.
func outage(t *testing.T, want *reference, api string) {
	b := &backend{name: "s3", srv: s3test.Start(t)}
	out := b.newSink(t)
	sc := newScenario(t, b, out)
	var once sync.Once
	var fired atomic.Bool
	stopped := make(chan struct{})
	res := sc.run(api, invocation{onLine: func(line string) {
		if !strings.Contains(line, `"msg":"partition committed"`) {
			return
		}
		once.Do(func() {
			fired.Store(true)
			go func() {
				b.srv.Kill()
				close(stopped)
			}()
		})
	}})
	if !fired.Load() {
		t.Fatalf("the run never committed a partition, so the server was not stopped\n%s", res.transcript())
	}
	<-stopped
	host := "cannot connect to " + b.srv.URL + "; is the S3 server running and the endpoint right?"
	if res.killed || res.code != 3 || !strings.Contains(res.stdout, "FAILED demo/") || !strings.Contains(res.stdout, host) {
		t.Fatalf("with the S3 server gone mid-run: want exit 3 (partial) and FAILED partitions saying %q\n%s", host, res.transcript())
	}
	for _, l := range strings.Split(res.stdout, "\n") {
		if strings.Contains(l, host) {
			t.Logf("the run failed with: %s", l)
			break
		}
	}
	b.srv.Restart()
	res = sc.run(api, invocation{forceUnlock: true})
	if res.killed || res.code != 0 || recordTotal(res.stdout) != want.records {
		t.Fatalf("after the server is back, the rerun with --force-unlock must exit 0 with %d records\n%s", want.records, res.transcript())
	}
	assertConverged(t, out, want, []string{"S3 server killed mid-run"})
}

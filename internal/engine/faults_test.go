package engine_test

import (
	"maps"
	"path"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/store"
)

// faultRunTime is the run timestamp of every fault test run, so that a faulty run and the
// clean run write the same keys. faultClockStart is where the clients' fake clocks start.
var (
	faultRunTime    = time.Date(2024, 2, 1, 10, 30, 0, 0, time.UTC)
	faultClockStart = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
)

// faultCase is one scripted fault run of the demo source (account northwind, 4 days).
type faultCase struct {
	name   string
	script map[int]fakeapi.Action
	// realClock runs the clients on the system clock with a short per-attempt timeout
	// (the fake clock never fires a timeout on its own).
	realClock bool
	// kinds are the failed attempts the metadata must count, by kind.
	kinds map[httpapi.ErrorKind]int64
	// waits are the exact waits the API asked for (Retry-After); nil means jittered
	// backoff, whose ceilings backoff lists per retry.
	waits   []time.Duration
	backoff []time.Duration
}

// faultResult is what one run left behind.
type faultResult struct {
	sum    *engine.Summary
	faults *fakeapi.Faults
	st     store.Store
	clock  *httpapi.FakeClock // nil with the real clock
}

func runFaultCase(t *testing.T, tc faultCase) faultResult {
	t.Helper()
	f := fakeapi.NewFaults(fakeapi.NewDemo(fakeapi.Options{Seed: demoSeed}), fakeapi.At(tc.script))
	srv := fakeapi.StartHandler(t, f)
	r := faultResult{faults: f, st: localStore(t)}
	run := e2eRun{
		Store: r.st, Spec: demoSpec(t), BaseURL: srv.URL, Accounts: accounts(nil, "northwind"),
		Format: format.Parquet, Range: engine.Range{From: demoFrom, To: demoTo}, RunTime: faultRunTime,
	}
	if tc.realClock {
		run.Clock = httpapi.SystemClock()
		run.Timeout = 250 * time.Millisecond
		run.Retry = httpapi.RetryPolicy{Initial: 10 * time.Millisecond}
	} else {
		r.clock = httpapi.NewFakeClock(faultClockStart)
		run.Clock = r.clock
	}
	r.sum = runE2E(t, run)
	return r
}

// metadataByDir reads every metadata file in st, by partition folder.
func metadataByDir(t *testing.T, st store.Store) map[string]engine.Metadata {
	t.Helper()
	out := map[string]engine.Metadata{}
	for _, k := range storeKeys(t, st, "demo/") {
		if strings.Contains(k, "/metadata_") {
			out[path.Dir(k)] = readMeta(t, st, k)
		}
	}
	return out
}

func requestLine(r fakeapi.Received) string { return r.Path + "?" + r.Query.Encode() }

func TestScriptedFaultsConvergeToCleanRun(t *testing.T) {
	clean := runFaultCase(t, faultCase{})
	cleanReqs := clean.faults.Requests()
	n0 := int64(len(cleanReqs))
	cleanMeta := metadataByDir(t, clean.st)
	cleanKeys := storeKeys(t, clean.st, "")
	want := wantDemo(t, "northwind")
	// The reference itself: 2 streams × 4 days, the fake's exact records, one window whose
	// request stats every partition shares.
	if clean.sum.Totals.Committed != 8 || clean.sum.Totals.Failed != 0 || n0 < 5 {
		t.Fatalf("clean run: totals %+v, %d requests", clean.sum.Totals, n0)
	}
	want.check(t, clean.st, "northwind")
	sameStrings(t, "clean run keys", cleanKeys, append(want.keys("northwind", faultRunTime, "parquet"),
		clean.sum.Key()))
	for dir, m := range cleanMeta {
		if m.Requests.Requests != n0 || m.Requests.Retries != 0 || m.Requests.Errors != nil {
			t.Errorf("clean %s: requests %+v, want %d requests and no retries", dir, m.Requests, n0)
		}
	}

	cases := []faultCase{
		{
			name:   "429 with Retry-After seconds",
			script: map[int]fakeapi.Action{1: fakeapi.Status429RetryAfterSeconds(3)},
			kinds:  map[httpapi.ErrorKind]int64{httpapi.KindRateLimited: 1},
			waits:  []time.Duration{3 * time.Second},
		},
		{
			name:   "429 with Retry-After HTTP date",
			script: map[int]fakeapi.Action{2: fakeapi.Status429RetryAfterDate(faultClockStart.Add(7 * time.Second))},
			kinds:  map[httpapi.ErrorKind]int64{httpapi.KindRateLimited: 1},
			waits:  []time.Duration{7 * time.Second},
		},
		{
			name:    "503 twice in a row",
			script:  map[int]fakeapi.Action{3: fakeapi.Status503(), 4: fakeapi.Status503()},
			kinds:   map[httpapi.ErrorKind]int64{httpapi.KindTransient: 2},
			backoff: []time.Duration{500 * time.Millisecond, time.Second},
		},
		{
			name:    "connection reset mid-body",
			script:  map[int]fakeapi.Action{2: fakeapi.ResetMidBody()},
			kinds:   map[httpapi.ErrorKind]int64{httpapi.KindNetwork: 1},
			backoff: []time.Duration{500 * time.Millisecond},
		},
		{
			name:    "truncated JSON in a 200",
			script:  map[int]fakeapi.Action{1: fakeapi.TruncatedJSON()},
			kinds:   map[httpapi.ErrorKind]int64{httpapi.KindDecode: 1},
			backoff: []time.Duration{500 * time.Millisecond},
		},
		{
			name:      "delay beyond the attempt timeout",
			script:    map[int]fakeapi.Action{2: fakeapi.Delay(time.Second)},
			realClock: true,
			kinds:     map[httpapi.ErrorKind]int64{httpapi.KindNetwork: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runFaultCase(t, tc)
			retries := int64(len(tc.script))
			if r.sum.Totals != clean.sum.Totals || r.sum.ExitCode() != 0 {
				t.Fatalf("totals %+v (exit %d), want %+v; partitions %+v", r.sum.Totals, r.sum.ExitCode(), clean.sum.Totals, r.sum.Partitions)
			}

			// The server saw the clean run's requests plus one repeat per fault, each
			// repeat right after the attempt that failed.
			reqs := r.faults.Requests()
			if int64(len(reqs)) != n0+retries {
				t.Fatalf("server saw %d requests, want %d", len(reqs), n0+retries)
			}
			var passed []string
			for i, rq := range reqs {
				a, faulted := tc.script[i+1]
				if rq.Fault != a.String() {
					t.Errorf("request %d: fault %q, want %q", i+1, rq.Fault, a.String())
				}
				if faulted {
					if requestLine(reqs[i+1]) != requestLine(rq) {
						t.Errorf("request %d retried as %s, want %s", i+1, requestLine(reqs[i+1]), requestLine(rq))
					}
					continue
				}
				passed = append(passed, requestLine(rq))
			}
			var cleanLines []string
			for _, rq := range cleanReqs {
				cleanLines = append(cleanLines, requestLine(rq))
			}
			if !reflect.DeepEqual(passed, cleanLines) {
				t.Errorf("answered requests differ from the clean run's:\n got %v\nwant %v", passed, cleanLines)
			}

			// Exactly the clean run's objects and records.
			sameStrings(t, "keys", storeKeys(t, r.st, ""), cleanKeys)
			want.check(t, r.st, "northwind")

			// Metadata counts the retries exactly; everything else equals the clean run.
			var waited time.Duration
			for _, w := range tc.waits {
				waited += w
			}
			var slept time.Duration
			if r.clock != nil {
				sleeps := r.clock.Sleeps()
				switch {
				case tc.waits != nil:
					if !reflect.DeepEqual(sleeps, tc.waits) {
						t.Errorf("waited %v, want %v", sleeps, tc.waits)
					}
				case len(sleeps) != len(tc.backoff):
					t.Errorf("backed off %v, want %d waits", sleeps, len(tc.backoff))
				default:
					for i, d := range sleeps {
						if d < 0 || d > tc.backoff[i] {
							t.Errorf("backoff %d = %v, want within [0, %v]", i+1, d, tc.backoff[i])
						}
					}
				}
				for _, d := range sleeps {
					slept += d
				}
			}
			meta := metadataByDir(t, r.st)
			if len(meta) != len(cleanMeta) {
				t.Fatalf("%d metadata files, want %d", len(meta), len(cleanMeta))
			}
			for dir, m := range meta {
				cm := cleanMeta[dir]
				if m.ContentHash != cm.ContentHash || m.Counts != cm.Counts || m.WindowCounts != cm.WindowCounts || !reflect.DeepEqual(m.File, cm.File) {
					t.Errorf("%s: content %s %+v %+v %+v, want %s %+v %+v %+v", dir, m.ContentHash, m.Counts, m.WindowCounts, m.File,
						cm.ContentHash, cm.Counts, cm.WindowCounts, cm.File)
				}
				q := m.Requests
				if q.Requests != n0+retries || q.Retries != retries || !maps.Equal(q.Errors, tc.kinds) {
					t.Errorf("%s: requests %d, retries %d, errors %v; want %d, %d, %v", dir, q.Requests, q.Retries, q.Errors, n0+retries, retries, tc.kinds)
				}
				if tc.realClock {
					continue
				}
				wantWaits := int64(len(tc.waits))
				if q.RateLimitWaits != wantWaits || q.RateLimitWait != httpapi.Millis(waited) {
					t.Errorf("%s: rate-limit waits %d (%v), want %d (%v)", dir, q.RateLimitWaits, time.Duration(q.RateLimitWait), wantWaits, waited)
				}
				if wantBackoff := (slept - waited).Truncate(time.Microsecond); q.BackoffWait != httpapi.Millis(wantBackoff) {
					t.Errorf("%s: backoff %v, want %v", dir, time.Duration(q.BackoffWait), wantBackoff)
				}
			}
		})
	}
}

func TestAuthFailureFailsFast(t *testing.T) {
	const bad, good = "1111111111", "2222222222"
	from, to := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		accounts []e2eAccount
		exit     int
	}{
		{
			name:     "only account",
			accounts: []e2eAccount{{ID: bad, Creds: map[string]string{"token": "not-the-token-the-fake-accepts"}}},
			exit:     1,
		},
		{
			name: "beside an account that succeeds",
			accounts: []e2eAccount{
				{ID: bad, Creds: map[string]string{"token": "not-the-token-the-fake-accepts"}},
				{ID: good, Creds: map[string]string{"token": fakeapi.XDefaultToken}},
			},
			exit: 3,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := fakeapi.NewFaults(fakeapi.NewX(fakeapi.Options{Seed: 3, Now: func() time.Time { return now }}), nil)
			srv := fakeapi.StartHandler(t, f)
			st := localStore(t)
			sum := runE2E(t, e2eRun{
				Store: st, Spec: xSpec(t), BaseURL: srv.URL + "/2", Accounts: tc.accounts,
				Range: engine.Range{From: from, To: to}, RunTime: now, Now: now,
			})
			if got := sum.ExitCode(); got != tc.exit {
				t.Errorf("exit code %d, want %d; totals %+v", got, tc.exit, sum.Totals)
			}

			var badReqs []fakeapi.Received
			for _, rq := range f.Requests() {
				if rq.Path == "/2/users/"+bad+"/tweets" {
					badReqs = append(badReqs, rq)
				}
			}
			if len(badReqs) != 1 {
				t.Fatalf("%d requests for the rejected account, want exactly 1", len(badReqs))
			}
			wantErr := "stream tweets: page 1: GET " + srv.URL + "/2/users/" + bad + "/tweets?" + badReqs[0].Query.Encode() +
				`: 401 Unauthorized: "Unauthorized": check credential "token" (bearer auth)`

			wantOutcome := map[string]string{}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				wantOutcome[partitionKey("x", bad, "tweets", d)] = engine.OutcomeFailed
				if len(tc.accounts) > 1 {
					wantOutcome[partitionKey("x", good, "tweets", d)] = engine.OutcomeCommitted
				}
			}
			if got := outcomes(sum); !maps.Equal(got, wantOutcome) {
				t.Errorf("outcomes %v, want %v", got, wantOutcome)
			}
			for _, p := range sum.Partitions {
				if p.Account == bad && (p.Error != wantErr || p.Records != 0 || p.Keys != nil) {
					t.Errorf("%s: error %q, records %d, keys %v; want error %q", p.Partition, p.Error, p.Records, p.Keys, wantErr)
				}
				if p.Account == good && p.Error != "" {
					t.Errorf("%s: error %q", p.Partition, p.Error)
				}
			}
			if keys := append(storeKeys(t, st, "x/"+bad+"/"), storeKeys(t, st, "_sluice/state/x/"+bad+"/")...); len(keys) != 0 {
				t.Errorf("the rejected account left objects: %v", keys)
			}
			if got := storeKeys(t, st, "_sluice/runs/"); !reflect.DeepEqual(got, []string{sum.Key()}) {
				t.Errorf("run summaries %v, want [%s]", got, sum.Key())
			}
		})
	}
}

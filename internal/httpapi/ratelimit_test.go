package httpapi

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// windowCounts returns the most and the fewest events in any half-open 1-second window
// [a, a+1s) that lies within [times[0], times[len-1]]. The extremes are reached by
// windows starting at an event or just after one.
func windowCounts(times []time.Time) (most, fewest int) {
	fewest = math.MaxInt
	count := func(a time.Time) int {
		end := a.Add(time.Second)
		i, _ := slices.BinarySearchFunc(times, a, time.Time.Compare)
		j, _ := slices.BinarySearchFunc(times, end, time.Time.Compare)
		return j - i
	}
	last := times[len(times)-1]
	for _, t := range times {
		most = max(most, count(t))
		if a := t.Add(time.Nanosecond); !a.Add(time.Second).After(last) {
			fewest = min(fewest, count(a))
		}
	}
	return most, fewest
}

func TestLimiterSlidingWindow(t *testing.T) {
	cases := []struct {
		name string
		rl   spec.RateLimit
		rate float64
	}{
		{"1 per second", spec.RateLimit{RequestsPerSecond: 1}, 1},
		{"5 per second", spec.RateLimit{RequestsPerSecond: 5}, 5},
		{"10 per second", spec.RateLimit{RequestsPerSecond: 10}, 10},
		{"50 per second", spec.RateLimit{RequestsPerSecond: 50}, 50},
		{"200 per second", spec.RateLimit{RequestsPerSecond: 200}, 200},
		{"600 per minute (tiktok)", spec.RateLimit{RequestsPerMinute: 600}, 10},
		{"3000 per minute", spec.RateLimit{RequestsPerMinute: 3000}, 50},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock(pipeStart)
			l := NewLimiter(tc.rl, clk)
			// Work is always waiting: one caller asks again as soon as it is let through,
			// for 30 seconds of fake time.
			var times []time.Time
			for clk.Now().Before(pipeStart.Add(30 * time.Second)) {
				if err := l.Wait(context.Background()); err != nil {
					t.Fatal(err)
				}
				times = append(times, clk.Now())
			}
			most, fewest := windowCounts(times)
			if float64(most) > tc.rate*1.05 {
				t.Errorf("a 1s window holds %d requests, more than 105%% of %g", most, tc.rate)
			}
			if float64(fewest) < tc.rate*0.90 {
				t.Errorf("a 1s window holds only %d requests, less than 90%% of %g", fewest, tc.rate)
			}
		})
	}
}

func TestLimiterBurst(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	l := NewLimiter(spec.RateLimit{RequestsPerSecond: 2, Burst: 3}, clk)
	var offsets []time.Duration
	for range 6 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		offsets = append(offsets, clk.Now().Sub(pipeStart))
	}
	want := []time.Duration{0, 0, 0, 500 * time.Millisecond, time.Second, 1500 * time.Millisecond}
	if !slices.Equal(offsets, want) {
		t.Fatalf("request times = %v, want %v", offsets, want)
	}
}

func TestLimiterObserve(t *testing.T) {
	usage := map[string]string{}
	raw, err := os.ReadFile("testdata/facebook_usage_headers.json")
	if err != nil {
		t.Fatal(err)
	}
	gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool { usage[k.String()] = v.String(); return true })

	xRL := spec.RateLimit{RemainingHeader: "x-rate-limit-remaining", ResetHeader: "x-rate-limit-reset"}
	meta := spec.RateLimit{UsageHeaders: []string{"X-App-Usage", "X-Business-Use-Case-Usage"}, MaxWait: spec.Duration(time.Hour)}
	cases := []struct {
		name     string
		rl       spec.RateLimit
		headers  map[string]string
		wantWait time.Duration
		wantErr  string
	}{
		{"remaining above zero", xRL, map[string]string{"x-rate-limit-remaining": "1498", "x-rate-limit-reset": unixAt(900)}, 0, ""},
		{"remaining zero, reset epoch", xRL, map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": unixAt(42)}, 42 * time.Second, ""},
		{"remaining zero, reset in the past", xRL, map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": unixAt(-5)}, 0, ""},
		{"remaining zero, reset seconds (reddit float)",
			spec.RateLimit{RemainingHeader: "x-ratelimit-remaining", ResetHeader: "x-ratelimit-reset", ResetFormat: ResetSeconds},
			map[string]string{"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "37"}, 37 * time.Second, ""},
		{"remaining zero, reset iso8601 (mastodon)",
			spec.RateLimit{RemainingHeader: "X-RateLimit-Remaining", ResetHeader: "X-RateLimit-Reset", ResetFormat: ResetISO8601},
			map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2024-01-15T10:35:00.000Z"}, 5 * time.Minute, ""},
		{"remaining zero, reset http date",
			spec.RateLimit{RemainingHeader: "RateLimit-Remaining", ResetHeader: "RateLimit-Reset", ResetFormat: ResetHTTPDate},
			map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": "Mon, 15 Jan 2024 10:31:30 GMT"}, 90 * time.Second, ""},
		{"remaining zero, reset beyond max_wait", xRL, map[string]string{"x-rate-limit-remaining": "0", "x-rate-limit-reset": unixAt(7200)}, 0,
			"the API asked to wait 2h0m0s (x-rate-limit-remaining is 0 until 2024-01-15T12:30:00Z), more than max_wait 15m0s; raise rate_limit.max_wait or retry later"},
		{"meta usage below threshold", meta, map[string]string{"X-App-Usage": usage["X-App-Usage"], "X-Business-Use-Case-Usage": usage["X-Business-Use-Case-Usage"]}, 0, ""},
		{"meta BUC at 95% with regain time in minutes", meta, map[string]string{"X-Business-Use-Case-Usage": usage["X-Business-Use-Case-Usage_instagram_example"]}, 19 * time.Minute, ""},
		{"meta app usage at 95% without regain time", meta, map[string]string{"X-App-Usage": `{"call_count":95,"total_cputime":15,"total_time":12}`}, time.Minute, ""},
		{"custom threshold", spec.RateLimit{UsageHeaders: meta.UsageHeaders, UsageThreshold: 50, MaxWait: spec.Duration(time.Hour)},
			map[string]string{"X-App-Usage": `{"call_count":16,"total_cputime":55,"total_time":12}`}, time.Minute, ""},
		{"usage header that is not JSON", meta, map[string]string{"X-App-Usage": "95"}, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock(pipeStart)
			l := NewLimiter(tc.rl, clk)
			h := http.Header{}
			for k, v := range tc.headers {
				h.Set(k, v)
			}
			l.Observe(h, clk.Now())
			err := l.Wait(context.Background())
			if tc.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || e.Hint != tc.wantErr || !errors.Is(err, ErrWaitTooLong) || e.Wait != 2*time.Hour {
					t.Fatalf("error = %#v\nwant hint %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := clk.Slept(); got != tc.wantWait {
				t.Fatalf("waited %v, want %v", got, tc.wantWait)
			}
		})
	}
}

func unixAt(offsetSeconds int64) string {
	return strconv.FormatInt(pipeStart.Unix()+offsetSeconds, 10)
}

// cancelInSleep is a fake clock whose Sleep behaves as if the caller's context ended
// while sleeping.
type cancelInSleep struct{ *FakeClock }

func (c cancelInSleep) Sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		return context.Canceled
	}
	return c.FakeClock.Sleep(ctx, d)
}

func TestLimiterCanceled(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	l := NewLimiter(spec.RateLimit{RequestsPerSecond: 1}, clk)
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on a done context = %v, want context.Canceled", err)
	}
	// A caller cancelled while waiting for its slot gives the slot back: the next
	// request goes one interval after the first, not two.
	l.clock = cancelInSleep{clk}
	if err := l.Wait(context.Background()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait cancelled in sleep = %v, want context.Canceled", err)
	}
	l.clock = clk
	if err := l.Wait(context.Background()); err != nil || clk.Slept() != time.Second {
		t.Fatalf("Wait = %v after %v, want nil after 1s", err, clk.Slept())
	}
}

// TestClientPacedByLimiter drives a loopback server through the Client with a fake
// clock and checks the pacing the server observes.
func TestClientPacedByLimiter(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	var mu sync.Mutex
	var seen []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, clk.Now())
		mu.Unlock()
		_, _ = w.Write([]byte(pipeOK))
	}))
	defer srv.Close()
	c := newPipeClient(t, Config{Clock: clk, Limiter: NewLimiter(spec.RateLimit{RequestsPerSecond: 50}, clk)})
	for range 200 {
		if _, err := c.Do(context.Background(), &Request{URL: srv.URL}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(seen); i++ {
		if d := seen[i].Sub(seen[i-1]); d != 20*time.Millisecond {
			t.Fatalf("request %d came %v after the previous, want 20ms", i, d)
		}
	}
	if most, fewest := windowCounts(seen); most != 50 || fewest != 50 {
		t.Fatalf("1s windows hold %d..%d requests, want exactly 50", fewest, most)
	}
	if s := c.Stats().Snapshot(); s.RateLimitWaits != 199 || time.Duration(s.RateLimitWait) != 199*20*time.Millisecond {
		t.Fatalf("stats waits = %d totalling %v, want 199 totalling 3.98s", s.RateLimitWaits, time.Duration(s.RateLimitWait))
	}
}

// BenchmarkLimiterLoopback sends requests through the Client to a loopback server at
// 200 requests per second for about two seconds per iteration, from 8 workers, and
// reports the achieved rate as a fraction of the configured one.
func BenchmarkLimiterLoopback(b *testing.B) {
	const rate = 200.0
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(pipeOK))
	}))
	defer srv.Close()
	var ratio float64
	for range b.N {
		c, err := NewClient(Config{Limiter: NewLimiter(spec.RateLimit{RequestsPerSecond: rate}, nil)})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		var done atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for {
					if _, err := c.Do(ctx, &Request{URL: srv.URL}); err != nil {
						return
					}
					done.Add(1)
				}
			})
		}
		wg.Wait()
		cancel()
		ratio = float64(done.Load()) / time.Since(start).Seconds() / rate
	}
	b.ReportMetric(ratio, "achieved/configured")
	b.ReportMetric(float64(served.Load())/float64(b.N), "requests/op")
}

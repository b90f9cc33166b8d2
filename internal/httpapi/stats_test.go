package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

func TestStatsSnapshotJSON(t *testing.T) {
	var s Stats
	rec := newRecorder(context.Background(), &s)
	for i := 1; i <= 100; i++ {
		rec.request()
		rec.response(time.Duration(i)*time.Millisecond, 10)
	}
	rec.retry()
	rec.failure(KindRateLimited)
	rec.failure(KindRateLimited)
	rec.failure(KindNetwork)
	rec.wait(3*time.Second, true)
	rec.wait(1500*time.Microsecond, false)
	rec.wait(0, true) // not a wait
	rec.headers(map[string]string{"X-Rate-Limit-Remaining": "0"})
	got, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"requests":100,"retries":1,"errors":{"network":1,"rate_limited":2},"rate_limit_waits":1,"rate_limit_wait_ms":3000,` +
		`"backoff_wait_ms":1.5,"bytes_received":1000,"rate_limit_headers":{"X-Rate-Limit-Remaining":"0"},` +
		`"response_time_p50_ms":53.817,"response_time_p95_ms":98.701,"response_time_max_ms":100}`
	if string(got) != want {
		t.Fatalf("snapshot JSON\n got %s\nwant %s", got, want)
	}
	var back StatsSnapshot
	if err := json.Unmarshal(got, &back); err != nil || time.Duration(back.BackoffWait) != 1500*time.Microsecond {
		t.Fatalf("round trip: %v, backoff %v", err, time.Duration(back.BackoffWait))
	}
}

func TestStatsMerge(t *testing.T) {
	var a, b Stats
	newRecorder(context.Background(), &a).response(10*time.Millisecond, 5)
	rb := newRecorder(context.Background(), &b)
	rb.request()
	rb.response(2*time.Second, 7)
	rb.failure(KindAuth)
	rb.headers(map[string]string{"Retry-After": "3"})
	a.Merge(&b)
	a.Merge(&a) // no-op
	a.Merge(nil)
	s := a.Snapshot()
	if s.Requests != 1 || s.BytesReceived != 12 || s.Errors[KindAuth] != 1 || s.RateLimitHeaders["Retry-After"] != "3" ||
		time.Duration(s.ResponseTimeMax) != 2*time.Second || time.Duration(s.ResponseTimeP50).Round(time.Microsecond) != 10375*time.Microsecond {
		t.Fatalf("merged snapshot = %+v", s)
	}
}

func TestStatsConcurrent(t *testing.T) {
	var total, part Stats
	ctx := WithStats(context.Background(), &part)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			rec := newRecorder(ctx, &total)
			for range 1000 {
				rec.request()
			}
		})
	}
	wg.Wait()
	if total.Snapshot().Requests != 8000 || part.Snapshot().Requests != 8000 {
		t.Fatalf("requests total %d part %d, want 8000 each", total.Snapshot().Requests, part.Snapshot().Requests)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	cases := []struct {
		name string
		add  []time.Duration
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"zero durations (fake clock)", []time.Duration{0, 0}, 0.95, 0},
		{"single", []time.Duration{250 * time.Millisecond}, 0.5, 250 * time.Millisecond},
		{"upper bound of the bucket", []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}, 0.5, 20749 * time.Microsecond},
		{"beyond the last bucket", []time.Duration{100 * time.Hour, time.Millisecond}, 0.95, 100 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram
			for _, d := range tc.add {
				h.add(d)
			}
			if got := h.quantile(tc.q).Round(time.Microsecond); got != tc.want {
				t.Fatalf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

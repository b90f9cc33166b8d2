package httpapi

import (
	"testing"
	"time"
)

func TestRetryPolicyCeiling(t *testing.T) {
	cases := []struct {
		name    string
		p       RetryPolicy
		attempt int
		want    time.Duration
	}{
		{"default first", RetryPolicy{}, 1, 500 * time.Millisecond},
		{"default third", RetryPolicy{}, 3, 2 * time.Second},
		{"default capped", RetryPolicy{}, 10, 30 * time.Second},
		{"custom", RetryPolicy{Initial: time.Second, Max: 5 * time.Second}, 4, 5 * time.Second},
		{"max below initial", RetryPolicy{Initial: time.Second, Max: time.Millisecond}, 3, time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.withDefaults().ceiling(tc.attempt); got != tc.want {
				t.Fatalf("ceiling(%d) = %v, want %v", tc.attempt, got, tc.want)
			}
		})
	}
	if p := (RetryPolicy{}).withDefaults(); p.MaxAttempts != 6 {
		t.Fatalf("default MaxAttempts = %d, want 6", p.MaxAttempts)
	}
}

func TestBackoffFullJitter(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	j := newJitter(nil, 42)
	var sum time.Duration
	const n = 2000
	for range n {
		d := j.backoff(p, 2)
		if d < 0 || d > time.Second {
			t.Fatalf("backoff %v outside [0, 1s]", d)
		}
		sum += d
	}
	// Full jitter is uniform over [0, ceiling]: the mean of 2000 draws is near 500ms.
	if mean := sum / n; mean < 450*time.Millisecond || mean > 550*time.Millisecond {
		t.Fatalf("mean backoff %v, want about 500ms", mean)
	}
	a, b := newJitter(nil, 9), newJitter(nil, 9)
	if a.backoff(p, 3) != b.backoff(p, 3) {
		t.Fatal("same seed, different draws")
	}
}

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Mon, 15 Jan 2024 10:30:45 GMT", 45 * time.Second, true},
		{"Monday, 15-Jan-24 10:31:00 GMT", time.Minute, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := retryAfter(tc.in, pipeStart)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestParseReset(t *testing.T) {
	cases := []struct {
		name, in, format string
		want             time.Time
		wantOK           bool
	}{
		{"unix default", "1705314660", "", time.Date(2024, 1, 15, 10, 31, 0, 0, time.UTC), true},
		{"unix fractional", "1705314660.5", ResetUnix, time.Date(2024, 1, 15, 10, 31, 0, 5e8, time.UTC), true},
		{"seconds", "90", ResetSeconds, pipeStart.Add(90 * time.Second), true},
		{"iso8601 with offset", "2024-01-15T02:35:00-08:00", ResetISO8601, time.Date(2024, 1, 15, 10, 35, 0, 0, time.UTC), true},
		{"http date", "Mon, 15 Jan 2024 11:00:00 GMT", ResetHTTPDate, time.Date(2024, 1, 15, 11, 0, 0, 0, time.UTC), true},
		{"garbage", "later", ResetUnix, time.Time{}, false},
		{"unknown format", "1", "fortnights", time.Time{}, false},
		{"empty", "", "", time.Time{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseReset(tc.in, tc.format, pipeStart)
			if !got.Equal(tc.want) || ok != tc.wantOK || (ok && got.Location() != time.UTC) {
				t.Fatalf("parseReset(%q, %q) = %v, %v; want %v, %v", tc.in, tc.format, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

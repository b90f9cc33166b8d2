package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// Rate limit defaults.
const (
	DefaultMaxWait        = 15 * time.Minute
	DefaultUsageThreshold = 90.0
	// usageBackoff is the pause when a usage header crosses the threshold without saying
	// when access returns.
	usageBackoff = time.Minute
)

// Limiter paces the requests of one source: a token bucket (GCRA: requests are spaced
// 1/rate apart, with Burst allowed at once after a pause) plus pauses the API asks for
// through its response headers (see Observe). One Limiter is shared by every Client of
// a source; it is safe for concurrent use.
type Limiter struct {
	clock     Clock
	rl        spec.RateLimit
	interval  time.Duration // 0: no pacing
	tau       time.Duration // (burst-1)·interval
	maxWait   time.Duration
	threshold float64

	mu          sync.Mutex
	tat         time.Time // theoretical arrival time of the next request
	pausedUntil time.Time
	pauseReason string
}

// NewLimiter returns a limiter for rl: RequestsPerSecond (else RequestsPerMinute/60;
// both zero: no pacing), Burst (default 1), MaxWait (default 15m), UsageThreshold
// (default 90). A nil clock is the system clock.
func NewLimiter(rl spec.RateLimit, clock Clock) *Limiter {
	if clock == nil {
		clock = SystemClock()
	}
	l := &Limiter{clock: clock, rl: rl, maxWait: rl.MaxWait.Std(), threshold: rl.UsageThreshold}
	if l.maxWait <= 0 {
		l.maxWait = DefaultMaxWait
	}
	if l.threshold <= 0 {
		l.threshold = DefaultUsageThreshold
	}
	rps := rl.RequestsPerSecond
	if rps <= 0 {
		rps = rl.RequestsPerMinute / 60
	}
	if rps > 0 {
		l.interval = time.Duration(float64(time.Second) / rps)
		l.tau = time.Duration(max(rl.Burst, 1)-1) * l.interval
	}
	return l
}

// MaxWait is the longest single wait the limiter (and the Clients using it) accept.
func (l *Limiter) MaxWait() time.Duration { return l.maxWait }

// Wait blocks until the next request may go: first through any pause the API asked for,
// then through the token bucket. It returns context.Cause(ctx) if ctx ends first, and an
// *Error of kind rate_limited wrapping ErrWaitTooLong if a pause is longer than MaxWait.
func (l *Limiter) Wait(ctx context.Context) error {
	_, err := l.wait(ctx)
	return err
}

// wait is Wait that also reports how long it slept.
func (l *Limiter) wait(ctx context.Context) (time.Duration, error) {
	var waited time.Duration
	for {
		if err := ctxErr(ctx); err != nil {
			return waited, err
		}
		l.mu.Lock()
		now := l.clock.Now()
		if now.Before(l.pausedUntil) {
			d, reason := l.pausedUntil.Sub(now), l.pauseReason
			l.mu.Unlock()
			if d > l.maxWait {
				return waited, waitTooLong(d, l.maxWait, reason)
			}
			if err := l.clock.Sleep(ctx, d); err != nil {
				return waited, err
			}
			waited += d
			continue
		}
		if l.interval == 0 {
			l.mu.Unlock()
			return waited, nil
		}
		slot := later(now, l.tat.Add(-l.tau))
		l.tat = later(l.tat, slot).Add(l.interval)
		mine := l.tat
		l.mu.Unlock()
		d := slot.Sub(now)
		if err := l.clock.Sleep(ctx, d); err != nil {
			l.refund(mine)
			return waited, err
		}
		return waited + d, nil
	}
}

// refund gives back a reserved slot nobody used, if no later reservation depends on it.
func (l *Limiter) refund(tat time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat.Equal(tat) {
		l.tat = tat.Add(-l.interval)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Observe reads the rate-limit headers of a response received at now. When the
// remaining header reads 0, every request waits until the reset header's time. When a
// usage header holds a percentage at or above the threshold, requests wait until the
// header's estimated_time_to_regain_access (minutes) or reset_time_in_seconds, else
// for a minute.
func (l *Limiter) Observe(h http.Header, now time.Time) {
	if l.rl.RemainingHeader != "" {
		if v := strings.TrimSpace(h.Get(l.rl.RemainingHeader)); v != "" {
			if n, err := strconv.ParseFloat(v, 64); err == nil && n <= 0 {
				if until, ok := parseReset(h.Get(l.rl.ResetHeader), l.rl.ResetFormat, now); ok && until.After(now) {
					l.pause(until, l.rl.RemainingHeader+" is 0 until "+until.Format(time.RFC3339))
				}
			}
		}
	}
	for _, name := range l.rl.UsageHeaders {
		v := h.Get(name)
		if !gjson.Valid(v) || !gjson.Parse(v).IsObject() {
			continue
		}
		pct, regain := usage(gjson.Parse(v))
		if pct < l.threshold {
			continue
		}
		if regain <= 0 {
			regain = usageBackoff
		}
		l.pause(now.Add(regain), name+" at "+strconv.FormatFloat(pct, 'f', -1, 64)+"%")
	}
}

// PausedUntil returns the time until which requests are held, or the zero time.
func (l *Limiter) PausedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pausedUntil
}

func (l *Limiter) pause(until time.Time, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.pausedUntil) {
		l.pausedUntil, l.pauseReason = until, reason
	}
}

// usage walks a usage header's JSON and returns the highest percentage and the longest
// time to regain access it names.
func usage(r gjson.Result) (pct float64, regain time.Duration) {
	r.ForEach(func(key, val gjson.Result) bool {
		switch {
		case val.IsObject() || val.IsArray():
			p, g := usage(val)
			pct, regain = max(pct, p), max(regain, g)
		case val.Type != gjson.Number:
		case key.String() == "estimated_time_to_regain_access":
			regain = max(regain, time.Duration(val.Float()*float64(time.Minute)))
		case key.String() == "reset_time_in_seconds":
			regain = max(regain, time.Duration(val.Float()*float64(time.Second)))
		default:
			pct = max(pct, val.Float())
		}
		return true
	})
	return pct, regain
}

// Reset header formats (spec.RateLimit.ResetFormat).
const (
	ResetUnix     = "unix"      // epoch seconds (default)
	ResetSeconds  = "seconds"   // a delay in seconds
	ResetISO8601  = "iso8601"   // 2024-01-15T10:35:00.000Z
	ResetHTTPDate = "http_date" // Mon, 15 Jan 2024 10:35:00 GMT
)

// parseReset reads a reset header value in the given format into an instant.
func parseReset(v, format string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	switch format {
	case "", ResetUnix, ResetSeconds:
		s, err := strconv.ParseFloat(v, 64)
		if err != nil || s < 0 {
			return time.Time{}, false
		}
		d := time.Duration(s * float64(time.Second))
		if format == ResetSeconds {
			return now.Add(d), true
		}
		return time.Unix(0, 0).UTC().Add(d), true
	case ResetISO8601:
		t, err := time.Parse(time.RFC3339Nano, v)
		return t.UTC(), err == nil
	case ResetHTTPDate:
		t, err := http.ParseTime(v)
		return t.UTC(), err == nil
	}
	return time.Time{}, false
}

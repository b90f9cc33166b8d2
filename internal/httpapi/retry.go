package httpapi

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy says how often and how patiently a request is retried. Zero fields take
// the defaults: 6 attempts, backoff from 500ms doubling up to 30s, with full jitter.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included. 1 disables retries.
	MaxAttempts int
	// Initial is the backoff ceiling before the second attempt.
	Initial time.Duration
	// Max caps the backoff ceiling.
	Max time.Duration
}

// Retry policy defaults.
const (
	DefaultMaxAttempts = 6
	DefaultInitial     = 500 * time.Millisecond
	DefaultMaxBackoff  = 30 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.Initial <= 0 {
		p.Initial = DefaultInitial
	}
	if p.Max <= 0 {
		p.Max = DefaultMaxBackoff
	}
	if p.Max < p.Initial {
		p.Max = p.Initial
	}
	return p
}

// ceiling is the backoff ceiling after the given failed attempt (1-based):
// Initial·2^(attempt-1), capped at Max.
func (p RetryPolicy) ceiling(attempt int) time.Duration {
	d := p.Initial
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// jitter draws full-jitter backoffs from a seeded source; safe for concurrent use.
type jitter struct {
	mu sync.Mutex
	r  *rand.Rand
}

func newJitter(r *rand.Rand, seed uint64) *jitter {
	if r == nil {
		if seed == 0 {
			seed = rand.Uint64()
		}
		r = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return &jitter{r: r}
}

// backoff returns a uniformly random wait in [0, ceiling] ("full jitter").
func (j *jitter) backoff(p RetryPolicy, attempt int) time.Duration {
	c := p.ceiling(attempt)
	j.mu.Lock()
	defer j.mu.Unlock()
	return time.Duration(j.r.Int64N(int64(c) + 1))
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// waitTooLong builds the error for a wait beyond the cap; reason, if not empty, says
// where the wait came from.
func waitTooLong(asked, limit time.Duration, reason string) *Error {
	if reason != "" {
		reason = " (" + reason + ")"
	}
	return &Error{
		Kind: KindRateLimited,
		Wait: asked,
		Hint: "the API asked to wait " + asked.Round(time.Second).String() + reason +
			", more than max_wait " + limit.String() + "; raise rate_limit.max_wait or retry later",
		Err: ErrWaitTooLong,
	}
}

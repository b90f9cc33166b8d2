package httpapi

import (
	"context"
	"maps"
	"math"
	"strconv"
	"sync"
	"time"
)

// Stats counts what the pipeline did: requests sent, retries, errors by kind, waits,
// bytes and response times. A Client records into its own total and into the Stats
// carried by the request's context (WithStats), so a caller can attribute work to one
// partition. The zero value is ready; it is safe for concurrent use.
type Stats struct {
	mu             sync.Mutex
	requests       int64
	retries        int64
	bytes          int64
	errors         map[ErrorKind]int64
	rateLimitWaits int64
	rateLimitWait  time.Duration
	backoffWait    time.Duration
	headers        map[string]string
	times          histogram
}

// StatsSnapshot is a point-in-time copy of Stats, ready for JSON.
type StatsSnapshot struct {
	// Requests is the number of HTTP attempts sent (retries included).
	Requests int64 `json:"requests"`
	// Retries is the number of attempts after the first, over all requests.
	Retries int64 `json:"retries"`
	// Errors counts failed attempts by kind.
	Errors map[ErrorKind]int64 `json:"errors,omitempty"`
	// RateLimitWaits counts waits for pacing, API-requested pauses and rate-limited retries.
	RateLimitWaits int64 `json:"rate_limit_waits"`
	// RateLimitWait is the total time of those waits.
	RateLimitWait Millis `json:"rate_limit_wait_ms"`
	// BackoffWait is the total backoff before retries of transient failures.
	BackoffWait Millis `json:"backoff_wait_ms"`
	// BytesReceived is the total size of response bodies.
	BytesReceived int64 `json:"bytes_received"`
	// RateLimitHeaders are the last values seen of the rate-limit headers (remaining,
	// reset, usage, Retry-After), by header name.
	RateLimitHeaders map[string]string `json:"rate_limit_headers,omitempty"`
	// ResponseTimeP50, P95 and Max describe attempt durations (percentiles within ~9%).
	ResponseTimeP50 Millis `json:"response_time_p50_ms"`
	ResponseTimeP95 Millis `json:"response_time_p95_ms"`
	ResponseTimeMax Millis `json:"response_time_max_ms"`
}

// Millis is a duration written in JSON as milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration as a number of milliseconds (microsecond precision).
func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Duration(m).Microseconds())/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of milliseconds.
func (m *Millis) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*m = Millis(math.Round(f * float64(time.Millisecond)))
	return nil
}

type statsKey struct{}

// WithStats returns a context whose requests are also recorded into s.
func WithStats(ctx context.Context, s *Stats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

// StatsFrom returns the Stats set by WithStats, or nil.
func StatsFrom(ctx context.Context) *Stats {
	s, _ := ctx.Value(statsKey{}).(*Stats)
	return s
}

// Snapshot returns a copy of the counters.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := StatsSnapshot{
		Requests:        s.requests,
		Retries:         s.retries,
		RateLimitWaits:  s.rateLimitWaits,
		RateLimitWait:   Millis(s.rateLimitWait),
		BackoffWait:     Millis(s.backoffWait),
		BytesReceived:   s.bytes,
		ResponseTimeP50: Millis(s.times.quantile(0.50)),
		ResponseTimeP95: Millis(s.times.quantile(0.95)),
		ResponseTimeMax: Millis(s.times.max),
	}
	if len(s.errors) > 0 {
		snap.Errors = maps.Clone(s.errors)
	}
	if len(s.headers) > 0 {
		snap.RateLimitHeaders = maps.Clone(s.headers)
	}
	return snap
}

// Merge adds o's counters into s; o's rate-limit headers replace s's of the same name.
func (s *Stats) Merge(o *Stats) {
	if o == nil || o == s {
		return
	}
	o.mu.Lock()
	c := &Stats{requests: o.requests, retries: o.retries, bytes: o.bytes, rateLimitWaits: o.rateLimitWaits,
		rateLimitWait: o.rateLimitWait, backoffWait: o.backoffWait, times: o.times,
		errors: maps.Clone(o.errors), headers: maps.Clone(o.headers)}
	o.mu.Unlock()
	s.update(func(s *Stats) {
		s.requests += c.requests
		s.retries += c.retries
		s.bytes += c.bytes
		s.rateLimitWaits += c.rateLimitWaits
		s.rateLimitWait += c.rateLimitWait
		s.backoffWait += c.backoffWait
		s.times.merge(&c.times)
		for k, n := range c.errors {
			s.addError(k, n)
		}
		for k, v := range c.headers {
			s.setHeader(k, v)
		}
	})
}

func (s *Stats) update(f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *Stats) addError(k ErrorKind, n int64) {
	if s.errors == nil {
		s.errors = map[ErrorKind]int64{}
	}
	s.errors[k] += n
}

func (s *Stats) setHeader(k, v string) {
	if s.headers == nil {
		s.headers = map[string]string{}
	}
	s.headers[k] = v
}

// recorder applies one update to a client total and a per-call collector.
type recorder []*Stats

func newRecorder(ctx context.Context, total *Stats) recorder {
	if c := StatsFrom(ctx); c != nil && c != total {
		return recorder{total, c}
	}
	return recorder{total}
}

func (r recorder) do(f func(*Stats)) {
	for _, s := range r {
		s.update(f)
	}
}

func (r recorder) request() { r.do(func(s *Stats) { s.requests++ }) }
func (r recorder) retry()   { r.do(func(s *Stats) { s.retries++ }) }

func (r recorder) response(d time.Duration, bytes int) {
	r.do(func(s *Stats) { s.bytes += int64(bytes); s.times.add(d) })
}

func (r recorder) failure(k ErrorKind) { r.do(func(s *Stats) { s.addError(k, 1) }) }

func (r recorder) wait(d time.Duration, rateLimited bool) {
	if d <= 0 {
		return
	}
	r.do(func(s *Stats) {
		if rateLimited {
			s.rateLimitWaits++
			s.rateLimitWait += d
		} else {
			s.backoffWait += d
		}
	})
}

func (r recorder) headers(h map[string]string) {
	if len(h) == 0 {
		return
	}
	r.do(func(s *Stats) {
		for k, v := range h {
			s.setHeader(k, v)
		}
	})
}

// histogram keeps attempt durations in exponential buckets: 8 per doubling from 1ms,
// so a percentile is exact to within 9% (and never above the true maximum), in constant
// memory, and two histograms merge exactly.
type histogram struct {
	counts [histBuckets]int64
	n      int64
	max    time.Duration
}

const (
	histBuckets = 200 // 1ms·2^(199/8) ≈ 9.5h; longer durations share the last bucket
	histPerOct  = 8
)

func histBucket(d time.Duration) int {
	if d <= time.Millisecond {
		return 0
	}
	i := int(math.Ceil(histPerOct * math.Log2(float64(d)/float64(time.Millisecond))))
	return min(i, histBuckets-1)
}

func histUpper(i int) time.Duration {
	return time.Duration(float64(time.Millisecond) * math.Exp2(float64(i)/histPerOct))
}

func (h *histogram) add(d time.Duration) {
	h.counts[histBucket(d)]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the upper bound of the bucket holding the q-quantile, capped at max.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			if i == histBuckets-1 {
				return h.max
			}
			return min(histUpper(i), h.max)
		}
	}
	return h.max
}

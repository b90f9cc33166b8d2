package httpapi

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

// pipeStart is the fake clock's start in every pipeline test.
var pipeStart = time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)

// pipeStep answers one request of a scripted server.
type pipeStep func(clk *FakeClock, w http.ResponseWriter, r *http.Request)

// pipeServer serves steps in order (the last one repeats) and counts requests.
type pipeServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newPipeServer(t *testing.T, clk *FakeClock, steps ...pipeStep) *pipeServer {
	t.Helper()
	s := &pipeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.hits.Add(1))
		steps[min(n, len(steps))-1](clk, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// reply returns a step writing status, headers (name, value pairs) and body.
func pipeReply(status int, body string, headers ...string) pipeStep {
	return func(_ *FakeClock, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// pipeResetMidBody promises 100 bytes, sends a few, then resets the connection.
func pipeResetMidBody(_ *FakeClock, w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"data\":[")
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST
	}
	_ = conn.Close()
}

// pipeHangPastTimeout moves the fake clock past the attempt timeout and holds the request
// until the client gives up on it.
func pipeHangPastTimeout(clk *FakeClock, _ http.ResponseWriter, r *http.Request) {
	clk.Advance(31 * time.Second)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second): // a safety net; the test fails on the extra attempt
	}
}

func newPipeClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// pipeBackoffs returns the jitter draws a client seeded with seed makes for the given
// failed attempts.
func pipeBackoffs(seed uint64, p RetryPolicy, attempts ...int) []time.Duration {
	j := newJitter(nil, seed)
	var out []time.Duration
	for _, a := range attempts {
		out = append(out, j.backoff(p.withDefaults(), a))
	}
	return out
}

const pipeOK = `{"data":[{"id":"1"}]}`

func TestClientRetries(t *testing.T) {
	xRL := spec.RateLimit{RemainingHeader: "x-rate-limit-remaining", ResetHeader: "x-rate-limit-reset", MaxWait: spec.Duration(15 * time.Minute)}
	tooMany := `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`
	cases := []struct {
		name       string
		spec       spec.Spec
		limiter    bool
		steps      []pipeStep
		wantHits   int64
		wantSleeps []time.Duration
		wantErr    string // with {url} for the server URL; "" means success with pipeOK
		wantKind   ErrorKind
		wantStats  map[ErrorKind]int64
	}{
		{
			name:       "x 429 with Retry-After seconds waits exactly 3s",
			steps:      []pipeStep{pipeReply(429, tooMany, "Retry-After", "3"), pipeReply(200, pipeOK)},
			wantHits:   2,
			wantSleeps: []time.Duration{3 * time.Second},
			wantStats:  map[ErrorKind]int64{KindRateLimited: 1},
		},
		{
			name:       "429 with HTTP-date Retry-After",
			steps:      []pipeStep{pipeReply(429, tooMany, "Retry-After", pipeStart.Add(7*time.Second).Format(http.TimeFormat)), pipeReply(200, pipeOK)},
			wantHits:   2,
			wantSleeps: []time.Duration{7 * time.Second},
			wantStats:  map[ErrorKind]int64{KindRateLimited: 1},
		},
		{
			name: "429 with x-rate-limit-reset epoch, shared limiter adds no second wait",
			spec: spec.Spec{RateLimit: xRL}, limiter: true,
			steps: []pipeStep{
				pipeReply(429, tooMany, "x-rate-limit-remaining", "0", "x-rate-limit-reset", strconv.FormatInt(pipeStart.Add(5*time.Second).Unix(), 10)),
				pipeReply(200, pipeOK, "x-rate-limit-remaining", "1499"),
			},
			wantHits:   2,
			wantSleeps: []time.Duration{5 * time.Second},
			wantStats:  map[ErrorKind]int64{KindRateLimited: 1},
		},
		{
			name:       "503 twice then 200",
			steps:      []pipeStep{pipeReply(503, `{"message":"try later"}`), pipeReply(503, `{"message":"try later"}`), pipeReply(200, pipeOK)},
			wantHits:   3,
			wantSleeps: pipeBackoffs(7, RetryPolicy{}, 1, 2),
			wantStats:  map[ErrorKind]int64{KindTransient: 2},
		},
		{
			name:       "connection reset mid-body then success",
			steps:      []pipeStep{pipeResetMidBody, pipeReply(200, pipeOK)},
			wantHits:   2,
			wantSleeps: pipeBackoffs(7, RetryPolicy{}, 1),
			wantStats:  map[ErrorKind]int64{KindNetwork: 1},
		},
		{
			name:       "truncated JSON then success",
			steps:      []pipeStep{pipeReply(200, `{"data":[{"id":"1"`), pipeReply(200, pipeOK)},
			wantHits:   2,
			wantSleeps: pipeBackoffs(7, RetryPolicy{}, 1),
			wantStats:  map[ErrorKind]int64{KindDecode: 1},
		},
		{
			name:       "per-attempt timeout then success",
			steps:      []pipeStep{pipeHangPastTimeout, pipeReply(200, pipeOK)},
			wantHits:   2,
			wantSleeps: pipeBackoffs(7, RetryPolicy{}, 1),
			wantStats:  map[ErrorKind]int64{KindNetwork: 1},
		},
		{
			name:      "401 fails after one attempt with the credential hint",
			spec:      spec.Spec{Auth: spec.Auth{Type: spec.AuthBearer}},
			steps:     []pipeStep{pipeReply(401, `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`)},
			wantHits:  1,
			wantErr:   `GET {url}/2/users/42/tweets: 401 Unauthorized: "Unauthorized": check credential "token" (bearer auth)`,
			wantKind:  KindAuth,
			wantStats: map[ErrorKind]int64{KindAuth: 1},
		},
		{
			name:      "wait over max_wait fails with the wait asked for",
			spec:      spec.Spec{RateLimit: xRL},
			steps:     []pipeStep{pipeReply(429, tooMany, "Retry-After", "7200")},
			wantHits:  1,
			wantErr:   `GET {url}/2/users/42/tweets: 429 Too Many Requests: "Too Many Requests": the API asked to wait 2h0m0s, more than max_wait 15m0s; raise rate_limit.max_wait or retry later`,
			wantKind:  KindRateLimited,
			wantStats: map[ErrorKind]int64{KindRateLimited: 1},
		},
		{
			name:       "retries end after MaxAttempts",
			steps:      []pipeStep{pipeReply(502, `<html>bad gateway</html>`)},
			wantHits:   6,
			wantSleeps: pipeBackoffs(7, RetryPolicy{}, 1, 2, 3, 4, 5),
			wantErr:    `GET {url}/2/users/42/tweets: 502 Bad Gateway (after 6 attempts)`,
			wantKind:   KindTransient,
			wantStats:  map[ErrorKind]int64{KindTransient: 6},
		},
		{
			name: "meta throttling code 4 in a 400 waits the rule's time",
			spec: spec.Spec{Errors: []spec.ErrorRule{{Status: []int{400}, Path: "error.code", In: []string{"4", "17", "32", "613"}, Action: spec.ActionRateLimited, Wait: spec.Duration(time.Minute)}}},
			steps: []pipeStep{
				pipeReply(400, `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4}}`),
				pipeReply(200, pipeOK),
			},
			wantHits:   2,
			wantSleeps: []time.Duration{time.Minute},
			wantStats:  map[ErrorKind]int64{KindRateLimited: 1},
		},
		{
			name:      "tiktok 200 with an error code fails at once",
			spec:      spec.Spec{Errors: []spec.ErrorRule{{Path: "error.code", NotIn: []string{"ok"}, Action: spec.ActionFail}}},
			steps:     []pipeStep{pipeReply(200, `{"data":{},"error":{"code":"scope_not_authorized","message":"The user did not authorize the scope required for completing this request."}}`)},
			wantHits:  1,
			wantErr:   `GET {url}/2/users/42/tweets: 200 OK: "The user did not authorize the scope required for completing this request."`,
			wantKind:  KindPermanent,
			wantStats: map[ErrorKind]int64{KindPermanent: 1},
		},
		{
			name:      "skip rule returns a skip error",
			spec:      spec.Spec{Errors: []spec.ErrorRule{{Status: []int{404}, Action: spec.ActionSkip}}},
			steps:     []pipeStep{pipeReply(404, `{"error":"Record not found"}`)},
			wantHits:  1,
			wantErr:   `GET {url}/2/users/42/tweets: 404 Not Found: "Record not found"`,
			wantKind:  KindSkip,
			wantStats: map[ErrorKind]int64{KindSkip: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock(pipeStart)
			srv := newPipeServer(t, clk, tc.steps...)
			cfg := Config{Spec: &tc.spec, Clock: clk, Timeout: 30 * time.Second, Credentials: map[string]string{"token": "tok-fake-0001"}}
			if tc.limiter {
				cfg.Limiter = NewLimiter(tc.spec.RateLimit, clk)
			}
			c := newPipeClient(t, cfg)
			resp, err := c.Do(context.Background(), &Request{Method: "GET", URL: srv.URL + "/2/users/42/tweets"})
			if got := srv.hits.Load(); got != tc.wantHits {
				t.Errorf("server hits = %d, want %d", got, tc.wantHits)
			}
			if got := clk.Sleeps(); !slices.Equal(got, tc.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tc.wantSleeps)
			}
			if snap := c.Stats().Snapshot(); !maps.Equal(snap.Errors, tc.wantStats) || snap.Requests != tc.wantHits {
				t.Errorf("stats errors = %v requests = %d, want %v and %d", snap.Errors, snap.Requests, tc.wantStats, tc.wantHits)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if string(resp.Body) != pipeOK || resp.Status != 200 || int64(resp.Attempts) != tc.wantHits {
					t.Errorf("response = %d %q after %d attempts, want 200 %q after %d", resp.Status, resp.Body, resp.Attempts, pipeOK, tc.wantHits)
				}
				return
			}
			want := strings.ReplaceAll(tc.wantErr, "{url}", srv.URL)
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v\nwant    %s", err, want)
			}
			if KindOf(err) != tc.wantKind {
				t.Errorf("kind = %q, want %q", KindOf(err), tc.wantKind)
			}
		})
	}
}

func TestClientCancel(t *testing.T) {
	t.Run("cancelled before the first attempt", func(t *testing.T) {
		clk := NewFakeClock(pipeStart)
		srv := newPipeServer(t, clk, pipeReply(200, pipeOK))
		c := newPipeClient(t, Config{Clock: clk})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Do(ctx, &Request{URL: srv.URL})
		if srv.hits.Load() != 0 || KindOf(err) != KindCanceled || !errors.Is(err, context.Canceled) {
			t.Fatalf("hits = %d, err = %v; want 0 hits and a canceled error", srv.hits.Load(), err)
		}
	})
	t.Run("cancelled during a failing attempt is not retried", func(t *testing.T) {
		clk := NewFakeClock(pipeStart)
		ctx, cancel := context.WithCancel(context.Background())
		srv := newPipeServer(t, clk, func(clk *FakeClock, w http.ResponseWriter, r *http.Request) {
			cancel()
			pipeReply(503, `{}`)(clk, w, r)
		})
		c := newPipeClient(t, Config{Clock: clk})
		_, err := c.Do(ctx, &Request{URL: srv.URL})
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindCanceled || srv.hits.Load() != 1 || len(clk.Sleeps()) != 0 {
			t.Fatalf("hits = %d, sleeps = %v, err = %v; want 1 hit, no sleep, canceled", srv.hits.Load(), clk.Sleeps(), err)
		}
	})
}

func TestClientStatsPerContext(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	srv := newPipeServer(t, clk, pipeReply(200, pipeOK, "X-App-Usage", `{"call_count":16}`))
	c := newPipeClient(t, Config{Clock: clk, Spec: &spec.Spec{RateLimit: spec.RateLimit{UsageHeaders: []string{"X-App-Usage"}}}})
	var a, b Stats
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			s := &a
			if i%2 == 1 {
				s = &b
			}
			if _, err := c.Do(WithStats(context.Background(), s), &Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := []int64{a.Snapshot().Requests, b.Snapshot().Requests, c.Stats().Snapshot().Requests}
	if got[0] != 3 || got[1] != 2 || got[2] != 5 {
		t.Fatalf("requests (a, b, total) = %v, want [3 2 5]", got)
	}
	if h := a.Snapshot().RateLimitHeaders; h["X-App-Usage"] != `{"call_count":16}` {
		t.Errorf("rate limit headers = %v", h)
	}
	if n := c.Stats().Snapshot().BytesReceived; n != int64(5*len(pipeOK)) {
		t.Errorf("bytes = %d, want %d", n, 5*len(pipeOK))
	}
}

func TestClientQueryAndBody(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	var gotQuery, gotBody, gotType, gotHeader string
	srv := newPipeServer(t, clk, func(clk *FakeClock, w http.ResponseWriter, r *http.Request) {
		gotQuery, gotType, gotHeader = r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("X-Restli-Protocol-Version")
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		gotBody = string(b[:n])
		pipeReply(200, pipeOK)(clk, w, r)
	})
	sp := &spec.Spec{Headers: map[string]string{"X-Restli-Protocol-Version": "2.0.0", "X-Templated": "{{vars.x}}"}}
	c := newPipeClient(t, Config{Clock: clk, Spec: sp})
	req := &Request{Method: "POST", URL: srv.URL + "/q?a=1&b=2", Query: map[string][]string{"b": {"3"}, "c": {"x y"}}, Body: []byte(`{"n":1}`)}
	if _, err := c.Do(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if gotQuery != "a=1&b=3&c=x+y" || gotBody != `{"n":1}` || gotType != "application/json" || gotHeader != "2.0.0" {
		t.Fatalf("server saw query %q body %q type %q header %q", gotQuery, gotBody, gotType, gotHeader)
	}
}

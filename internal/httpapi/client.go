package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

// DefaultTimeout bounds one attempt (connect, headers and the whole body).
const DefaultTimeout = 60 * time.Second

// Config configures a Client. Only Spec-derived behaviour needs a Spec; every other
// field has a working zero value.
type Config struct {
	// Spec supplies auth, static headers, rate-limit header names, max_wait and error
	// rules. Nil: no auth, default classification.
	Spec *spec.Spec
	// Credentials are the resolved secret values by name (token, username, password,
	// client_id, client_secret, refresh_token, or the names the spec's auth gives).
	Credentials map[string]string
	// Limiter paces requests; share one per source. Nil: unlimited, and response
	// rate-limit headers only shape retries.
	Limiter *Limiter
	// HTTP sends requests. Nil: a client with sane connect and TLS timeouts.
	HTTP *http.Client
	// Retry is the retry policy; zero fields take defaults.
	Retry RetryPolicy
	// Timeout bounds each attempt. Zero: DefaultTimeout; negative: none.
	Timeout time.Duration
	// Clock is the time source. Nil: the system clock.
	Clock Clock
	// Logger receives debug lines per attempt and info lines per retry. Nil: discarded.
	Logger *slog.Logger
	// Rand draws backoff jitter; nil: a generator seeded with Seed (0: random seed).
	Rand *rand.Rand
	// Seed seeds the jitter generator when Rand is nil.
	Seed uint64
}

// Client is the request pipeline of one account of a source: auth → rate limiter →
// transport → classification → retry, with stats and redaction. It is safe for
// concurrent use.
type Client struct {
	http       *http.Client
	auth       authenticator
	limiter    *Limiter
	retry      RetryPolicy
	timeout    time.Duration
	clock      Clock
	log        *slog.Logger
	jitter     *jitter
	redactor   *Redactor
	classifier classifier
	maxWait    time.Duration
	headers    map[string]string // static headers from the spec
	rlHeaders  []string          // rate-limit header names recorded in stats
	stats      Stats
}

var _ Doer = (*Client)(nil)

// NewClient validates cfg and returns a Client. A missing credential is an error naming
// it and the auth type.
func NewClient(cfg Config) (*Client, error) {
	sp := cfg.Spec
	if sp == nil {
		sp = &spec.Spec{}
	}
	c := &Client{
		http: cfg.HTTP, limiter: cfg.Limiter, retry: cfg.Retry.withDefaults(), timeout: cfg.Timeout,
		clock: cfg.Clock, log: cfg.Logger, jitter: newJitter(cfg.Rand, cfg.Seed),
		classifier: classifier{rules: sp.Errors, rl: sp.RateLimit}, headers: map[string]string{},
	}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	if c.clock == nil {
		c.clock = SystemClock()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	c.maxWait = sp.RateLimit.MaxWait.Std()
	if c.maxWait <= 0 {
		c.maxWait = DefaultMaxWait
	}
	secrets := make([]string, 0, len(cfg.Credentials))
	for _, v := range cfg.Credentials {
		secrets = append(secrets, v)
	}
	c.redactor = NewRedactor(secrets)
	auth, err := newAuth(sp.Auth, cfg.Credentials, oauthDeps{http: c.http, clock: c.clock, timeout: c.timeout, redactor: c.redactor})
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", sp.Name, err)
	}
	c.auth = auth
	for k, v := range sp.Headers {
		if !strings.Contains(v, "{{") { // templates are rendered by BuildRequest
			c.headers[k] = v
		}
	}
	rl := sp.RateLimit
	for _, h := range append([]string{rl.RemainingHeader, rl.ResetHeader, "Retry-After"}, rl.UsageHeaders...) {
		if h != "" {
			c.rlHeaders = append(c.rlHeaders, http.CanonicalHeaderKey(h))
		}
	}
	return c, nil
}

func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}

// Stats returns the client's running totals.
func (c *Client) Stats() *Stats { return &c.stats }

// Redactor returns the redactor that knows this client's secrets, including tokens
// fetched at run time; use it for anything else that logs URLs or API messages.
func (c *Client) Redactor() *Redactor { return c.redactor }

// Do sends req through the pipeline and returns the response the error rules accept.
// Otherwise it returns an *Error: rate-limited, transient, network and decode failures
// are retried per the policy (waiting as the API asks, capped by max_wait, else with
// jittered backoff); auth, quota and permanent failures are not, except that an OAuth2
// token is fetched again once after a 401. A skip is returned as an *Error of kind skip.
// A done ctx stops at once with kind canceled.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	rec := newRecorder(ctx, &c.stats)
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	target, err := requestURL(req)
	// The redacted URL goes only into errors and log lines: it is made when one needs it
	// (redaction runs regular expressions over the URL).
	var shown string
	shownURL := func() string {
		if shown == "" {
			if target != nil {
				shown = c.redactor.URL(target.String())
			} else {
				shown = c.redactor.URL(req.URL)
			}
		}
		return shown
	}
	finish := func(e *Error, attempts int) error {
		e.Attempts = attempts
		if e.URL == "" { // token endpoint errors keep their own method and URL
			e.Method, e.URL = method, shownURL()
		}
		return e
	}
	if err != nil {
		return nil, finish(&Error{Kind: KindPermanent, Err: c.redactErr(err)}, 0)
	}
	refreshed := false
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			rec.retry()
		}
		if err := ctxErr(ctx); err != nil {
			return nil, finish(&Error{Kind: KindCanceled, Err: err}, attempt-1)
		}
		if c.limiter != nil {
			waited, err := c.limiter.wait(ctx)
			rec.wait(waited, true)
			if err != nil {
				return nil, finish(c.asError(ctx, err), attempt-1)
			}
		}
		resp, token, e := c.attempt(ctx, method, target, req, rec)
		if e == nil {
			resp.Attempts = attempt
			return resp, nil
		}
		rec.failure(e.Kind)
		if e.Kind == KindAuth {
			if inv, ok := c.auth.(invalidator); ok && e.Status == http.StatusUnauthorized && token != "" && !refreshed {
				refreshed = true
				inv.invalidate(token)
				c.log.Info("token rejected, fetching a new one", "url", shownURL())
				continue
			}
			e.Hint = c.auth.hint()
		}
		if !e.Kind.Retryable() || attempt >= c.retry.MaxAttempts {
			return nil, finish(e, attempt)
		}
		wait := e.Wait
		if wait > c.maxWait {
			tl := waitTooLong(wait, c.maxWait, "")
			e.Hint, e.Err = tl.Hint, tl.Err
			return nil, finish(e, attempt)
		}
		if wait <= 0 {
			wait = c.jitter.backoff(c.retry, attempt)
		}
		c.log.Info("retrying", "method", method, "url", shownURL(), "kind", e.Kind, "status", e.Status,
			"attempt", attempt, "wait", wait)
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, finish(&Error{Kind: KindCanceled, Err: err}, attempt)
		}
		rec.wait(wait, e.Kind == KindRateLimited)
	}
}

// requestURL joins req.URL with req.Query (Query's keys replace the URL's).
func requestURL(req *Request) (*url.URL, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("parse url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: scheme must be http or https", req.URL)
	}
	if len(req.Query) > 0 {
		q := u.Query()
		for k, v := range req.Query {
			q[k] = append([]string(nil), v...)
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// asError turns a limiter or auth error into an *Error.
func (c *Client) asError(ctx context.Context, err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		cp := *e
		return &cp
	case ctx.Err() != nil:
		return &Error{Kind: KindCanceled, Err: err}
	}
	return &Error{Kind: KindPermanent, Err: c.redactErr(err)}
}

func (c *Client) redactErr(err error) error { return redactErr(c.redactor, err) }

// redactedError shows a redacted text but unwraps to the original error, so errors.Is
// and errors.As keep working.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(r *Redactor, err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{text: r.String(err.Error()), err: err}
}

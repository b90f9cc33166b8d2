package fakeapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// faultKind names the scripted faults.
type faultKind int

const (
	faultNone faultKind = iota
	fault429
	fault503
	fault401
	faultReset
	faultTruncated
	faultDelay
)

// Action is one scripted fault. The zero Action passes the request through untouched.
type Action struct {
	kind       faultKind
	retryAfter string
	delay      time.Duration
}

// Status429RetryAfterSeconds answers 429 with "Retry-After: n" (seconds).
func Status429RetryAfterSeconds(n int) Action {
	return Action{kind: fault429, retryAfter: strconv.Itoa(n)}
}

// Status429RetryAfterDate answers 429 with Retry-After as the HTTP date of t.
func Status429RetryAfterDate(t time.Time) Action {
	return Action{kind: fault429, retryAfter: t.UTC().Format(http.TimeFormat)}
}

// Status503 answers 503 Service Unavailable without Retry-After.
func Status503() Action { return Action{kind: fault503} }

// Status401 answers 401 Unauthorized.
func Status401() Action { return Action{kind: fault401} }

// ResetMidBody lets the wrapped handler answer, then sends its status, its headers (with
// the full Content-Length) and half of its body, and closes the connection: the client
// sees a body cut short by a reset.
func ResetMidBody() Action { return Action{kind: faultReset} }

// TruncatedJSON lets the wrapped handler answer, then sends 200 with the first half of its
// body and a Content-Length that matches the cut body: a clean response with invalid JSON.
func TruncatedJSON() Action { return Action{kind: faultTruncated} }

// Delay waits d (or until the client gives up) before passing the request through.
func Delay(d time.Duration) Action { return Action{kind: faultDelay, delay: d} }

// String names the action, as recorded in Received.Fault ("" for the zero Action).
func (a Action) String() string {
	switch a.kind {
	case fault429:
		return "429 Retry-After: " + a.retryAfter
	case fault503:
		return "503"
	case fault401:
		return "401"
	case faultReset:
		return "reset mid-body"
	case faultTruncated:
		return "truncated json"
	case faultDelay:
		return "delay " + a.delay.String()
	}
	return ""
}

// Script chooses the action for the nth request (1-based, counted over every request the
// Faults handler receives).
type Script func(n int, r *http.Request) Action

// At is a Script that applies actions by request number; other requests pass through.
func At(actions map[int]Action) Script {
	return func(n int, _ *http.Request) Action { return actions[n] }
}

// Received is one request a Faults handler received.
type Received struct {
	N      int // 1-based request number
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Fault  string // Action.String() of the action applied, "" when passed through
}

// Faults wraps a handler with scripted faults and records every request it receives.
// It is safe for concurrent use.
type Faults struct {
	next   http.Handler
	script Script

	mu       sync.Mutex
	received []Received
}

// NewFaults wraps next. A nil script passes every request through (recording only).
func NewFaults(next http.Handler, script Script) *Faults {
	if script == nil {
		script = func(int, *http.Request) Action { return Action{} }
	}
	return &Faults{next: next, script: script}
}

// Requests returns a copy of the requests received so far, in arrival order.
func (f *Faults) Requests() []Received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Received(nil), f.received...)
}

// ServeHTTP applies the scripted action for this request.
func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.received) + 1
	f.received = append(f.received, Received{N: n, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
	f.mu.Unlock()
	a := f.script(n, r)
	f.mu.Lock()
	f.received[n-1].Fault = a.String()
	f.mu.Unlock()

	switch a.kind {
	case fault429:
		w.Header().Set("Retry-After", a.retryAfter)
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "too many requests"})
	case fault503:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "service unavailable"})
	case fault401:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
	case faultReset:
		resetMidBody(w, record(f.next, r))
	case faultTruncated:
		rec := record(f.next, r)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		writeBodyStatus(w, http.StatusOK, body[:len(body)/2])
	case faultDelay:
		t := time.NewTimer(a.delay)
		defer t.Stop()
		select {
		case <-t.C:
			f.next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	default:
		f.next.ServeHTTP(w, r)
	}
}

// record runs h into a recorder.
func record(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// resetMidBody writes the recorded status, headers and half the body on the raw
// connection, then closes it.
func resetMidBody(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	body := rec.Body.Bytes()
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Without a hijackable connection (HTTP/2), aborting the handler after a partial
		// write resets the stream, which the client sees the same way.
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// writeBodyStatus writes body with status and an exact Content-Length.
func writeBodyStatus(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

package fakeapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Options configure a fake API. The zero value is valid for every API.
type Options struct {
	// Seed selects the generated data set; the same seed always serves the same records.
	Seed uint64
	// Now is the fake's clock (X: future end_time checks, rate-limit windows). Default
	// time.Now.
	Now func() time.Time

	// Faults (demo) turns on the periodic 429 and 503 answers (see NewDemo).
	Faults bool
	// PageSize (demo) caps the posts of one page below the request's limit, as APIs that
	// return fewer records than asked do: a window then takes many pages. 0: no cap.
	PageSize int

	// Token (x) is the bearer token the X fake accepts. Default XDefaultToken.
	Token string
	// RateLimit (x) is the number of requests allowed per rate-limit window. Default 1500,
	// the user-timeline app limit.
	RateLimit int
	// RateWindow (x) is the length of the rate-limit window. Default 15 minutes.
	RateWindow time.Duration
	// UsageCap (x) is the number of tweets the account may read before every request
	// answers 429 UsageCapExceeded. Zero means no cap.
	UsageCap int

	// Bench configures the benchmark API.
	Bench BenchOptions
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// Names lists the fake APIs Handler knows, sorted.
func Names() []string {
	names := []string{"bench", "demo", "x"}
	sort.Strings(names)
	return names
}

// Handler returns a fresh handler (with its own counters and rate-limit state) for the
// fake API called name: "demo", "x" or "bench".
func Handler(name string, opt Options) (http.Handler, error) {
	switch name {
	case "demo":
		return NewDemo(opt), nil
	case "x":
		return NewX(opt), nil
	case "bench":
		return NewBench(opt.Bench)
	}
	return nil, fmt.Errorf("unknown fake api %q (known: %v)", name, Names())
}

// Server is a fake API listening on a TCP address.
type Server struct {
	// URL is the server's base URL, e.g. "http://127.0.0.1:41234", without a trailing slash.
	URL string

	srv   *http.Server
	done  chan struct{}
	once  sync.Once
	close error
}

// Listen serves h on addr ("127.0.0.1:0" when empty: a free loopback port) in the
// background until Close is called or ctx is cancelled.
func Listen(ctx context.Context, addr string, h http.Handler) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{
		URL:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	stop := context.AfterFunc(ctx, func() { _ = s.srv.Close() })
	go func() {
		<-s.done
		stop()
	}()
	return s, nil
}

// Close stops the server and closes every open connection. It may be called more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		err := s.srv.Close()
		<-s.done
		if err != nil && !errors.Is(err, net.ErrClosed) {
			s.close = fmt.Errorf("close fake server: %w", err)
		}
	})
	return s.close
}

// TB is the part of testing.TB that Start needs; *testing.T and *testing.B satisfy it.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start starts the fake API called name on a free loopback port and closes it when the
// test ends. It fails the test when name is unknown.
func Start(tb TB, name string, opt Options) *Server {
	tb.Helper()
	h, err := Handler(name, opt)
	if err != nil {
		tb.Fatalf("start fake api: %v", err)
		return nil
	}
	return StartHandler(tb, h)
}

// StartHandler serves h (for example a fake wrapped in Faults) on a free loopback port and
// closes it when the test ends.
func StartHandler(tb TB, h http.Handler) *Server {
	tb.Helper()
	s, err := Listen(context.Background(), "", h)
	if err != nil {
		tb.Fatalf("start fake api: %v", err)
		return nil
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

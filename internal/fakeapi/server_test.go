package fakeapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestHandlerNames(t *testing.T) {
	cases := []struct {
		name string
		path string // a request the fake answers with 200 (x: with the default token)
		err  string
	}{
		{"demo", "/v1/accounts/a/posts?since=0&until=86400", ""},
		{"x", "/2/users/1/tweets?start_time=2024-01-01T00:00:00Z&end_time=2024-01-02T00:00:00Z", ""},
		{"bench", "/bench/records?cursor=1999", ""},
		{"instagram", "", `unknown fake api "instagram" (known: [bench demo x])`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Handler(tc.name, Options{})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err || h != nil {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			srv := StartHandler(t, h)
			if r := get(t, srv.URL+tc.path, xAuth...); r.status != 200 {
				t.Errorf("GET %s: %d %s", tc.path, r.status, r.body)
			}
		})
	}
	if got := Names(); !slices.Equal(got, []string{"bench", "demo", "x"}) {
		t.Errorf("Names() = %v", got)
	}
}

func TestListenStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Listen(ctx, "", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, s.URL+"/"); r.status != 404 {
		t.Fatalf("status %d", r.status)
	}
	cancel()
	<-s.done
	if _, err := http.Get(s.URL + "/"); err == nil {
		t.Errorf("server still answers after its context ended")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestListenBadAddress(t *testing.T) {
	_, err := Listen(context.Background(), "127.0.0.1:notaport", http.NotFoundHandler())
	if err == nil || !strings.HasPrefix(err.Error(), "listen on 127.0.0.1:notaport: ") {
		t.Errorf("error %v, want it to name the address", err)
	}
}

// fakeTB records Fatalf calls instead of stopping the test.
type fakeTB struct {
	fatal    string
	cleanups []func()
}

func (f *fakeTB) Helper()                           {}
func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }
func (f *fakeTB) Cleanup(fn func())                 { f.cleanups = append(f.cleanups, fn) }

func TestStart(t *testing.T) {
	tb := &fakeTB{}
	if s := Start(tb, "nope", Options{}); s != nil || tb.fatal != `start fake api: unknown fake api "nope" (known: [bench demo x])` {
		t.Errorf("Start(nope) = %v, fatal %q", s, tb.fatal)
	}
	tb = &fakeTB{}
	s := Start(tb, "demo", Options{})
	if tb.fatal != "" || len(tb.cleanups) != 1 {
		t.Fatalf("fatal %q, %d cleanups", tb.fatal, len(tb.cleanups))
	}
	if r := get(t, s.URL+"/v1/accounts/a/posts?since=0&until=60"); r.status != 200 {
		t.Errorf("status %d", r.status)
	}
	tb.cleanups[0]()
	if _, err := http.Get(s.URL + "/"); err == nil {
		t.Errorf("server still answers after cleanup")
	}
}

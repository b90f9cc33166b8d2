package fakeapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	const okBody = `{"hello":"world","n":12345}`
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Inner", "yes")
		writeJSON(w, http.StatusOK, map[string]any{"hello": "world", "n": 12345})
	})
	date := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		name       string
		action     Action
		timeout    time.Duration
		status     int
		retryAfter string
		body       string
		err        error // from reading the body, or from the request when status is 0
		fault      string
	}{
		{"pass through", Action{}, 0, 200, "", okBody, nil, ""},
		{"429 seconds", Status429RetryAfterSeconds(3), 0, 429, "3", `{"error":"too many requests"}`, nil, "429 Retry-After: 3"},
		{"429 date", Status429RetryAfterDate(date), 0, 429, "Mon, 15 Jan 2024 10:30:00 GMT", `{"error":"too many requests"}`, nil, "429 Retry-After: Mon, 15 Jan 2024 10:30:00 GMT"},
		{"503", Status503(), 0, 503, "", `{"error":"service unavailable"}`, nil, "503"},
		{"401", Status401(), 0, 401, "", `{"error":"unauthorized"}`, nil, "401"},
		{"reset mid-body", ResetMidBody(), 0, 200, "", okBody[:len(okBody)/2], io.ErrUnexpectedEOF, "reset mid-body"},
		{"truncated json", TruncatedJSON(), 0, 200, "", okBody[:len(okBody)/2], nil, "truncated json"},
		{"delay within timeout", Delay(10 * time.Millisecond), 10 * time.Second, 200, "", okBody, nil, "delay 10ms"},
		{"delay past timeout", Delay(10 * time.Second), 50 * time.Millisecond, 0, "", "", context.DeadlineExceeded, "delay 10s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFaults(inner, At(map[int]Action{2: tc.action}))
			srv := StartHandler(t, f)
			if r := get(t, srv.URL+"/first"); r.status != 200 || string(r.body) != okBody {
				t.Fatalf("request 1 (no fault): %d %s", r.status, r.body)
			}
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/second?a=1&b=x", nil)
			resp, err := http.DefaultClient.Do(req)
			if tc.status == 0 {
				if !errors.Is(err, tc.err) {
					t.Fatalf("request error %v, want %v", err, tc.err)
				}
			} else {
				if err != nil {
					t.Fatalf("request: %v", err)
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !errors.Is(err, tc.err) {
					t.Errorf("read error %v, want %v", err, tc.err)
				}
				if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter || string(body) != tc.body {
					t.Errorf("got %d Retry-After %q body %q, want %d %q %q", resp.StatusCode, resp.Header.Get("Retry-After"), body, tc.status, tc.retryAfter, tc.body)
				}
			}
			got := f.Requests()
			if len(got) != 2 {
				t.Fatalf("recorded %d requests, want 2", len(got))
			}
			want := Received{N: 2, Method: "POST", Path: "/second", Query: url.Values{"a": {"1"}, "b": {"x"}}, Fault: tc.fault}
			g := got[1]
			if g.N != want.N || g.Method != want.Method || g.Path != want.Path || g.Query.Encode() != want.Query.Encode() || g.Fault != want.Fault {
				t.Errorf("recorded %+v, want %+v", g, want)
			}
			if got[0].Path != "/first" || got[0].Fault != "" {
				t.Errorf("first recorded request %+v", got[0])
			}
		})
	}
}

func TestFaultsScriptFunc(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	f := NewFaults(inner, func(n int, r *http.Request) Action {
		if n%3 == 0 {
			return Status503()
		}
		return Action{}
	})
	srv := StartHandler(t, f)
	var statuses []int
	for range 7 {
		statuses = append(statuses, get(t, srv.URL+"/x").status)
	}
	if want := []int{204, 204, 503, 204, 204, 503, 204}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if rec := NewFaults(inner, nil); rec.Requests() != nil {
		t.Errorf("new Faults has requests")
	}
}

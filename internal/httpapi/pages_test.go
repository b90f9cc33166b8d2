package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

// memDoer answers the n-th call (from 0) with bodies[n], or with errs[n] when set. Calls
// listed in hold wait for their context to end and return its error. Each call reports
// its number on started when it begins and its context error on returned when it ends.
// It adds a credential to the request it receives, as an auth layer would.
type memDoer struct {
	bodies   []string
	errs     map[int]error
	hold     map[int]bool
	started  chan int
	returned chan error

	mu    sync.Mutex
	calls []url.Values
}

func newMemDoer(bodies ...string) *memDoer {
	return &memDoer{bodies: bodies, started: make(chan int, 16), returned: make(chan error, 16)}
}

func (d *memDoer) Do(ctx context.Context, r *Request) (*Response, error) {
	d.mu.Lock()
	n := len(d.calls)
	d.calls = append(d.calls, r.Query)
	d.mu.Unlock()
	r.Query.Set("access_token", "fake-token")
	d.started <- n
	defer func() { d.returned <- ctx.Err() }()
	if d.hold[n] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := d.errs[n]; err != nil {
		return nil, err
	}
	if n >= len(d.bodies) {
		return nil, fmt.Errorf("unexpected call %d", n)
	}
	return &Response{Status: 200, Body: []byte(d.bodies[n])}, nil
}

func pageStream(records string) *spec.Stream {
	return &spec.Stream{Records: records, Pagination: spec.Pagination{Type: "page", Param: "page"}}
}

func firstPage() *Request {
	return &Request{Method: "GET", URL: "https://api.example.com/items", Query: url.Values{"page": {"1"}}}
}

// waitStarted waits for call n to begin. The deadline only turns a hang into a failure.
func waitStarted(t *testing.T, d *memDoer, n int) {
	t.Helper()
	for {
		select {
		case got := <-d.started:
			if got == n {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("call %d never started", n)
		}
	}
}

func TestPagesPrefetchesTheNextPage(t *testing.T) {
	d := newMemDoer(`[{"id":1}]`, `[{"id":2}]`, `[]`)
	var got []string
	for page, err := range Pages(t.Context(), d, firstPage(), pageStream("")) {
		if err != nil {
			t.Fatal(err)
		}
		if page.Next != nil {
			// The next page is requested while this one is still being handled.
			waitStarted(t, d, page.Number)
		}
		got = append(got, fmt.Sprintf("%d:%s:%v next=%v", page.Number, page.Request.Query.Get("page"), page.Records, page.Next != nil))
	}
	want := []string{`1:1:[{"id":1}] next=true`, `2:2:[{"id":2}] next=true`, `3:3:[] next=false`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %q, want %q", got, want)
	}
	wantCalls := []url.Values{
		{"page": {"1"}, "access_token": {"fake-token"}},
		{"page": {"2"}, "access_token": {"fake-token"}},
		{"page": {"3"}, "access_token": {"fake-token"}},
	}
	if !reflect.DeepEqual(d.calls, wantCalls) {
		t.Errorf("calls = %v, want %v", d.calls, wantCalls)
	}
}

func TestPagesKeepsCredentialsOutOfPages(t *testing.T) {
	d := newMemDoer(`[{"id":1}]`, `[]`)
	first := firstPage()
	for page, err := range Pages(t.Context(), d, first, pageStream("")) {
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := page.Request.Query["access_token"]; ok {
			t.Errorf("page %d request carries the credential the Doer added: %v", page.Number, page.Request.Query)
		}
	}
	if want := (url.Values{"page": {"1"}}); !reflect.DeepEqual(first.Query, want) {
		t.Errorf("first request changed to %v, want %v", first.Query, want)
	}
}

func TestPagesBreakCancelsPrefetch(t *testing.T) {
	d := newMemDoer(`[{"id":1}]`)
	d.hold = map[int]bool{1: true}
	pages := 0
	for page, err := range Pages(t.Context(), d, firstPage(), pageStream("")) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		waitStarted(t, d, 1) // page 2 is in flight
		if page.Number == 1 {
			break
		}
	}
	if pages != 1 {
		t.Fatalf("consumer saw %d pages, want 1", pages)
	}
	// Pages has returned, so both calls must have returned already, the second cancelled.
	var ends []error
drain:
	for {
		select {
		case err := <-d.returned:
			ends = append(ends, err)
		default:
			break drain
		}
	}
	if want := []error{nil, context.Canceled}; !reflect.DeepEqual(ends, want) {
		t.Errorf("Do calls ended with %v, want %v (a call still running is a leaked goroutine)", ends, want)
	}
}

func TestPagesErrors(t *testing.T) {
	tests := []struct {
		name   string
		doer   *memDoer
		stream *spec.Stream
		ctx    func(context.Context) context.Context
		want   []string // page numbers and errors in the order yielded
	}{
		{
			name:   "Doer error ends the sequence after it",
			doer:   &memDoer{bodies: []string{`[{"id":1}]`}, errs: map[int]error{1: errors.New("HTTP 500: boom")}},
			stream: pageStream(""),
			want:   []string{"page 1", "error: page 2: HTTP 500: boom"},
		},
		{
			name:   "records that cannot be selected",
			doer:   &memDoer{bodies: []string{`{"data":"nope"}`}},
			stream: pageStream("data"),
			want:   []string{`error: page 1: select records: "data" holds a string, not an array or an object`},
		},
		{
			name: "pagination error comes after the page that caused it",
			doer: &memDoer{bodies: []string{`{"data":[1],"next":"a"}`, `{"data":[2],"next":"a"}`}},
			stream: &spec.Stream{Records: "data",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "next", Param: "cursor"}},
			want: []string{"page 1", "page 2", `error: page 2: pagination did not advance: the response's next repeats the request's cursor="a"`},
		},
		{
			name:   "invalid pagination",
			doer:   &memDoer{},
			stream: &spec.Stream{Pagination: spec.Pagination{Type: "pages"}},
			want:   []string{`error: pagination: unknown type "pages" (use none, cursor, next_url, link_header, offset or page)`},
		},
		{
			name:   "cancelled context",
			doer:   &memDoer{bodies: []string{`[]`}},
			stream: pageStream(""),
			ctx: func(ctx context.Context) context.Context {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx
			},
			want: []string{"error: page 1: context canceled"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.doer.started = make(chan int, 16)
			tc.doer.returned = make(chan error, 16)
			ctx := t.Context()
			if tc.ctx != nil {
				ctx = tc.ctx(ctx)
			}
			var got []string
			for page, err := range Pages(ctx, tc.doer, firstPage(), tc.stream) {
				if err != nil {
					if page != nil {
						t.Errorf("error %v came with page %d", err, page.Number)
					}
					got = append(got, "error: "+err.Error())
					continue
				}
				got = append(got, fmt.Sprintf("page %d", page.Number))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("yielded %q, want %q", got, tc.want)
			}
		})
	}
}

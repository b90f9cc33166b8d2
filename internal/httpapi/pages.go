package httpapi

import (
	"context"
	"fmt"
	"iter"

	"github.com/sluice-dev/sluice/internal/spec"
)

// Page is one fetched page of a request chain.
type Page struct {
	// Number counts pages of the chain from 1.
	Number int
	// Request is the request that fetched the page.
	Request *Request
	// Response is the page's response.
	Response *Response
	// Records is the raw JSON text of each record (see SelectRecords).
	Records []string
	// Next is the request for the following page, nil on the last page. A checkpoint that
	// stores it can resume the chain after this page.
	Next *Request
}

// Pages fetches the chain that starts with first, page by page, following st's pagination
// and selecting st's records. While the consumer handles page n, page n+1 is already being
// fetched (prefetch depth 1), except for client-side windows (spec.Window.Client), which
// stop on the consumer's verdict about a page. A consumer that stops early cancels the
// fetch in flight, and Pages
// returns only after it has ended, so no goroutine outlives the loop.
//
// An error ends the sequence after it is yielded with a nil page: a Doer error or a body
// whose records cannot be selected (no page is yielded for that response), or a
// pagination error such as a repeated cursor (yielded after the page that caused it,
// whose records are valid).
func Pages(ctx context.Context, d Doer, first *Request, st *spec.Stream) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		pg, err := NewPaginator(st.Pagination)
		if err != nil {
			yield(nil, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		var inflight chan fetched
		defer func() {
			cancel()
			if inflight != nil {
				<-inflight // the fetch goroutine has returned
			}
		}()
		// A client-side window stops on the consumer's verdict about a page, so nothing
		// may be requested before it is given.
		prefetch := st.Window == nil || !st.Window.Client
		req := first
		inflight = startFetch(ctx, d, req)
		for n := 1; ; n++ {
			f := <-inflight
			inflight = nil
			if f.err != nil {
				yield(nil, fmt.Errorf("page %d: %w", n, f.err))
				return
			}
			records, err := selectRecords(f.resp.Body, st.Records, f.resp.ValidJSON)
			if err != nil {
				yield(nil, fmt.Errorf("page %d: %w", n, err))
				return
			}
			next, perr := pg.Next(req, f.resp, len(records))
			if perr != nil {
				next = nil
			}
			if next != nil && prefetch {
				inflight = startFetch(ctx, d, next)
			}
			page := &Page{Number: n, Request: req, Response: f.resp, Records: records, Next: next}
			if !yield(page, nil) {
				return
			}
			if perr != nil {
				yield(nil, fmt.Errorf("page %d: %w", n, perr))
				return
			}
			if next == nil {
				return
			}
			if !prefetch {
				inflight = startFetch(ctx, d, next)
			}
			req = next
		}
	}
}

// fetched is the outcome of one Do call.
type fetched struct {
	resp *Response
	err  error
}

// startFetch runs d.Do on a copy of req in a goroutine, so whatever the pipeline adds to
// the request (credentials) stays out of the pages' requests. The outcome arrives on the
// returned channel, which has room for it so the goroutine never blocks on an absent
// receiver.
func startFetch(ctx context.Context, d Doer, req *Request) chan fetched {
	ch := make(chan fetched, 1)
	req = req.Clone()
	go func() {
		resp, err := d.Do(ctx, req)
		ch <- fetched{resp: resp, err: err}
	}()
	return ch
}

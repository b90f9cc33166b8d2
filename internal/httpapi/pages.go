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
	return PagesFrom(ctx, d, first, st, PageOptions{})
}

// PageOptions adjust a chain walked by PagesFrom.
type PageOptions struct {
	// Done is how many pages of the chain were fetched before first (by a run that saved a
	// checkpoint): page numbers continue from Done+1 and pagination.max_pages counts them.
	Done int
	// Hold, when set, is asked after each page: true means do not prefetch the next page,
	// so nothing past page n is requested before the consumer asks for it (a checkpoint
	// boundary: a crash there must not have fetched pages the checkpoint does not cover).
	Hold func(n int) bool
}

// PagesFrom is Pages with options: a chain resumed from a checkpoint, or one that must not
// read ahead across checkpoint boundaries.
func PagesFrom(ctx context.Context, d Doer, first *Request, st *spec.Stream, opt PageOptions) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		pg, err := NewPaginator(st.Pagination)
		if err != nil {
			yield(nil, err)
			return
		}
		if c, ok := pg.(*chain); ok {
			c.pages = opt.Done
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
		inflight = startFetch(ctx, d, req, &st.Records)
		for n := opt.Done + 1; ; n++ {
			f := <-inflight
			inflight = nil
			if f.err != nil {
				yield(nil, fmt.Errorf("page %d: %w", n, f.err))
				return
			}
			records, err := pageRecords(f.resp, st.Records)
			if err != nil {
				yield(nil, fmt.Errorf("page %d: %w", n, err))
				return
			}
			next, perr := pg.Next(req, f.resp, len(records))
			if perr != nil {
				next = nil
			}
			ahead := prefetch && (opt.Hold == nil || !opt.Hold(n))
			if next != nil && ahead {
				inflight = startFetch(ctx, d, next, &st.Records)
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
			if !ahead {
				inflight = startFetch(ctx, d, next, &st.Records)
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

// pageRecords returns the records of a page's response at path: those the Client selected
// while validating the body, else a selection of its own.
func pageRecords(resp *Response, path string) ([]string, error) {
	if resp.selected != nil {
		return resp.selected.records, nil
	}
	return selectRecords(resp.Body, path, resp.ValidJSON)
}

// startFetch runs d.Do on a copy of req in a goroutine, so whatever the pipeline adds to
// the request (credentials) stays out of the pages' requests. The copy carries the
// records path, so a Client selects the records as it validates the body. The outcome
// arrives on the returned channel, which has room for it so the goroutine never blocks
// on an absent receiver.
func startFetch(ctx context.Context, d Doer, req *Request, records *string) chan fetched {
	ch := make(chan fetched, 1)
	req = req.Clone()
	req.selectAt = records
	go func() {
		resp, err := d.Do(ctx, req)
		ch <- fetched{resp: resp, err: err}
	}()
	return ch
}

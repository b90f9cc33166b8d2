// Package httpapi is sluice's one HTTP request pipeline: auth → rate limiter → retry with
// backoff → transport, with error classification from the spec's rules, per-request
// statistics and redaction of secrets. It also renders request templates (date windows,
// parent fields) and walks pages with every paginator a spec can name.
package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Request is one HTTP request before auth is applied.
type Request struct {
	// Method is GET or POST.
	Method string
	// URL is absolute (base URL joined with the path, or a next-page URL from the API).
	URL string
	// Query is merged into URL's query string.
	Query url.Values
	// Header holds extra headers.
	Header http.Header
	// Body is the JSON body of a POST, or nil.
	Body []byte
	// selectAt is the stream's records path, set by Pages on the requests it sends: the
	// Client then validates a success body and selects its records in one pass. Nil:
	// the body is only validated.
	selectAt *string
}

// Clone returns a deep copy of r, so paginators can derive the next request safely.
func (r *Request) Clone() *Request {
	c := &Request{Method: r.Method, URL: r.URL, Query: url.Values{}, Header: r.Header.Clone(), selectAt: r.selectAt}
	for k, v := range r.Query {
		c.Query[k] = append([]string(nil), v...)
	}
	if r.Body != nil {
		c.Body = append([]byte(nil), r.Body...)
	}
	return c
}

// Response is a fully read, successful (or rule-accepted) response.
type Response struct {
	Status int
	Header http.Header
	// Body is the whole body. It must not be modified: the records of a page are
	// substrings of it.
	Body     []byte
	Duration time.Duration // time of the final attempt, first byte to last
	Attempts int           // 1 + retries
	// ValidJSON is set by a Doer that has already checked the body is valid JSON, so
	// record selection need not scan it a second time.
	ValidJSON bool
	// selected holds the records the Client selected while validating the body of a
	// request sent by Pages; nil when it did not select them.
	selected *selection
}

// selection is the outcome of record selection done while validating a body.
type selection struct {
	records []string
	top     *topIndex // the body's top-level members; nil when not recorded
}

// Doer performs one logical request, with whatever auth, pacing and retries it owns.
// It returns an error for any response the error rules do not accept; the error carries
// its classification (see ErrorKind).
type Doer interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

package httpapi

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// Paginator derives each page's request from the previous page of one request chain.
// A Paginator keeps per-chain state (the page count for MaxPages): make one per chain and
// call it from one goroutine.
type Paginator interface {
	// Next returns the request for the page after the one prev fetched, given that page's
	// response and how many records it held. It returns nil and no error when the chain is
	// done, and an error when the response cannot be followed safely (a cursor or URL that
	// repeats the previous one, a next URL on another host).
	Next(prev *Request, resp *Response, records int) (*Request, error)
}

// NewPaginator returns the paginator p describes:
//   - none: a single page.
//   - cursor: the token at CursorPath goes into Param; done when the token is missing or
//     empty. A token equal to the request's own is an error ("pagination did not advance").
//   - next_url: the URL at URLPath is fetched verbatim (relative URLs resolve against the
//     previous request); done when it is missing or empty.
//   - link_header: the RFC 8288 Link header's target with relation Rel (default next) is
//     fetched verbatim; done when there is none.
//   - offset: Param advances by the records of each page from Start (default 0); done on an
//     empty page, a page of fewer than Limit records, or once TotalPath's count is reached.
//   - page: Param counts pages from Start (default 1); done on an empty page, a page of
//     fewer than Limit records, or once TotalPath's record count is reached (with a Limit).
//
// Next URLs must keep the previous request's scheme and host, since credentials go with
// them. For every type, HasMorePath false (or absent) and StopPath absent or empty end the
// chain, Carry copies body values into the next request, and MaxPages caps the chain.
// Params go into the query, or with In "body" into the top level of the JSON body, where a
// value keeps the JSON type the request already gave it (GA4's "offset":"0" stays a string;
// a new value is a number when the API's token is a number).
func NewPaginator(p spec.Pagination) (Paginator, error) {
	var inner Paginator
	param := pageParam{name: p.Param}
	switch p.In {
	case "", "query":
	case "body":
		param.body = true
	default:
		return nil, fmt.Errorf("pagination: unknown in %q (use query or body)", p.In)
	}
	switch p.Type {
	case "", spec.PageNone:
		inner = nonePaginator{}
	case spec.PageCursor:
		if p.CursorPath == "" || p.Param == "" {
			return nil, fmt.Errorf("pagination cursor: cursor_path and param are required")
		}
		inner = cursorPaginator{path: p.CursorPath, param: param}
	case spec.PageNext:
		if p.URLPath == "" {
			return nil, fmt.Errorf("pagination next_url: url_path is required")
		}
		inner = nextURLPaginator{path: p.URLPath}
	case spec.PageLink:
		rel := p.Rel
		if rel == "" {
			rel = "next"
		}
		inner = linkPaginator{rel: rel}
	case spec.PageOffset, spec.PagePage:
		if p.Param == "" {
			return nil, fmt.Errorf("pagination %s: param is required", p.Type)
		}
		inner = countPaginator{
			pages: p.Type == spec.PagePage, param: param, start: pagingStart(p),
			limitParam: pageParam{name: p.LimitParam, body: param.body}, limit: p.Limit,
			totalPath: p.TotalPath,
		}
	default:
		return nil, fmt.Errorf("pagination: unknown type %q (use none, cursor, next_url, link_header, offset or page)", p.Type)
	}
	c := &chain{inner: inner, p: p, body: param.body}
	for name := range p.Carry {
		c.carry = append(c.carry, name)
	}
	sort.Strings(c.carry)
	return c, nil
}

// pagingStart is the first offset or page number.
func pagingStart(p spec.Pagination) int {
	switch {
	case p.Start != nil:
		return *p.Start
	case p.Type == spec.PagePage:
		return 1
	}
	return 0
}

// addPagingStart sets the first page's offset or page number and the page size in req
// unless the request templates already set them.
func addPagingStart(req *Request, p spec.Pagination) error {
	body := p.In == "body"
	if p.LimitParam != "" && p.Limit > 0 {
		if err := setIfAbsent(req, pageParam{name: p.LimitParam, body: body}, p.Limit); err != nil {
			return err
		}
	}
	if (p.Type == spec.PageOffset || p.Type == spec.PagePage) && p.Param != "" {
		return setIfAbsent(req, pageParam{name: p.Param, body: body}, pagingStart(p))
	}
	return nil
}

func setIfAbsent(req *Request, pp pageParam, n int) error {
	_, _, ok, err := pp.get(req)
	if err != nil || ok {
		return err
	}
	return pp.set(req, strconv.Itoa(n), false)
}

// chain applies what every pagination type shares: MaxPages, HasMorePath, StopPath, Carry.
type chain struct {
	inner Paginator
	p     spec.Pagination
	body  bool
	carry []string // sorted Carry param names
	pages int      // pages seen so far
}

func (c *chain) Next(prev *Request, resp *Response, records int) (*Request, error) {
	c.pages++
	if c.p.MaxPages > 0 && c.pages >= c.p.MaxPages {
		return nil, nil
	}
	if c.p.HasMorePath != "" && !resp.lookup(c.p.HasMorePath).Bool() {
		return nil, nil
	}
	if c.p.StopPath != "" && resp.lookup(c.p.StopPath).String() == "" {
		return nil, nil
	}
	next, err := c.inner.Next(prev, resp, records)
	if next == nil || err != nil {
		return nil, err
	}
	for _, name := range c.carry {
		r := resp.lookup(c.p.Carry[name])
		if !r.Exists() || r.Type == gjson.Null {
			continue // keep what the previous request carried
		}
		text, quoted, err := jsonValue(r, c.p.Carry[name])
		if err != nil {
			return nil, fmt.Errorf("pagination carry %s: %w", name, err)
		}
		if err := (pageParam{name: name, body: c.body}).set(next, text, quoted); err != nil {
			return nil, fmt.Errorf("pagination carry %s: %w", name, err)
		}
	}
	return next, nil
}

type nonePaginator struct{}

func (nonePaginator) Next(*Request, *Response, int) (*Request, error) { return nil, nil }

// pageParam is one request parameter a paginator reads and writes: a query parameter or a
// top-level key of the JSON body.
type pageParam struct {
	name string
	body bool
}

// get returns the parameter's value in r as text, whether the body holds it as a JSON
// string (always true for the query), and whether it is present at all.
func (pp pageParam) get(r *Request) (text string, quoted, ok bool, err error) {
	if !pp.body {
		if _, ok := r.Query[pp.name]; !ok {
			return "", false, false, nil
		}
		return r.Query.Get(pp.name), true, true, nil
	}
	m, err := bodyObject(r.Body)
	if err != nil {
		return "", false, false, err
	}
	raw, ok := m[pp.name]
	if !ok {
		return "", false, false, nil
	}
	text, quoted, err = jsonValue(gjson.ParseBytes(raw), pp.name)
	return text, quoted, true, err
}

// set writes text into r. In the body, quoted text becomes a JSON string and other text
// is written as raw JSON (a number or boolean).
func (pp pageParam) set(r *Request, text string, quoted bool) error {
	if !pp.body {
		if r.Query == nil {
			r.Query = map[string][]string{}
		}
		r.Query.Set(pp.name, text)
		return nil
	}
	m, err := bodyObject(r.Body)
	if err != nil {
		return err
	}
	raw := json.RawMessage(text)
	if quoted {
		if raw, err = encodeBody(text); err != nil {
			return err
		}
	} else if !json.Valid(raw) {
		return fmt.Errorf("body %s: %q is not a JSON value", pp.name, text)
	}
	m[pp.name] = raw
	if r.Body, err = encodeBody(m); err != nil {
		return err
	}
	if r.Header == nil {
		r.Header = map[string][]string{}
	}
	if r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return nil
}

// bodyObject decodes a JSON object body into its top-level members; an empty body is an
// empty object.
func bodyObject(body []byte) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(body) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("request body is not a JSON object: %w", err)
	}
	return m, nil
}

// jsonValue returns a string or number from a response or body as text, and whether it is
// a JSON string; other JSON values cannot be a page parameter.
func jsonValue(r gjson.Result, at string) (text string, quoted bool, err error) {
	switch r.Type {
	case gjson.String:
		return r.Str, true, nil
	case gjson.Number, gjson.True, gjson.False:
		return r.Raw, false, nil
	case gjson.Null:
		return "", false, nil
	}
	return "", false, fmt.Errorf("%s holds a JSON object or array, not a string or number", at)
}

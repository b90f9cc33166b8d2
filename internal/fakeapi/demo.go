package fakeapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Demo API limits.
const (
	// DemoDefaultLimit is the page size when a request gives no limit.
	DemoDefaultLimit = 25
	// DemoMaxLimit is the largest page size the demo API accepts.
	DemoMaxLimit = 100
	// DemoMaxRangeDays is the longest since–until range the demo API accepts.
	DemoMaxRangeDays = 90
	// DemoRateLimitEvery makes every Nth request of an account a 429 when faults are on.
	DemoRateLimitEvery = 37
	// DemoUnavailableEvery makes every Nth request of an account a 503 when faults are on
	// (unless it is already a 429).
	DemoUnavailableEvery = 23
)

// demoAPI serves the demo social-media API. Its only state is the per-account request
// counters that drive the optional faults.
type demoAPI struct {
	seed     uint64
	faults   bool
	pageSize int

	mu       sync.Mutex
	requests map[string]int
}

// NewDemo returns the demo API handler:
//
//	GET /v1/accounts/{account}/posts?since=&until=&limit=&after=
//	GET /v1/posts/{post_id}/comments?limit=&after=
//
// With opt.Faults, the Nth request counted per account (comments count under "comments")
// answers 429 with Retry-After: 1 when N is a multiple of DemoRateLimitEvery, else 503 when
// N is a multiple of DemoUnavailableEvery.
func NewDemo(opt Options) http.Handler {
	d := &demoAPI{seed: opt.Seed, faults: opt.Faults, pageSize: opt.PageSize, requests: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/accounts/{account}/posts", d.posts)
	mux.HandleFunc("GET /v1/posts/{post}/comments", d.comments)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		demoError(w, http.StatusBadRequest, 100, "Unsupported get request.")
	})
	return mux
}

// fault counts the request under key and answers it with a fault when one is due.
func (d *demoAPI) fault(w http.ResponseWriter, key string) bool {
	if !d.faults {
		return false
	}
	d.mu.Lock()
	d.requests[key]++
	n := d.requests[key]
	d.mu.Unlock()
	switch {
	case n%DemoRateLimitEvery == 0:
		w.Header().Set("Retry-After", "1")
		demoError(w, http.StatusTooManyRequests, 4, "(#4) Application request limit reached")
		return true
	case n%DemoUnavailableEvery == 0:
		demoError(w, http.StatusServiceUnavailable, 2, "Service temporarily unavailable")
		return true
	}
	return false
}

func (d *demoAPI) posts(w http.ResponseWriter, r *http.Request) {
	account := r.PathValue("account")
	if d.fault(w, account) {
		return
	}
	q := r.URL.Query()
	since, err := demoUnixParam(q, "since")
	if err != nil {
		demoError(w, http.StatusBadRequest, 100, err.Error())
		return
	}
	until, err := demoUnixParam(q, "until")
	if err != nil {
		demoError(w, http.StatusBadRequest, 100, err.Error())
		return
	}
	if until.Sub(since) > DemoMaxRangeDays*24*time.Hour {
		demoError(w, http.StatusBadRequest, 100, fmt.Sprintf("(#100) There cannot be more than %d days between since and until", DemoMaxRangeDays))
		return
	}
	limit, start, ok := demoPageParams(w, q)
	if !ok {
		return
	}
	if d.pageSize > 0 {
		limit = min(limit, d.pageSize)
	}
	all := DemoRange(d.seed, account, since, until)
	first := 0
	if start != "" {
		id, err := strconv.ParseInt(start, 10, 64)
		if err != nil {
			demoError(w, http.StatusBadRequest, 100, "(#100) The after cursor is invalid")
			return
		}
		first = demoPageStart(all, id)
	}
	serveDemoPage(w, r, d.seed, all, first, limit)
}

func (d *demoAPI) comments(w http.ResponseWriter, r *http.Request) {
	post := r.PathValue("post")
	if d.fault(w, "comments") {
		return
	}
	if _, ok := demoPostTime(post); !ok {
		demoErrorSub(w, http.StatusBadRequest, 100, 33, fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist", post))
		return
	}
	limit, start, ok := demoPageParams(w, r.URL.Query())
	if !ok {
		return
	}
	all := DemoComments(d.seed, post)
	first := 0
	if start != "" {
		first = len(all)
		for i, c := range all {
			if c.ID == start {
				first = i
				break
			}
		}
	}
	end := min(first+limit, len(all))
	page := struct {
		Data   []Comment   `json:"data"`
		Paging *demoPaging `json:"paging,omitempty"`
	}{Data: all[first:end]}
	if page.Data == nil {
		page.Data = []Comment{}
	}
	if first < end {
		page.Paging = &demoPaging{Cursors: demoCursors{Before: demoCursor(all[first].ID), After: demoCursor(all[end-1].ID)}}
		if end < len(all) {
			page.Paging.Cursors.After = demoCursor(all[end].ID)
			page.Paging.Next = demoNextURL(r, page.Paging.Cursors.After)
		}
	}
	writeJSON(w, http.StatusOK, page)
}

// demoPageStart finds where a posts page begins: at the post whose id the cursor names, or
// the first one older than it when that post is no longer in range.
func demoPageStart(all []Post, cursorID int64) int {
	for i, p := range all {
		if id, _ := strconv.ParseInt(p.ID, 10, 64); id <= cursorID {
			return i
		}
	}
	return len(all)
}

type demoCursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

type demoPaging struct {
	Cursors demoCursors `json:"cursors"`
	Next    string      `json:"next,omitempty"`
}

// serveDemoPage writes the posts page starting at start. The after cursor names the first
// record of the next page, which may be the last record of this one (see demoPageBounds).
func serveDemoPage(w http.ResponseWriter, r *http.Request, seed uint64, all []Post, start, limit int) {
	page := struct {
		Data   []Post      `json:"data"`
		Paging *demoPaging `json:"paging,omitempty"`
	}{Data: []Post{}}
	if start < len(all) {
		end, next, more := demoPageBounds(seed, all, start, limit)
		page.Data = all[start:end]
		page.Paging = &demoPaging{Cursors: demoCursors{Before: demoCursor(all[start].ID), After: demoCursor(all[end-1].ID)}}
		if more {
			page.Paging.Cursors.After = demoCursor(all[next].ID)
			page.Paging.Next = demoNextURL(r, page.Paging.Cursors.After)
		}
	}
	writeJSON(w, http.StatusOK, page)
}

// demoPageParams reads limit and after, answering 400 itself when they are invalid.
func demoPageParams(w http.ResponseWriter, q url.Values) (limit int, after string, ok bool) {
	limit = DemoDefaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > DemoMaxLimit {
			demoError(w, http.StatusBadRequest, 100, fmt.Sprintf("(#100) Param limit must be a number between 1 and %d", DemoMaxLimit))
			return 0, "", false
		}
		limit = n
	}
	if c := q.Get("after"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || len(raw) < 2 || string(raw[:2]) != "c:" {
			demoError(w, http.StatusBadRequest, 100, "(#100) The after cursor is invalid")
			return 0, "", false
		}
		after = string(raw[2:])
	}
	return limit, after, true
}

// demoCursor makes an opaque cursor naming a record id.
func demoCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("c:" + id)) }

// demoNextURL is the absolute URL of the request with its after cursor replaced.
func demoNextURL(r *http.Request, after string) string {
	q := r.URL.Query()
	q.Set("after", after)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
}

// demoUnixParam reads a required unix-seconds parameter.
func demoUnixParam(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, fmt.Errorf("(#100) The parameter %s is required", name)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("(#100) Param %s must be a unix timestamp in seconds", name)
	}
	return time.Unix(n, 0).UTC(), nil
}

// demoError writes a Graph-style error body.
func demoError(w http.ResponseWriter, status, code int, msg string) {
	demoErrorSub(w, status, code, 0, msg)
}

func demoErrorSub(w http.ResponseWriter, status, code, subcode int, msg string) {
	type graphError struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode,omitempty"`
		Transient bool   `json:"is_transient,omitempty"`
		TraceID   string `json:"fbtrace_id"`
	}
	e := graphError{Message: msg, Type: "OAuthException", Code: code, Subcode: subcode, Transient: code == 1 || code == 2, TraceID: "AFakeTraceId"}
	writeJSON(w, status, map[string]graphError{"error": e})
}

// writeJSON encodes v as the response body with status. It sets Content-Type to JSON
// unless the handler already chose one.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

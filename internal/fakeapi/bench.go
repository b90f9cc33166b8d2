package fakeapi

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// BenchOptions configure the benchmark API. Zero fields take the defaults.
type BenchOptions struct {
	// Pages is the number of pages. Default 2000.
	Pages int
	// PerPage is the number of records per page. Default 500.
	PerPage int
	// Days spreads created_at evenly over this many UTC days from Start. Default 1.
	Days int
	// Start is the UTC day of the first record. Default 2024-01-01.
	Start time.Time
	// FreshText gives every record a title and body of its own, drawn word by word, as
	// posts on a real API have; otherwise they come from 64 prebuilt strings, which a
	// dictionary-encoding writer stores as a few bits a value.
	FreshText bool
	// Cache keeps every rendered page in memory (about 205 KB per 500-record page), so
	// repeated walks cost only the copy to the socket.
	Cache bool
}

func (o BenchOptions) withDefaults() BenchOptions {
	if o.Pages <= 0 {
		o.Pages = 2000
	}
	if o.PerPage <= 0 {
		o.PerPage = 500
	}
	if o.Days <= 0 {
		o.Days = 1
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	o.Start = o.Start.UTC().Truncate(24 * time.Hour)
	return o
}

// BenchTotal returns the number of records the benchmark API serves with opt.
func BenchTotal(opt BenchOptions) int {
	opt = opt.withDefaults()
	return opt.Pages * opt.PerPage
}

// benchAPI serves GET /bench/records?cursor=<n>.
type benchAPI struct {
	opt   BenchOptions
	text  benchText
	pool  sync.Pool
	cache []atomic.Pointer[[]byte]
}

// NewBench returns the benchmark API handler. GET /bench/records?cursor=<n> (n from 0,
// default 0) answers {"records":[...],"next_cursor":"<n+1>"}; the last page has no
// next_cursor. Record i (0-based across pages) is BenchRecord(opt, i).
func NewBench(opt BenchOptions) (http.Handler, error) {
	opt = opt.withDefaults()
	if int64(opt.Pages)*int64(opt.PerPage) > 1<<40 {
		return nil, fmt.Errorf("bench api: %d pages of %d records is too many", opt.Pages, opt.PerPage)
	}
	b := &benchAPI{opt: opt, text: newBenchText()}
	b.pool.New = func() any { buf := make([]byte, 0, opt.PerPage*450+64); return &buf }
	if opt.Cache {
		b.cache = make([]atomic.Pointer[[]byte], opt.Pages)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bench/records", b.records)
	return mux, nil
}

func (b *benchAPI) records(w http.ResponseWriter, r *http.Request) {
	page := 0
	if s := r.URL.Query().Get("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n >= b.opt.Pages {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("invalid cursor %q", s)})
			return
		}
		page = n
	}
	if b.cache != nil {
		if p := b.cache[page].Load(); p != nil {
			writeBody(w, *p)
			return
		}
		body := b.renderPage(nil, page)
		b.cache[page].Store(&body)
		writeBody(w, body)
		return
	}
	bufp := b.pool.Get().(*[]byte)
	body := b.renderPage((*bufp)[:0], page)
	writeBody(w, body)
	*bufp = body
	b.pool.Put(bufp)
}

func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// renderPage appends the JSON body of page to dst.
func (b *benchAPI) renderPage(dst []byte, page int) []byte {
	dst = append(dst, `{"records":[`...)
	first := page * b.opt.PerPage
	for i := range b.opt.PerPage {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = b.text.appendRecord(dst, b.opt, first+i)
	}
	dst = append(dst, ']')
	if page+1 < b.opt.Pages {
		dst = append(dst, `,"next_cursor":"`...)
		dst = strconv.AppendInt(dst, int64(page+1), 10)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// BenchRecord returns the JSON of record n (0-based across all pages) as served with opt.
func BenchRecord(opt BenchOptions, n int) []byte {
	return newBenchText().appendRecord(nil, opt.withDefaults(), n)
}

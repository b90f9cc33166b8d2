package fakeapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"
)

func TestBenchWalk(t *testing.T) {
	cases := []struct {
		name  string
		opt   BenchOptions
		first time.Time
		last  time.Time // created_at of the last record
	}{
		{"one day", BenchOptions{Pages: 3, PerPage: 4}, day(2024, 1, 1), day(2024, 1, 1).Add(79200 * time.Second)},
		{"three days cached", BenchOptions{Pages: 3, PerPage: 4, Days: 3, Start: day(2023, 7, 9).Add(5 * time.Hour), Cache: true}, day(2023, 7, 9), day(2023, 7, 9).Add(237600 * time.Second)},
		{"fresh text", BenchOptions{Pages: 3, PerPage: 4, FreshText: true}, day(2024, 1, 1), day(2024, 1, 1).Add(79200 * time.Second)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewBench(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			srv := StartHandler(t, h)
			cursor, n := "", 0
			var cursors []string
			for pass := 0; pass < 2; pass++ { // twice: the cache (or pool) must not change bytes
				cursor, n, cursors = "", 0, nil
				for {
					u := srv.URL + "/bench/records"
					if cursor != "" {
						u += "?cursor=" + cursor
					}
					r := get(t, u)
					if r.status != 200 {
						t.Fatalf("status %d: %s", r.status, r.body)
					}
					d := json.NewDecoder(bytes.NewReader(r.body))
					d.UseNumber()
					var body struct {
						Records    []json.RawMessage `json:"records"`
						NextCursor *string           `json:"next_cursor"`
					}
					if err := d.Decode(&body); err != nil {
						t.Fatalf("decode page: %v", err)
					}
					for _, rec := range body.Records {
						if want := BenchRecord(tc.opt, n); !bytes.Equal(rec, want) {
							t.Fatalf("record %d:\n got %s\nwant %s", n, rec, want)
						}
						n++
					}
					if body.NextCursor == nil {
						break
					}
					cursor = *body.NextCursor
					cursors = append(cursors, cursor)
				}
			}
			if n != BenchTotal(tc.opt) || n != 12 || !slices.Equal(cursors, []string{"1", "2"}) {
				t.Errorf("walk served %d records with cursors %v, want 12 with [1 2]", n, cursors)
			}
			if got := BenchCreatedAt(tc.opt, 0); !got.Equal(tc.first) {
				t.Errorf("first created_at %s, want %s", got, tc.first)
			}
			if got := BenchCreatedAt(tc.opt, n-1); !got.Equal(tc.last) {
				t.Errorf("last created_at %s, want %s", got, tc.last)
			}
		})
	}
}

func TestBenchRecordShape(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(map[bool]string{false: "prebuilt text", true: "fresh text"}[fresh], func(t *testing.T) {
			checkBenchRecords(t, BenchOptions{FreshText: fresh})
		})
	}
}

// checkBenchRecords checks 2,000 records spread over the job: their keys, ids, times and
// size, and how many distinct titles and bodies they have (64 at most when prebuilt,
// one each when fresh).
func checkBenchRecords(t *testing.T, opt BenchOptions) {
	total, size := 0, 0
	titles, bodies := map[string]bool{}, map[string]bool{}
	for n := 0; n < 2000; n++ {
		b := BenchRecord(opt, n*499)
		size += len(b)
		total++
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("record %d is not JSON: %v: %s", n, err, b)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"account", "author", "body", "created_at", "id", "lang", "ratio", "score", "shares", "status", "tags", "title", "views"}; !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		if id := m["id"].(json.Number).String(); id != strconv.Itoa(BenchIDBase+n*499) {
			t.Errorf("id %s, want %d", id, BenchIDBase+n*499)
		}
		ts, err := time.Parse(time.RFC3339, m["created_at"].(string))
		if err != nil || ts.Before(day(2024, 1, 1)) || !ts.Before(day(2024, 1, 2)) {
			t.Errorf("created_at %v outside 2024-01-01: %v", m["created_at"], err)
		}
		title, body := m["title"].(string), m["body"].(string)
		if len(body) > 85 || len(body) < 80 || !utf8.ValidString(body) || !utf8.ValidString(title) {
			t.Errorf("record %d: body of %d bytes (want 80 to 85, whole characters): %q", n, len(body), body)
		}
		titles[title], bodies[body] = true, true
	}
	if avg := size / total; avg < 390 || avg > 430 {
		t.Errorf("average record size %d bytes, want about 410", avg)
	}
	if opt.FreshText {
		if len(titles) < 1990 || len(bodies) != total {
			t.Errorf("%d distinct titles and %d bodies in %d records, want nearly one title and exactly one body each", len(titles), len(bodies), total)
		}
	} else if len(titles) > 64 || len(bodies) > 64 {
		t.Errorf("%d distinct titles and %d bodies, want at most 64 each", len(titles), len(bodies))
	}
	if BenchTotal(opt) != 1_000_000 {
		t.Errorf("default total %d, want 1,000,000", BenchTotal(opt))
	}
}

func TestBenchBadCursor(t *testing.T) {
	h, _ := NewBench(BenchOptions{Pages: 2, PerPage: 1})
	for _, c := range []string{"2", "-1", "x"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/bench/records?cursor="+c, nil))
		if want := `{"error":"invalid cursor \"` + c + `\""}`; rec.Code != 400 || rec.Body.String() != want {
			t.Errorf("cursor %s: %d %s, want 400 %s", c, rec.Code, rec.Body, want)
		}
	}
}

// BenchmarkBenchServer measures the server's cost per page, in process, so a client
// benchmark can tell whether the fake could be its bottleneck.
func BenchmarkBenchServer(b *testing.B) {
	for _, cache := range []bool{false, true} {
		name := "render"
		if cache {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			opt := BenchOptions{Pages: 100, Cache: cache}
			h, _ := NewBench(opt)
			reqs := make([]*http.Request, opt.Pages)
			for i := range reqs {
				reqs[i] = httptest.NewRequest(http.MethodGet, "/bench/records?cursor="+strconv.Itoa(i), nil)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.ServeHTTP(w, reqs[i%len(reqs)])
				i++
			}
			b.ReportMetric(float64(i*500)/b.Elapsed().Seconds(), "records/s")
			b.SetBytes(int64(w.n / max(i, 1)))
		})
	}
}

// BenchmarkBenchLoopback walks pages over a real loopback connection.
func BenchmarkBenchLoopback(b *testing.B) {
	h, _ := NewBench(BenchOptions{Pages: 100})
	srv := StartHandler(b, h)
	client := &http.Client{}
	i := 0
	for b.Loop() {
		resp, err := client.Get(srv.URL + "/bench/records?cursor=" + strconv.Itoa(i%100))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		i++
	}
	b.ReportMetric(float64(i*500)/b.Elapsed().Seconds(), "records/s")
}

type discardWriter struct {
	h http.Header
	n int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) WriteHeader(int)     {}
func (d *discardWriter) Write(p []byte) (int, error) {
	d.n += len(p)
	return len(p), nil
}

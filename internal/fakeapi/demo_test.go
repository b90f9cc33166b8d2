package fakeapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// demoBody is a decoded demo list response.
type demoBody[T any] struct {
	Data   []T `json:"data"`
	Paging *struct {
		Cursors struct{ Before, After string }
		Next    string
	} `json:"paging"`
}

func postsURL(base, account string, since, until time.Time, extra string) string {
	return fmt.Sprintf("%s/v1/accounts/%s/posts?since=%d&until=%d%s", base, account, since.Unix(), until.Unix(), extra)
}

func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = id(v)
	}
	return out
}

func postID(p Post) string { return p.ID }

func TestDemoWalk(t *testing.T) {
	srv := Start(t, "demo", Options{Seed: 1})
	cases := []struct {
		name         string
		since, until time.Time
		limit        int
		byCursor     bool // send after= ourselves instead of following paging.next
	}{
		{"one day default limit", day(2024, 1, 15), day(2024, 1, 16), 0, false},
		{"three days limit 2", day(2024, 1, 14), day(2024, 1, 17), 2, false},
		{"three days limit 3 by cursor", day(2024, 1, 14), day(2024, 1, 17), 3, true},
		{"thirty days limit 7", day(2024, 2, 1), day(2024, 3, 2), 7, false},
		{"thirty days limit 100", day(2024, 2, 1), day(2024, 3, 2), 100, true},
		{"partial day", day(2024, 1, 15).Add(6 * time.Hour), day(2024, 1, 15).Add(18 * time.Hour), 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			limit, extra := tc.limit, fmt.Sprintf("&limit=%d", tc.limit)
			if limit == 0 {
				limit, extra = DemoDefaultLimit, ""
			}
			want := DemoPages(1, "acme", tc.since, tc.until, limit)
			next := postsURL(srv.URL, "acme", tc.since, tc.until, extra)
			var got [][]Post
			for next != "" {
				r := get(t, next)
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", next, r.status, r.body)
				}
				page := decode[demoBody[Post]](t, r.body)
				got = append(got, page.Data)
				next = page.Paging.Next
				if next != "" && !strings.HasPrefix(next, srv.URL+"/v1/accounts/acme/posts?") {
					t.Fatalf("paging.next %q is not an absolute URL of this server", next)
				}
				if tc.byCursor && next != "" {
					next = postsURL(srv.URL, "acme", tc.since, tc.until, extra+"&after="+url.QueryEscape(page.Paging.Cursors.After))
				}
				if len(got) > 1000 {
					t.Fatal("paging does not end")
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d pages, want %d", len(got), len(want))
			}
			for i := range want {
				if g, w := ids(got[i], postID), ids(want[i], postID); !slices.Equal(g, w) {
					t.Errorf("page %d ids %v, want %v", i, g, w)
				}
				gj, _ := json.Marshal(got[i])
				wj, _ := json.Marshal(want[i])
				if string(gj) != string(wj) {
					t.Errorf("page %d records differ:\n got %s\nwant %s", i, gj, wj)
				}
			}
		})
	}
}

func TestDemoWindowEdges(t *testing.T) {
	srv := Start(t, "demo", Options{Seed: 1})
	d := day(2024, 1, 15) // its oldest post is at exactly 00:00:00 (see TestDemoPostsGolden)
	fetch := func(since, until time.Time) []Post {
		r := get(t, postsURL(srv.URL, "acme", since, until, "&limit=100"))
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		return decode[demoBody[Post]](t, r.body).Data
	}
	cases := []struct {
		name         string
		since, until time.Time
		want         []Post
	}{
		{"day includes the post at midnight", d, d.Add(24 * time.Hour), DemoPosts(1, "acme", d)},
		{"day before excludes it", d.Add(-24 * time.Hour), d, DemoPosts(1, "acme", d.Add(-24*time.Hour))},
		{"since equal to the post time", d, d.Add(time.Second), DemoPosts(1, "acme", d)[len(DemoPosts(1, "acme", d))-1:]},
		{"until equal to the post time", d.Add(-time.Second), d, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fetch(tc.since, tc.until)
			if g, w := ids(got, postID), ids(tc.want, postID); !slices.Equal(g, w) {
				t.Errorf("ids %v, want %v", g, w)
			}
		})
	}
	prev := DemoPosts(1, "acme", d.Add(-24*time.Hour))
	if !strings.HasPrefix(prev[0].CreatedTime, "2024-01-14T23:59:5") {
		t.Errorf("newest post of the day before at %s, want in the last seconds before midnight", prev[0].CreatedTime)
	}
}

func TestDemoEmptyAndErrors(t *testing.T) {
	srv := Start(t, "demo", Options{Seed: 1})
	d := day(2024, 1, 15)
	base := srv.URL + "/v1/accounts/acme/posts"
	cases := []struct {
		name   string
		url    string
		status int
		body   string
	}{
		{"empty range", postsURL(srv.URL, "acme", d.Add(time.Hour), d.Add(time.Hour+time.Second), ""), 200, `{"data":[]}`},
		{"missing since", base + "?until=1705276800", 400, `{"error":{"message":"(#100) The parameter since is required","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"bad until", base + "?since=1705276800&until=soon", 400, `{"error":{"message":"(#100) Param until must be a unix timestamp in seconds","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"limit 0", postsURL(srv.URL, "acme", d, d.Add(time.Hour), "&limit=0"), 400, `{"error":{"message":"(#100) Param limit must be a number between 1 and 100","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"limit 101", postsURL(srv.URL, "acme", d, d.Add(time.Hour), "&limit=101"), 400, `{"error":{"message":"(#100) Param limit must be a number between 1 and 100","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"bad cursor", postsURL(srv.URL, "acme", d, d.Add(time.Hour), "&after=%25%25"), 400, `{"error":{"message":"(#100) The after cursor is invalid","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"cursor without an id", postsURL(srv.URL, "acme", d, d.Add(time.Hour), "&after=YzphYmM"), 400, `{"error":{"message":"(#100) The after cursor is invalid","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"range too long", postsURL(srv.URL, "acme", d, d.Add(91*24*time.Hour), ""), 400, `{"error":{"message":"(#100) There cannot be more than 90 days between since and until","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"unknown path", srv.URL + "/v1/accounts/acme/videos", 400, `{"error":{"message":"Unsupported get request.","type":"OAuthException","code":100,"fbtrace_id":"AFakeTraceId"}}`},
		{"comments of unknown post", srv.URL + "/v1/posts/42/comments", 400, `{"error":{"message":"Unsupported get request. Object with ID '42' does not exist","type":"OAuthException","code":100,"error_subcode":33,"fbtrace_id":"AFakeTraceId"}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, tc.url)
			if r.status != tc.status || string(r.body) != tc.body {
				t.Errorf("got %d %s\nwant %d %s", r.status, r.body, tc.status, tc.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=UTF-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestDemoCommentsServed(t *testing.T) {
	srv := Start(t, "demo", Options{Seed: 3})
	posts := DemoRange(3, "acme", day(2024, 3, 1), day(2024, 3, 4))
	sawEmpty, sawPaged := false, false
	for _, p := range posts {
		want := DemoComments(3, p.ID)
		var got []Comment
		next := srv.URL + "/v1/posts/" + p.ID + "/comments?limit=2"
		pages := 0
		for next != "" {
			r := get(t, next)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if len(want) == 0 && string(r.body) != `{"data":[]}` {
				t.Errorf("post without comments: body %s, want {\"data\":[]}", r.body)
			}
			page := decode[demoBody[Comment]](t, r.body)
			got = append(got, page.Data...)
			next = ""
			if page.Paging != nil {
				next = page.Paging.Next
			}
			pages++
		}
		sawEmpty = sawEmpty || len(want) == 0
		sawPaged = sawPaged || pages == 3
		if wantPages := max(1, (len(want)+1)/2); pages != wantPages {
			t.Errorf("post %s: %d pages for %d comments, want %d", p.ID, pages, len(want), wantPages)
		}
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		if len(want) > 0 && string(gj) != string(wj) {
			t.Errorf("post %s comments:\n got %s\nwant %s", p.ID, gj, wj)
		}
	}
	if !sawEmpty || !sawPaged {
		t.Errorf("test data lacks a post without comments (%v) or one with 5 comments (%v)", sawEmpty, sawPaged)
	}
}

func TestDemoFaults(t *testing.T) {
	d := day(2024, 1, 15)
	cases := []struct {
		name   string
		faults bool
		want   map[int]int // request number → status; others 200
	}{
		{"faults on", true, map[int]int{23: 503, 37: 429, 46: 503, 69: 503, 74: 429}},
		{"faults off", false, map[int]int{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := Start(t, "demo", Options{Seed: 1, Faults: tc.faults})
			for n := 1; n <= 75; n++ {
				r := get(t, postsURL(srv.URL, "acme", d, d.Add(time.Hour), ""))
				want := tc.want[n]
				if want == 0 {
					want = 200
				}
				if r.status != want {
					t.Errorf("request %d: status %d, want %d", n, r.status, want)
				}
				if ra := r.header.Get("Retry-After"); (want == 429) != (ra == "1") {
					t.Errorf("request %d: Retry-After %q", n, ra)
				}
				if n == 37 && tc.faults && string(r.body) != `{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"AFakeTraceId"}}` {
					t.Errorf("429 body %s", r.body)
				}
				if n == 23 && tc.faults && string(r.body) != `{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":2,"is_transient":true,"fbtrace_id":"AFakeTraceId"}}` {
					t.Errorf("503 body %s", r.body)
				}
			}
			// Counters are per account: another account starts from one.
			if r := get(t, postsURL(srv.URL, "other", d, d.Add(time.Hour), "")); r.status != 200 {
				t.Errorf("first request of another account: %d", r.status)
			}
		})
	}
}

package fakeapi

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/sluice-dev/sluice/internal/spec"
)

// loadSpec loads a spec document with the spec package's strict loader and validator.
func loadSpec(t *testing.T, path string) *spec.Spec {
	t.Helper()
	s, err := spec.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	for name, st := range s.Streams {
		for _, v := range append([]string{st.Request.Path}, mapValues(st.Request.Params)...) {
			if _, err := spec.ParseTemplate(v); err != nil {
				t.Errorf("%s: stream %s: %v", path, name, err)
			}
		}
	}
	return s
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// specWalk follows a stream's request and cursor pagination the way the spec describes,
// returning the raw records of every page in order.
func specWalk(t *testing.T, st *spec.Stream, base, account string, start, end time.Time, parent map[string]string, header ...string) []gjson.Result {
	t.Helper()
	render := func(s string) string {
		tpl, err := spec.ParseTemplate(s)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, p := range tpl.Parts {
			format := p.Format
			if format == "" && st.Window != nil {
				format = st.Window.Format
			}
			var tm time.Time
			switch {
			case p.Var == "":
				b.WriteString(p.Text)
				continue
			case p.Var == "account_id":
				b.WriteString(account)
				continue
			case strings.HasPrefix(p.Var, "parent."):
				b.WriteString(parent[strings.TrimPrefix(p.Var, "parent.")])
				continue
			case p.Var == "window.start":
				tm = start
			case p.Var == "window.end":
				tm = end
			default:
				t.Fatalf("placeholder %s not supported by this test", p.Var)
			}
			switch format {
			case "unix":
				b.WriteString(strconv.FormatInt(tm.Unix(), 10))
			case "rfc3339":
				b.WriteString(tm.UTC().Format(time.RFC3339))
			default:
				t.Fatalf("format %q not supported by this test", format)
			}
		}
		return b.String()
	}
	q := url.Values{}
	for k, v := range st.Request.Params {
		q.Set(k, render(v))
	}
	var out []gjson.Result
	for range 10_000 {
		r := get(t, base+render(st.Request.Path)+"?"+q.Encode(), header...)
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		out = append(out, gjson.GetBytes(r.body, st.Records).Array()...)
		p := st.Pagination
		if p.StopPath != "" && gjson.GetBytes(r.body, p.StopPath).String() == "" {
			return out
		}
		cursor := gjson.GetBytes(r.body, p.CursorPath).String()
		if p.Type != spec.PageCursor || cursor == "" {
			return out
		}
		q.Set(p.Param, cursor)
	}
	t.Fatal("pagination does not end")
	return nil
}

// checkDeclared asserts that the keys of the records are exactly the declared fields
// (optional ones may be missing from some records), at every level of nesting.
func checkDeclared(t *testing.T, where string, fields []schema.Field, records []gjson.Result, injected ...string) {
	t.Helper()
	seen := map[string]bool{}
	children := map[string][]gjson.Result{}
	for _, rec := range records {
		rec.ForEach(func(k, v gjson.Result) bool {
			seen[k.String()] = true
			children[k.String()] = append(children[k.String()], v)
			return true
		})
	}
	var declared []string
	for _, f := range fields {
		declared = append(declared, f.SourcePath())
		if f.Required && !slices.Contains(injected, f.Name) {
			for _, rec := range records {
				if !rec.Get(f.SourcePath()).Exists() {
					t.Errorf("%s: required field %s missing in %s", where, f.Name, rec.Raw)
				}
			}
		}
		if f.Type == schema.Object {
			checkDeclared(t, where+"."+f.Name, f.Fields, children[f.SourcePath()])
		}
	}
	for k := range seen {
		if !slices.Contains(declared, k) {
			t.Errorf("%s: served field %q is not declared", where, k)
		}
	}
	for _, d := range declared {
		if !seen[d] && !slices.Contains(injected, d) {
			t.Errorf("%s: declared field %q is never served", where, d)
		}
	}
}

func TestDemoSpecDrivesFake(t *testing.T) {
	s := loadSpec(t, "../spec/specs/demo.yaml")
	srv := Start(t, "demo", Options{Seed: 5})
	start, end := day(2024, 4, 1), day(2024, 5, 1) // one window of max_days: several pages
	posts := specWalk(t, s.Streams["posts"], srv.URL, "acme", start, end, nil)
	var got []string
	for _, p := range posts {
		if id := p.Get("id").String(); !slices.Contains(got, id) {
			got = append(got, id)
		}
	}
	if want := ids(DemoRange(5, "acme", start, end), postID); !slices.Equal(got, want) {
		t.Errorf("posts stream ids %v, want %v", got, want)
	}
	if dups := DemoDuplicates(5, "acme", start, end, 100); len(posts) != len(got)+dups || len(posts) <= 200 {
		t.Errorf("%d records served for %d posts with %d duplicates, want more than two pages", len(posts), len(got), dups)
	}
	checkDeclared(t, "demo.posts", s.Streams["posts"].Fields, posts)
	layout := s.Streams["posts"].Date.Format
	for _, p := range posts {
		if _, err := time.Parse(layout, p.Get(s.Streams["posts"].Date.Field).String()); err != nil {
			t.Errorf("date rule cannot parse %s: %v", p.Raw, err)
		}
	}
	var comments []gjson.Result
	for _, p := range posts[:10] {
		comments = append(comments, specWalk(t, s.Streams["comments"], srv.URL, "acme", start, end, map[string]string{"id": p.Get("id").String()})...)
	}
	if len(comments) == 0 {
		t.Fatal("no comments on the first 10 posts")
	}
	checkDeclared(t, "demo.comments", s.Streams["comments"].Fields, comments, "post_id")
	if s.Streams["comments"].Parent.Fields["post_id"] != "id" || s.BaseURL != "http://127.0.0.1:8787" {
		t.Errorf("comments parent %+v, base_url %s", s.Streams["comments"].Parent, s.BaseURL)
	}
}

func TestXSpecDrivesFake(t *testing.T) {
	s := loadSpec(t, "../spec/specs/x.yaml")
	srv, _ := startX(t, Options{Seed: 9})
	start, end := day(2024, 3, 1), day(2024, 3, 31)
	tweets := specWalk(t, s.Streams["tweets"], srv.URL+"/2", xUser, start, end, nil, xAuth...)
	var got []string
	for _, tw := range tweets {
		got = append(got, tw.Get("id").String())
	}
	if want := ids(XRange(9, xUser, start, end), func(t Tweet) string { return t.ID }); !slices.Equal(got, want) {
		t.Errorf("tweets ids %v, want %v", got, want)
	}
	checkDeclared(t, "x.tweets", s.Streams["tweets"].Fields, tweets)
	if s.RateLimit.RemainingHeader != "x-rate-limit-remaining" || s.RateLimit.ResetHeader != "x-rate-limit-reset" || s.Auth.Type != spec.AuthBearer {
		t.Errorf("rate limit %+v auth %+v", s.RateLimit, s.Auth)
	}
	if r := s.Errors[0]; r.Action != spec.ActionQuota || r.Path != "type" || r.In[0] != "https://api.twitter.com/2/problems/usage-capped" {
		t.Errorf("first error rule %+v, want the usage cap as quota", r)
	}
}

func TestBenchSpecDrivesFake(t *testing.T) {
	s := loadSpec(t, "testdata/bench.yaml")
	opt := BenchOptions{Pages: 3, PerPage: 5}
	h, err := NewBench(opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := StartHandler(t, h)
	recs := specWalk(t, s.Streams["records"], srv.URL, "bench", time.Time{}, time.Time{}, nil)
	if len(recs) != 15 {
		t.Fatalf("%d records, want 15", len(recs))
	}
	for i, r := range recs {
		if r.Raw != string(BenchRecord(opt, i)) {
			t.Errorf("record %d: %s", i, r.Raw)
		}
	}
	checkDeclared(t, "bench.records", s.Streams["records"].Fields, recs)
}

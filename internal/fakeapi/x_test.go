package fakeapi

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const xUser = "2244994945"

type xBody struct {
	Data     []map[string]json.RawMessage `json:"data"`
	Includes json.RawMessage              `json:"includes"`
	Meta     struct {
		ResultCount int    `json:"result_count"`
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
}

var xAuth = []string{"Authorization", "Bearer " + XDefaultToken}

func startX(t *testing.T, opt Options) (*Server, *fixedClock) {
	clk := &fixedClock{t: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)}
	if opt.Now == nil {
		opt.Now = clk.now
	}
	return Start(t, "x", opt), clk
}

func xURL(base string, params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return base + "/2/users/" + xUser + "/tweets?" + q.Encode()
}

func TestXWalk(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9})
	fields := "created_at,public_metrics,author_id,edit_history_tweet_ids,lang,conversation_id"
	cases := []struct {
		name       string
		start, end time.Time
		max        string
	}{
		{"ten days max 5", day(2024, 3, 1), day(2024, 3, 11), "5"},
		{"ten days default", day(2024, 3, 1), day(2024, 3, 11), ""},
		{"thirty days max 100", day(2024, 3, 1), day(2024, 3, 31), "100"},
		{"afternoon max 7", day(2024, 3, 5).Add(12 * time.Hour), day(2024, 3, 5).Add(20 * time.Hour), "7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := XRange(9, xUser, tc.start, tc.end)
			size := XDefaultMaxResults
			if tc.max != "" {
				size, _ = strconv.Atoi(tc.max)
			}
			var got []map[string]json.RawMessage
			token, pages := "", 0
			for {
				params := []string{"start_time", tc.start.Format(time.RFC3339), "end_time", tc.end.Format(time.RFC3339), "tweet.fields", fields, "max_results", tc.max}
				if tc.max == "" {
					params = params[:6]
				}
				if token != "" {
					params = append(params, "pagination_token", token)
				}
				r := get(t, xURL(srv.URL, params...), xAuth...)
				if r.status != 200 {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				b := decode[xBody](t, r.body)
				pages++
				if b.Meta.ResultCount != len(b.Data) || (len(b.Data) > 0 && (b.Meta.NewestID != idOf(b.Data[0]) || b.Meta.OldestID != idOf(b.Data[len(b.Data)-1]))) {
					t.Errorf("page %d meta %+v does not describe its %d tweets", pages, b.Meta, len(b.Data))
				}
				if b.Meta.NextToken != "" && len(b.Data) != size {
					t.Errorf("page %d has %d tweets and a next_token, want a full page of %d", pages, len(b.Data), size)
				}
				got = append(got, b.Data...)
				if token = b.Meta.NextToken; token == "" {
					break
				}
			}
			if wantPages := max(1, (len(want)+size-1)/size); pages != wantPages {
				t.Errorf("%d pages for %d tweets, want %d", pages, len(want), wantPages)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d tweets, want %d", len(got), len(want))
			}
			for i, w := range want {
				wj, _ := json.Marshal(w)
				gj, _ := json.Marshal(got[i])
				if string(normalizeJSON(t, wj)) != string(normalizeJSON(t, gj)) {
					t.Errorf("tweet %d:\n got %s\nwant %s", i, gj, wj)
				}
			}
		})
	}
}

func idOf(m map[string]json.RawMessage) string {
	var s string
	_ = json.Unmarshal(m["id"], &s)
	return s
}

// normalizeJSON re-encodes b with sorted keys.
func normalizeJSON(t *testing.T, b []byte) []byte {
	out, _ := json.Marshal(decode[map[string]any](t, b))
	return out
}

func TestXTweetsShape(t *testing.T) {
	edited, empty, midnight := 0, 0, 0
	for d := day(2024, 1, 1); d.Before(day(2024, 3, 1)); d = d.Add(24 * time.Hour) {
		tweets := XTweets(9, xUser, d)
		if len(tweets) == 0 {
			empty++
		}
		for i, tw := range tweets {
			if len(tw.ID) != 19 || tw.CreatedAt != tw.Created.Format("2006-01-02T15:04:05.000Z") || !strings.HasSuffix(tw.CreatedAt, "Z") {
				t.Errorf("bad id or created_at: %s %s", tw.ID, tw.CreatedAt)
			}
			if got := xSnowflakeTime(tw.id); !got.Equal(tw.Created) {
				t.Errorf("id %s encodes %s, want %s", tw.ID, got, tw.Created)
			}
			if i > 0 && tw.id >= tweets[i-1].id {
				t.Errorf("tweets of %s not newest first", d.Format(time.DateOnly))
			}
			h := tw.EditHistoryTweetIDs
			if h[len(h)-1] != tw.ID || (len(h) == 2 && h[0] >= h[1]) || len(h) > 2 {
				t.Errorf("edit history %v of %s", h, tw.ID)
			}
			if len(h) == 2 {
				edited++
			}
			if tw.Created.Sub(d) < time.Second || tw.Created.Sub(d) >= 86399*time.Second {
				midnight++
			}
		}
	}
	if edited == 0 || empty == 0 || midnight == 0 {
		t.Errorf("60 days hold %d edited tweets, %d empty days, %d midnight-edge tweets; want some of each", edited, empty, midnight)
	}
	if got := XTweets(9, xUser, day(2010, 11, 5)); got != nil {
		t.Errorf("tweets before the minimum start time: %v", got)
	}
}

func TestXDefaultFieldsAndExpansions(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9})
	start, end := day(2024, 3, 1), day(2024, 3, 11)
	r := get(t, xURL(srv.URL, "start_time", start.Format(time.RFC3339), "end_time", end.Format(time.RFC3339), "expansions", "author_id"), xAuth...)
	b := decode[xBody](t, r.body)
	if len(b.Data) == 0 {
		t.Fatalf("no tweets: %s", r.body)
	}
	for _, tw := range b.Data {
		if keys := slices.Sorted(maps.Keys(tw)); !slices.Equal(keys, []string{"edit_history_tweet_ids", "id", "text"}) {
			t.Errorf("default fields %v, want id, text, edit_history_tweet_ids", keys)
		}
	}
	if want := `{"users":[{"id":"2244994945","name":"Fake User 2244994945","username":"fake_2244994945"}]}`; string(b.Includes) != want {
		t.Errorf("includes %s, want %s", b.Includes, want)
	}
}

func TestXIDFilters(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9})
	start, end := day(2024, 3, 1), day(2024, 3, 11)
	all := XRange(9, xUser, start, end)
	if len(all) < 6 {
		t.Fatalf("only %d tweets", len(all))
	}
	r := get(t, xURL(srv.URL, "start_time", start.Format(time.RFC3339), "end_time", end.Format(time.RFC3339), "max_results", "100",
		"since_id", all[5].ID, "until_id", all[1].ID), xAuth...)
	b := decode[xBody](t, r.body)
	got := ids(b.Data, idOf)
	if want := ids(all[2:5], func(t Tweet) string { return t.ID }); !slices.Equal(got, want) {
		t.Errorf("since_id/until_id ids %v, want %v", got, want)
	}
}

func TestXZeroResults(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9})
	d := day(2024, 3, 5).Add(3 * time.Hour)
	if len(XRange(9, xUser, d, d.Add(time.Second))) != 0 {
		t.Fatal("test window is not empty")
	}
	r := get(t, xURL(srv.URL, "start_time", d.Format(time.RFC3339), "end_time", d.Add(time.Second).Format(time.RFC3339)), xAuth...)
	if r.status != 200 || string(r.body) != `{"meta":{"result_count":0}}` {
		t.Errorf("got %d %s, want 200 {\"meta\":{\"result_count\":0}}", r.status, r.body)
	}
}

func TestXAuth(t *testing.T) {
	srv, clk := startX(t, Options{Seed: 9, Token: "other-fake-token"})
	const want = `{"detail":"Unauthorized","status":401,"title":"Unauthorized","type":"about:blank"}`
	cases := []struct {
		name    string
		headers []string
		status  int
	}{
		{"missing", nil, 401},
		{"default token rejected", xAuth, 401},
		{"wrong scheme", []string{"Authorization", "Basic other-fake-token"}, 401},
		{"configured token", []string{"Authorization", "Bearer other-fake-token"}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, xURL(srv.URL, "start_time", "2024-03-01T00:00:00Z", "end_time", "2024-03-02T00:00:00Z"), tc.headers...)
			if r.status != tc.status || (tc.status == 401 && string(r.body) != want) {
				t.Errorf("got %d %s, want %d", r.status, r.body, tc.status)
			}
			if r.header.Get("x-rate-limit-limit") != "1500" || r.header.Get("x-rate-limit-reset") != strconv.FormatInt(clk.t.Add(15*time.Minute).Unix(), 10) {
				t.Errorf("rate-limit headers %v", r.header)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q, want X's application/json; charset=utf-8", ct)
			}
		})
	}
}

func TestXValidation(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9})
	cases := []struct {
		name    string
		params  []string
		param   string
		message string
	}{
		{"max_results too small", []string{"max_results", "4"}, "max_results", "The `max_results` query parameter value [4] is not between 5 and 100"},
		{"max_results too big", []string{"max_results", "101"}, "max_results", "The `max_results` query parameter value [101] is not between 5 and 100"},
		{"bad start_time", []string{"start_time", "2024-03-01"}, "start_time", "Invalid 'start_time':'2024-03-01'. 'start_time' must be a valid RFC 3339 date-time such as 2021-02-23T18:07:07Z"},
		{"start before 2010-11-06", []string{"start_time", "2010-11-05T00:00:00Z"}, "start_time", "Invalid 'start_time':'2010-11-05T00:00:00Z'. 'start_time' must be on or after 2010-11-06T00:00Z"},
		{"end in the future", []string{"end_time", "2024-06-01T12:00:01Z"}, "end_time", "Invalid 'end_time':'2024-06-01T12:00:01Z'. 'end_time' must be a minimum of 10 seconds prior to the request time."},
		{"start after end", []string{"start_time", "2024-03-02T00:00:00Z", "end_time", "2024-03-01T00:00:00Z"}, "start_time", "Invalid 'start_time':'2024-03-02T00:00:00Z'. 'start_time' must be before 'end_time':'2024-03-01T00:00:00Z'"},
		{"bad token", []string{"pagination_token", "!!"}, "pagination_token", "The `pagination_token` query parameter value [!!] is not valid"},
		{"bad tweet field", []string{"tweet.fields", "created_at,likes"}, "tweet.fields", "The `tweet.fields` query parameter value [likes] is not one of [" + strings.Join(xTweetFields, ",") + "]"},
		{"unknown parameter", []string{"since", "1"}, "since", "The query parameter [since] is not one of [id," + strings.Join(xParams, ",") + "]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, xURL(srv.URL, tc.params...), xAuth...)
			b := decode[struct {
				Errors []xParamError
				Title  string
				Detail string
				Type   string
			}](t, r.body)
			if r.status != 400 || b.Title != "Invalid Request" || b.Type != "https://api.twitter.com/2/problems/invalid-request" ||
				b.Detail != "One or more parameters to your request was invalid." || len(b.Errors) != 1 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if e := b.Errors[0]; e.Message != tc.message || len(e.Parameters[tc.param]) != 1 {
				t.Errorf("error %+v, want message %q on %s", e, tc.message, tc.param)
			}
		})
	}
	r := get(t, srv.URL+"/2/users/abc/tweets", xAuth...)
	if r.status != 400 || !strings.Contains(string(r.body), "The `id` query parameter value [abc] is not valid") {
		t.Errorf("non-numeric user id: %d %s", r.status, r.body)
	}
}

func TestXRateLimitWindow(t *testing.T) {
	srv, clk := startX(t, Options{Seed: 9, RateLimit: 3})
	t0 := clk.t
	u := xURL(srv.URL, "start_time", "2024-03-01T00:00:00Z", "end_time", "2024-03-02T00:00:00Z")
	reset := strconv.FormatInt(t0.Add(15*time.Minute).Unix(), 10)
	steps := []struct {
		advance   time.Duration
		status    int
		remaining string
		reset     string
	}{
		{0, 200, "2", reset},
		{time.Minute, 200, "1", reset},
		{time.Minute, 200, "0", reset},
		{time.Minute, 429, "0", reset},
		{10 * time.Minute, 429, "0", reset},
		{2 * time.Minute, 200, "2", strconv.FormatInt(t0.Add(30*time.Minute).Unix(), 10)},
	}
	for i, s := range steps {
		clk.t = clk.t.Add(s.advance)
		r := get(t, u, xAuth...)
		h := r.header
		if r.status != s.status || h.Get("x-rate-limit-remaining") != s.remaining || h.Get("x-rate-limit-reset") != s.reset || h.Get("x-rate-limit-limit") != "3" {
			t.Errorf("step %d: %d remaining=%s reset=%s, want %d remaining=%s reset=%s", i, r.status, h.Get("x-rate-limit-remaining"), h.Get("x-rate-limit-reset"), s.status, s.remaining, s.reset)
		}
		if s.status == 429 && string(r.body) != `{"detail":"Too Many Requests","status":429,"title":"Too Many Requests","type":"about:blank"}` {
			t.Errorf("step %d: 429 body %s", i, r.body)
		}
	}
}

func TestXUsageCap(t *testing.T) {
	srv, _ := startX(t, Options{Seed: 9, UsageCap: 12})
	u := xURL(srv.URL, "start_time", "2024-03-01T00:00:00Z", "end_time", "2024-03-31T00:00:00Z", "max_results", "10")
	for i := 1; i <= 3; i++ {
		r := get(t, u, xAuth...)
		want := 200
		if i == 3 {
			want = 429
		}
		if r.status != want {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
		if i == 3 {
			const body = `{"detail":"Usage cap exceeded: Monthly product cap","period":"Monthly","scope":"Product","title":"UsageCapExceeded","type":"https://api.twitter.com/2/problems/usage-capped"}`
			if string(r.body) != body {
				t.Errorf("usage-capped body %s", r.body)
			}
		}
	}
}

func TestXNotFound(t *testing.T) {
	srv, _ := startX(t, Options{})
	r := get(t, srv.URL+"/2/tweets/search/recent", xAuth...)
	if r.status != 404 || string(r.body) != `{"errors":[{"code":34,"message":"Sorry, that page does not exist"}]}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// hit is one request as the fake API received it.
type hit struct {
	Method, Path, Query, Body string
}

// reply is one scripted response; "{{server}}" in body and link becomes the server's URL.
type reply struct {
	status int // 0: 200
	link   string
	body   string
}

// scriptedAPI is a loopback server that answers the i-th request with replies[i] and
// records every request it receives.
type scriptedAPI struct {
	*httptest.Server
	mu      sync.Mutex
	hits    []hit
	replies []reply
}

func newScriptedAPI(t *testing.T, replies []reply) *scriptedAPI {
	t.Helper()
	api := &scriptedAPI{replies: replies}
	api.Server = httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(api.Close)
	return api
}

func (a *scriptedAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	n := len(a.hits)
	a.hits = append(a.hits, hit{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Body: string(body)})
	a.mu.Unlock()
	if n >= len(a.replies) {
		http.Error(w, `{"error":"unexpected request"}`, http.StatusTeapot)
		return
	}
	rep := a.replies[n]
	if rep.link != "" {
		w.Header().Set("Link", strings.ReplaceAll(rep.link, "{{server}}", a.URL))
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	io.WriteString(w, strings.ReplaceAll(rep.body, "{{server}}", a.URL))
}

func (a *scriptedAPI) received() []hit {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]hit(nil), a.hits...)
}

// httpDoer is the simplest Doer: http.DefaultClient, no auth, no retries; a status of
// 400 or more is an error. Query values are merged into the URL, which is otherwise
// sent as given.
type httpDoer struct{}

func (httpDoer) Do(ctx context.Context, r *Request) (*Response, error) {
	u := r.URL
	if len(r.Query) > 0 {
		pu, err := url.Parse(r.URL)
		if err != nil {
			return nil, err
		}
		q := pu.Query()
		for k, v := range r.Query {
			q[k] = v
		}
		pu.RawQuery = q.Encode()
		u = pu.String()
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		hr.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b, Attempts: 1}, nil
}

// fixture reads testdata/name, replacing each old→new pair.
func fixture(t *testing.T, name string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReplacer(replace...).Replace(string(b))
}

// mastodonLink returns the recorded Link header of a page, pointed at the fake server.
func mastodonLink(t *testing.T, page string) string {
	link := gjson.Get(fixture(t, "mastodon_recorded_headers.json"), page+".link").String()
	return strings.ReplaceAll(link, "http://localhost:3000", "{{server}}")
}

func TestPagesAgainstAPIShapes(t *testing.T) {
	const graph = "https://graph.facebook.com"
	metaMedia := spec.Request{Path: "/{{account_id}}/media", Params: map[string]string{"fields": "id,caption,children{id,media_type}", "limit": "2"}}
	const metaQuery = "fields=id%2Ccaption%2Cchildren%7Bid%2Cmedia_type%7D&limit=2"
	linkedIn := spec.Request{Path: "/posts", Params: map[string]string{"q": "author", "author": "urn:li:organization:{{account_id}}"}}
	const linkedInQuery = "author=urn%3Ali%3Aorganization%3A2414183&count=2&q=author&start="
	xStream := func(maxPages int) spec.Stream {
		return spec.Stream{
			Window: &spec.Window{Format: "rfc3339"},
			Request: spec.Request{Path: "/users/{{account_id}}/tweets", Params: map[string]string{
				"max_results": "5", "start_time": "{{window.start}}", "end_time": "{{window.end}}"}},
			Records:    "data",
			Pagination: spec.Pagination{Type: "cursor", CursorPath: "meta.next_token", Param: "pagination_token", MaxPages: maxPages},
		}
	}
	xVars := Vars{AccountID: "2244994945", Window: &Window{day("2024-01-15"), day("2024-01-16")}, Now: time.Date(2024, 1, 15, 18, 0, 0, 0, time.UTC)}
	const xQuery = "end_time=2024-01-15T18%3A00%3A00Z&max_results=5"
	const xStart = "start_time=2024-01-15T00%3A00%3A00Z"
	ga4 := func(total string) spec.Stream {
		return spec.Stream{
			Window: &spec.Window{Format: "date"},
			Request: spec.Request{Method: "POST", Path: "/properties/{{vars.property}}:runReport", Body: map[string]any{
				"dateRanges": []any{map[string]any{"startDate": "{{window.start}}", "endDate": "{{window.last}}"}},
				"dimensions": []any{map[string]any{"name": "date"}},
				"metrics":    []any{map[string]any{"name": "totalUsers"}},
				"offset":     "0", "limit": "2",
			}},
			Records:    "rows",
			Pagination: spec.Pagination{Type: "offset", Param: "offset", LimitParam: "limit", In: "body", TotalPath: total},
		}
	}
	ga4Vars := Vars{Params: map[string]string{"property": "123456789"}, Window: &Window{day("2022-07-31"), day("2022-08-01")}}
	ga4Body := func(offset string) string {
		return `{"dateRanges":[{"endDate":"2022-07-31","startDate":"2022-07-31"}],"dimensions":[{"name":"date"}],"limit":"2",` +
			`"metrics":[{"name":"totalUsers"}],"offset":"` + offset + `"}`
	}
	ga4Row := func(users string) string {
		return `{"dimensionValues":[{"value":"20220731"}],"metricValues":[{"value":"` + users + `"}]}`
	}

	tests := []struct {
		name    string
		base    string // appended to the server's URL
		stream  spec.Stream
		vars    Vars
		replies []reply
		idPath  string // gjson path of a record's identity
		want    []hit
		wantIDs [][]string // per page
	}{
		{
			name: "Meta cursor after, last page with only paging.cursors.before",
			base: "/v6.0",
			stream: spec.Stream{Request: metaMedia, Records: "data",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "paging.cursors.after", Param: "after", StopPath: "paging.next"}},
			vars:    Vars{AccountID: "17841406338772941"},
			replies: []reply{{body: fixture(t, "ig_user_media_p1_with_next.json")}, {body: fixture(t, "ig_user_media_page.json")}},
			idPath:  "id",
			want: []hit{
				{"GET", "/v6.0/17841406338772941/media", metaQuery, ""},
				{"GET", "/v6.0/17841406338772941/media", "after=after&" + metaQuery, ""},
			},
			wantIDs: [][]string{{"17895731045244887", "17896622936197745"}, {"84386203808767123", "90014330517797123", "66123508374641123", "36549181220554123"}},
		},
		{
			name: "Meta stop_path paging.next ends although an after cursor remains",
			base: "/v11.0",
			stream: spec.Stream{Request: spec.Request{Path: "/{{parent.id}}/comments"}, Records: "data",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "paging.cursors.after", Param: "after", StopPath: "paging.next"}},
			vars: Vars{Parent: map[string]string{"id": "17846368219941692"}},
			replies: []reply{
				{body: fixture(t, "ig_media_comments_p1.json")},
				{body: `{"data":[{"id":"17800000000000001","text":"third"}],"paging":{"cursors":{"before":"QVFIb2","after":"QVFIa2"}}}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/v11.0/17846368219941692/comments", "", ""},
				{"GET", "/v11.0/17846368219941692/comments", "after=after", ""},
			},
			wantIDs: [][]string{{"17858154961981086", "17874875428706419"}, {"17800000000000001"}},
		},
		{
			name: "Meta comments cursor, last page without paging",
			base: "/v11.0",
			stream: spec.Stream{Request: spec.Request{Path: "/{{parent.id}}/comments"}, Records: "data",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "paging.cursors.after", Param: "after"}},
			vars:    Vars{Parent: map[string]string{"id": "17846368219941692"}},
			replies: []reply{{body: fixture(t, "ig_media_comments_p1.json")}, {body: fixture(t, "ig_media_comments_p2_last.json")}},
			idPath:  "id",
			want: []hit{
				{"GET", "/v11.0/17846368219941692/comments", "", ""},
				{"GET", "/v11.0/17846368219941692/comments", "after=after", ""},
			},
			wantIDs: [][]string{{"17858154961981086", "17874875428706419"}, {"17892250648466172", "17914413430382429"}},
		},
		{
			name: "Meta next_url followed verbatim, access_token in its query included",
			base: "/v6.0",
			stream: spec.Stream{Request: metaMedia, Records: "data",
				Pagination: spec.Pagination{Type: "next_url", URLPath: "paging.next"}},
			vars: Vars{AccountID: "17841406338772941"},
			replies: []reply{
				{body: fixture(t, "ig_user_media_p1_with_next.json", graph, "{{server}}")},
				{body: fixture(t, "ig_media_comments_p2_last.json")},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/v6.0/17841406338772941/media", metaQuery, ""},
				{"GET", "/v6.0/17841406338772941/media", "access_token=access_token&pretty=0&fields=id%2Ccaption%2Ccomments_count%2C" +
					"children%7Bid%2Cmedia_type%2Cmedia_url%2Cpermalink%2Cshortcode%2Cthumbnail_url%2Ctimestamp%7D%2Clike_count%2C" +
					"media_type%2Cmedia_url%2Cpermalink%2Ctimestamp&limit=2&after=after", ""},
			},
			wantIDs: [][]string{{"17895731045244887", "17896622936197745"}, {"17892250648466172", "17914413430382429"}},
		},
		{
			name:   "X next_token to pagination_token, result_count 0 page without data, last page without next_token",
			base:   "/2",
			stream: xStream(0),
			vars:   xVars,
			replies: []reply{
				{body: fixture(t, "tweepy_users_tweets_recorded.json")},
				{body: `{"meta":{"result_count":0,"next_token":"7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peey"}}`},
				{body: `{"data":[{"id":"1540000000000000001","text":"older","edit_history_tweet_ids":["1540000000000000001"]}],"meta":{"result_count":1,"newest_id":"1540000000000000001","oldest_id":"1540000000000000001"}}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/2/users/2244994945/tweets", xQuery + "&" + xStart, ""},
				{"GET", "/2/users/2244994945/tweets", xQuery + "&pagination_token=7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex&" + xStart, ""},
				{"GET", "/2/users/2244994945/tweets", xQuery + "&pagination_token=7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peey&" + xStart, ""},
			},
			wantIDs: [][]string{{"1577730467436138524", "1565318587736285184"}, nil, {"1540000000000000001"}},
		},
		{
			name:    "X empty window: result_count 0, no data, no next_token",
			base:    "/2",
			stream:  xStream(0),
			vars:    xVars,
			replies: []reply{{body: `{"meta":{"result_count":0}}`}},
			idPath:  "id",
			want:    []hit{{"GET", "/2/users/2244994945/tweets", xQuery + "&" + xStart, ""}},
			wantIDs: [][]string{nil},
		},
		{
			name:   "X max_pages caps the chain",
			base:   "/2",
			stream: xStream(2),
			vars:   xVars,
			replies: []reply{
				{body: `{"data":[{"id":"1"}],"meta":{"result_count":1,"next_token":"t2"}}`},
				{body: `{"data":[{"id":"2"}],"meta":{"result_count":1,"next_token":"t3"}}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/2/users/2244994945/tweets", xQuery + "&" + xStart, ""},
				{"GET", "/2/users/2244994945/tweets", xQuery + "&pagination_token=t2&" + xStart, ""},
			},
			wantIDs: [][]string{{"1"}, {"2"}},
		},
		{
			name: "LinkedIn start/count offset until a short page",
			base: "/rest",
			stream: spec.Stream{Request: linkedIn, Records: "elements",
				Pagination: spec.Pagination{Type: "offset", Param: "start", LimitParam: "count", Limit: 2, TotalPath: "paging.total"}},
			vars: Vars{AccountID: "2414183"},
			replies: []reply{
				{body: fixture(t, "posts_by_author_page.json")},
				{body: `{"paging":{"start":2,"count":2,"total":5},"elements":[{"id":"urn:li:share:3"},{"id":"urn:li:share:4"}]}`},
				{body: `{"paging":{"start":4,"count":2,"total":5},"elements":[{"id":"urn:li:share:5"}]}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/rest/posts", linkedInQuery + "0", ""},
				{"GET", "/rest/posts", linkedInQuery + "2", ""},
				{"GET", "/rest/posts", linkedInQuery + "4", ""},
			},
			wantIDs: [][]string{{"urn:li:share:7145000000000000001", "urn:li:ugcPost:7144000000000000002"}, {"urn:li:share:3", "urn:li:share:4"}, {"urn:li:share:5"}},
		},
		{
			name: "LinkedIn offset stops when paging.total is reached",
			base: "/rest",
			stream: spec.Stream{Request: linkedIn, Records: "elements",
				Pagination: spec.Pagination{Type: "offset", Param: "start", LimitParam: "count", Limit: 2, TotalPath: "paging.total"}},
			vars: Vars{AccountID: "2414183"},
			replies: []reply{
				{body: fixture(t, "posts_by_author_page.json")},
				{body: `{"paging":{"start":2,"count":2,"total":4},"elements":[{"id":"urn:li:share:3"},{"id":"urn:li:share:4"}]}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/rest/posts", linkedInQuery + "0", ""},
				{"GET", "/rest/posts", linkedInQuery + "2", ""},
			},
			wantIDs: [][]string{{"urn:li:share:7145000000000000001", "urn:li:ugcPost:7144000000000000002"}, {"urn:li:share:3", "urn:li:share:4"}},
		},
		{
			name: "YouTube nextPageToken to pageToken",
			base: "/youtube/v3",
			stream: spec.Stream{
				Request: spec.Request{Path: "/playlistItems", Params: map[string]string{"part": "snippet,contentDetails", "playlistId": "{{vars.uploads}}", "maxResults": "2"}},
				Records: "items", Pagination: spec.Pagination{Type: "cursor", CursorPath: "nextPageToken", Param: "pageToken"}},
			vars: Vars{Params: map[string]string{"uploads": "UUfakeUploads"}},
			replies: []reply{
				{body: fixture(t, "playlist_items_p1.json")},
				{body: `{"kind":"youtube#playlistItemListResponse","prevPageToken":"CAIQAQ","pageInfo":{"totalResults":3,"resultsPerPage":2},"items":[{"kind":"youtube#playlistItem","id":"UExfakeThird"}]}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/youtube/v3/playlistItems", "maxResults=2&part=snippet%2CcontentDetails&playlistId=UUfakeUploads", ""},
				{"GET", "/youtube/v3/playlistItems", "maxResults=2&pageToken=CAoQAA&part=snippet%2CcontentDetails&playlistId=UUfakeUploads", ""},
			},
			wantIDs: [][]string{{"UExPVTJYTFl4bXNJS3BhVjhoMEFHRTA1c28wZkF3d2ZUdy41NkI0NEY2RDEwNTU3Q0M2", "UExPVTJYTFl4bXNJS3BhVjhoMEFHRTA1c28wZkF3d2ZUdy4yODlGNEE0NkRGMEEzMEQy"}, {"UExfakeThird"}},
		},
		{
			name: "YouTube Analytics startIndex from 1 until rows are missing",
			base: "/v2",
			stream: spec.Stream{
				Window: &spec.Window{Format: "date"},
				Request: spec.Request{Path: "/reports", Params: map[string]string{"ids": "channel==MINE", "metrics": "views", "dimensions": "day",
					"startDate": "{{window.start}}", "endDate": "{{window.last}}"}},
				Records:    "rows",
				Pagination: spec.Pagination{Type: "offset", Param: "startIndex", Start: intp(1), LimitParam: "maxResults", Limit: 2}},
			vars: Vars{Window: &Window{day("2025-03-10"), day("2025-03-20")}},
			replies: []reply{
				{body: fixture(t, "reports_query_day_views_sparse.json")},
				{body: `{"kind":"youtubeAnalytics#resultTable","columnHeaders":[{"name":"day","columnType":"DIMENSION","dataType":"STRING"}],"rows":[["2025-03-18",7],["2025-03-19",1]]}`},
				{body: `{"kind":"youtubeAnalytics#resultTable","columnHeaders":[{"name":"day","columnType":"DIMENSION","dataType":"STRING"}]}`},
			},
			idPath: "0",
			want: []hit{
				{"GET", "/v2/reports", "dimensions=day&endDate=2025-03-19&ids=channel%3D%3DMINE&maxResults=2&metrics=views&startDate=2025-03-10&startIndex=1", ""},
				{"GET", "/v2/reports", "dimensions=day&endDate=2025-03-19&ids=channel%3D%3DMINE&maxResults=2&metrics=views&startDate=2025-03-10&startIndex=3", ""},
				{"GET", "/v2/reports", "dimensions=day&endDate=2025-03-19&ids=channel%3D%3DMINE&maxResults=2&metrics=views&startDate=2025-03-10&startIndex=5", ""},
			},
			wantIDs: [][]string{{"2025-03-12", "2025-03-15"}, {"2025-03-18", "2025-03-19"}, nil},
		},
		{
			name: "TikTok Display POST body cursor in ms until has_more is false",
			base: "/v2",
			stream: spec.Stream{
				Request: spec.Request{Method: "POST", Path: "/video/list/", Params: map[string]string{"fields": "id,create_time"},
					Body: map[string]any{"max_count": 2, "cursor": "{{window.end|unix_ms}}"}},
				Records:    "data.videos",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body", HasMorePath: "data.has_more"}},
			vars: Vars{Window: &Window{day("2024-01-01"), day("2024-02-01")}},
			replies: []reply{
				{body: fixture(t, "display_video_list_page.json")},
				{body: `{"data":{"videos":[{"id":"7320000000000000000","create_time":1704153600}],"cursor":1704153600000,"has_more":false},"error":{"code":"ok","message":"","log_id":"fake"}}`},
			},
			idPath: "id",
			want: []hit{
				{"POST", "/v2/video/list/", "fields=id%2Ccreate_time", `{"cursor":1706745600000,"max_count":2}`},
				{"POST", "/v2/video/list/", "fields=id%2Ccreate_time", `{"cursor":1705622400000,"max_count":2}`},
			},
			wantIDs: [][]string{{"7329871234567890123", "7325000000000000000"}, {"7320000000000000000"}},
		},
		{
			name: "TikTok Research body cursor with carried search_id",
			base: "/v2",
			stream: spec.Stream{
				Request: spec.Request{Method: "POST", Path: "/research/video/query/", Params: map[string]string{"fields": "id,create_time"},
					Body: map[string]any{
						"query":      map[string]any{"and": []any{map[string]any{"operation": "IN", "field_name": "region_code", "field_values": []any{"US"}}}},
						"start_date": "{{window.start|yyyymmdd}}", "end_date": "{{window.last|yyyymmdd}}", "max_count": 1, "cursor": 0,
					}},
				Records: "data.videos",
				Pagination: spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body", HasMorePath: "data.has_more",
					Carry: map[string]string{"search_id": "data.search_id"}}},
			vars: Vars{Window: &Window{day("2025-05-01"), day("2025-05-31")}},
			replies: []reply{
				{body: fixture(t, "research_video_query_page.json")},
				{body: `{"data":{"videos":[{"id":"7213456789012345680","create_time":1746316800}],"cursor":40,"has_more":true,"search_id":"7213456789012345679"},"error":{"code":"ok","message":"","log_id":"fake"}}`},
				{body: `{"data":{"videos":[],"cursor":40,"has_more":false,"search_id":"7213456789012345679"},"error":{"code":"ok","message":"","log_id":"fake"}}`},
			},
			idPath: "id",
			want: []hit{
				{"POST", "/v2/research/video/query/", "fields=id%2Ccreate_time", `{"cursor":0,"end_date":"20250530","max_count":1,"query":{"and":[{"field_name":"region_code","field_values":["US"],"operation":"IN"}]},"start_date":"20250501"}`},
				{"POST", "/v2/research/video/query/", "fields=id%2Ccreate_time", `{"cursor":20,"end_date":"20250530","max_count":1,"query":{"and":[{"field_name":"region_code","field_values":["US"],"operation":"IN"}]},"search_id":"7213456789012345679","start_date":"20250501"}`},
				{"POST", "/v2/research/video/query/", "fields=id%2Ccreate_time", `{"cursor":40,"end_date":"20250530","max_count":1,"query":{"and":[{"field_name":"region_code","field_values":["US"],"operation":"IN"}]},"search_id":"7213456789012345679","start_date":"20250501"}`},
			},
			wantIDs: [][]string{{"7213456789012345678"}, {"7213456789012345680"}, {}},
		},
		{
			name:   "GA4 runReport body offset/limit as strings until a response without rows",
			base:   "/v1beta",
			stream: ga4("rowCount"),
			vars:   ga4Vars,
			replies: []reply{
				{body: fixture(t, "run_report_date_device.json")},
				{body: `{"rows":[` + ga4Row("12") + `,` + ga4Row("13") + `],"rowCount":54,"kind":"analyticsData#runReport"}`},
				{body: `{"dimensionHeaders":[{"name":"date"}],"metricHeaders":[{"name":"totalUsers","type":"TYPE_INTEGER"}],"rowCount":54,"metadata":{"currencyCode":"USD","timeZone":"America/Los_Angeles"},"kind":"analyticsData#runReport"}`},
			},
			idPath: "metricValues.0.value",
			want: []hit{
				{"POST", "/v1beta/properties/123456789:runReport", "", ga4Body("0")},
				{"POST", "/v1beta/properties/123456789:runReport", "", ga4Body("2")},
				{"POST", "/v1beta/properties/123456789:runReport", "", ga4Body("4")},
			},
			wantIDs: [][]string{{"344", "322"}, {"12", "13"}, nil},
		},
		{
			name:   "GA4 stops once offset reaches rowCount",
			base:   "/v1beta",
			stream: ga4("rowCount"),
			vars:   ga4Vars,
			replies: []reply{
				{body: `{"rows":[` + ga4Row("1") + `,` + ga4Row("2") + `],"rowCount":4}`},
				{body: `{"rows":[` + ga4Row("3") + `,` + ga4Row("4") + `],"rowCount":4}`},
			},
			idPath: "metricValues.0.value",
			want: []hit{
				{"POST", "/v1beta/properties/123456789:runReport", "", ga4Body("0")},
				{"POST", "/v1beta/properties/123456789:runReport", "", ga4Body("2")},
			},
			wantIDs: [][]string{{"1", "2"}, {"3", "4"}},
		},
		{
			name: "Mastodon Link header rel=next followed verbatim",
			base: "/api/v1",
			stream: spec.Stream{Request: spec.Request{Path: "/accounts/{{account_id}}/statuses", Params: map[string]string{"limit": "5"}},
				Pagination: spec.Pagination{Type: "link_header"}},
			vars: Vars{AccountID: "117020565966271181"},
			replies: []reply{
				{body: fixture(t, "account_statuses_p1.json"), link: mastodonLink(t, "page1")},
				{body: `[{"id":"117020580481736214"},{"id":"117020580452511285"}]`, link: mastodonLink(t, "page2_via_max_id")},
				{body: `[]`, link: `<{{server}}/api/v1/accounts/117020565966271181/statuses?limit=5&min_id=117020580452511284>; rel="prev"`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/api/v1/accounts/117020565966271181/statuses", "limit=5", ""},
				{"GET", "/api/v1/accounts/117020565966271181/statuses", "limit=5&max_id=117020580489281910", ""},
				{"GET", "/api/v1/accounts/117020565966271181/statuses", "limit=5&max_id=117020580452511285", ""},
			},
			wantIDs: [][]string{{"117020580518794573", "117020580511453871"}, {"117020580481736214", "117020580452511285"}, {}},
		},
		{
			name: "page numbers from 1 until an empty page",
			stream: spec.Stream{Request: spec.Request{Path: "/items"}, Records: "items",
				Pagination: spec.Pagination{Type: "page", Param: "page", LimitParam: "per_page", Limit: 2}},
			replies: []reply{
				{body: `{"items":[{"id":1},{"id":2}]}`},
				{body: `{"items":[{"id":3},{"id":4}]}`},
				{body: `{"items":[]}`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/items", "page=1&per_page=2", ""},
				{"GET", "/items", "page=2&per_page=2", ""},
				{"GET", "/items", "page=3&per_page=2", ""},
			},
			wantIDs: [][]string{{"1", "2"}, {"3", "4"}, {}},
		},
		{
			name: "page numbers until a short page",
			stream: spec.Stream{Request: spec.Request{Path: "/items", Params: map[string]string{"per_page": "2"}},
				Pagination: spec.Pagination{Type: "page", Param: "p", Start: intp(0), LimitParam: "per_page"}},
			replies: []reply{
				{body: `[{"id":"a"},{"id":"b"}]`},
				{body: `[{"id":"c"}]`},
			},
			idPath: "id",
			want: []hit{
				{"GET", "/items", "p=0&per_page=2", ""},
				{"GET", "/items", "p=1&per_page=2", ""},
			},
			wantIDs: [][]string{{"a", "b"}, {"c"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newScriptedAPI(t, tc.replies)
			first, err := BuildRequest(api.URL+tc.base, &spec.Spec{}, &tc.stream, tc.vars)
			if err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			var ids [][]string
			for page, err := range Pages(t.Context(), httpDoer{}, first, &tc.stream) {
				if err != nil {
					t.Fatalf("page %d: %v", len(ids)+1, err)
				}
				if page.Number != len(ids)+1 {
					t.Errorf("page.Number = %d, want %d", page.Number, len(ids)+1)
				}
				var pageIDs []string
				if page.Records != nil {
					pageIDs = []string{}
				}
				for _, rec := range page.Records {
					pageIDs = append(pageIDs, gjson.Get(rec, tc.idPath).String())
				}
				ids = append(ids, pageIDs)
			}
			if got := api.received(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("requests:\n%s\nwant:\n%s", formatHits(got), formatHits(tc.want))
			}
			if !reflect.DeepEqual(ids, tc.wantIDs) {
				t.Errorf("records = %q, want %q", ids, tc.wantIDs)
			}
		})
	}
}

func formatHits(hits []hit) string {
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "  %s %s ?%s %s\n", h.Method, h.Path, h.Query, h.Body)
	}
	return b.String()
}

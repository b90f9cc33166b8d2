package httpapi

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/internal/spec"
)

func TestNewPaginatorErrors(t *testing.T) {
	tests := []struct {
		name string
		p    spec.Pagination
		want string
	}{
		{"unknown type", spec.Pagination{Type: "cursr"}, `pagination: unknown type "cursr" (use none, cursor, next_url, link_header, offset or page)`},
		{"cursor without path", spec.Pagination{Type: "cursor", Param: "after"}, "pagination cursor: cursor_path and param are required"},
		{"next_url without path", spec.Pagination{Type: "next_url"}, "pagination next_url: url_path is required"},
		{"offset without param", spec.Pagination{Type: "offset"}, "pagination offset: param is required"},
		{"bad in", spec.Pagination{Type: "page", Param: "page", In: "header"}, `pagination: unknown in "header" (use query or body)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPaginator(tc.p)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestPaginatorNext checks one step of each paginator: the request it derives from the
// previous request and its response, or why it stops.
func TestPaginatorNext(t *testing.T) {
	get := func(rawURL string, q url.Values) *Request {
		if q == nil {
			q = url.Values{}
		}
		return &Request{Method: "GET", URL: rawURL, Query: q, Header: http.Header{}}
	}
	post := func(body string) *Request {
		return &Request{Method: "POST", URL: "https://api.example.com/report", Query: url.Values{},
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
	}
	tests := []struct {
		name    string
		p       spec.Pagination
		prev    *Request
		body    string
		link    []string
		records int
		want    *Request
		wantErr string
	}{
		{
			name: "cursor into query",
			p:    spec.Pagination{Type: "cursor", CursorPath: "meta.next_token", Param: "pagination_token"},
			prev: get("https://api.x.com/2/users/1/tweets", url.Values{"max_results": {"5"}}),
			body: `{"meta":{"next_token":"7140dibd"}}`, records: 5,
			want: get("https://api.x.com/2/users/1/tweets", url.Values{"max_results": {"5"}, "pagination_token": {"7140dibd"}}),
		},
		{
			name: "cursor missing ends", p: spec.Pagination{Type: "cursor", CursorPath: "meta.next_token", Param: "pagination_token"},
			prev: get("https://api.x.com/2/users/1/tweets", nil), body: `{"meta":{"result_count":0}}`,
		},
		{
			name: "empty cursor ends", p: spec.Pagination{Type: "cursor", CursorPath: "after", Param: "after"},
			prev: get("https://a.example/x", nil), body: `{"after":""}`, records: 3,
		},
		{
			name: "null cursor ends (Reddit after:null)", p: spec.Pagination{Type: "cursor", CursorPath: "data.after", Param: "after"},
			prev: get("https://a.example/x", nil), body: `{"data":{"after":null}}`, records: 3,
		},
		{
			name: "repeated cursor is an error", p: spec.Pagination{Type: "cursor", CursorPath: "next", Param: "page_token"},
			prev: get("https://a.example/x", url.Values{"page_token": {"abc"}}), body: `{"next":"abc"}`, records: 3,
			wantErr: `pagination did not advance: the response's next repeats the request's page_token="abc"`,
		},
		{
			name: "repeated numeric body cursor is an error", p: spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body"},
			prev: post(`{"cursor":20}`), body: `{"data":{"cursor":20,"has_more":true}}`, records: 1,
			wantErr: `pagination did not advance: the response's data.cursor repeats the request's cursor="20"`,
		},
		{
			name: "has_more false ends though a cursor is given",
			p:    spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body", HasMorePath: "data.has_more"},
			prev: post(`{"max_count":20}`), body: `{"data":{"cursor":1705622400000,"has_more":false}}`, records: 2,
		},
		{
			name: "has_more absent ends",
			p:    spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body", HasMorePath: "data.has_more"},
			prev: post(`{}`), body: `{"data":{"cursor":1}}`, records: 2,
		},
		{
			name: "stop path absent ends (Meta last page with only cursors.before)",
			p:    spec.Pagination{Type: "cursor", CursorPath: "paging.cursors.after", Param: "after", StopPath: "paging.next"},
			prev: get("https://graph.example/1/media", nil), body: `{"data":[],"paging":{"cursors":{"before":"b","after":"a"}}}`, records: 2,
		},
		{
			name: "body cursor keeps the API's number type, carry copies search_id",
			p: spec.Pagination{Type: "cursor", CursorPath: "data.cursor", Param: "cursor", In: "body",
				Carry: map[string]string{"search_id": "data.search_id"}},
			prev: post(`{"max_count":1,"cursor":0}`), body: `{"data":{"cursor":20,"has_more":true,"search_id":"7213456789012345679"}}`, records: 1,
			want: post(`{"cursor":20,"max_count":1,"search_id":"7213456789012345679"}`),
		},
		{
			name: "carry absent keeps the previous value",
			p: spec.Pagination{Type: "cursor", CursorPath: "c", Param: "c", In: "body",
				Carry: map[string]string{"search_id": "sid"}},
			prev: post(`{"c":"x","search_id":"s1"}`), body: `{"c":"y"}`, records: 1,
			want: post(`{"c":"y","search_id":"s1"}`),
		},
		{
			name: "object cursor is an error", p: spec.Pagination{Type: "cursor", CursorPath: "next", Param: "next"},
			prev: get("https://a.example/x", nil), body: `{"next":{"a":1}}`, records: 1,
			wantErr: "pagination cursor: next holds a JSON object or array, not a string or number",
		},
		{
			name: "next_url followed verbatim, query dropped",
			p:    spec.Pagination{Type: "next_url", URLPath: "paging.next"},
			prev: get("https://graph.example/v6.0/1/media", url.Values{"limit": {"2"}}),
			body: `{"paging":{"next":"https://graph.example/v6.0/1/media?access_token=fake-token&fields=id%2Cchildren%7Bid%7D&after=QVF"}}`, records: 2,
			want: get("https://graph.example/v6.0/1/media?access_token=fake-token&fields=id%2Cchildren%7Bid%7D&after=QVF", nil),
		},
		{
			name: "relative next_url resolves against the previous URL (LinkedIn links)",
			p:    spec.Pagination{Type: "next_url", URLPath: "paging.links.#(rel==\"next\").href"},
			prev: get("https://api.linkedin.example/rest/posts", url.Values{"start": {"0"}}),
			body: `{"paging":{"links":[{"rel":"prev","href":"/rest/posts?start=0"},{"rel":"next","href":"/rest/posts?count=2&q=author&start=2"}]}}`, records: 2,
			want: get("https://api.linkedin.example/rest/posts?count=2&q=author&start=2", nil),
		},
		{
			name: "next_url on another host is refused",
			p:    spec.Pagination{Type: "next_url", URLPath: "next"},
			prev: get("https://graph.example/v6.0/1/media", nil),
			body: `{"next":"https://evil.example/steal?access_token=fake-token"}`, records: 2,
			wantErr: "pagination: refusing the next page URL on https://evil.example: requests of this chain go to https://graph.example, and credentials must not be sent elsewhere",
		},
		{
			name: "next_url downgrading to http is refused",
			p:    spec.Pagination{Type: "next_url", URLPath: "next"},
			prev: get("https://graph.example/v6.0/1/media", nil),
			body: `{"next":"http://graph.example/v6.0/1/media?after=x"}`, records: 2,
			wantErr: "pagination: refusing the next page URL on http://graph.example: requests of this chain go to https://graph.example, and credentials must not be sent elsewhere",
		},
		{
			name: "next_url equal to the previous request is an error",
			p:    spec.Pagination{Type: "next_url", URLPath: "next"},
			prev: get("https://graph.example/1/media?b=2", url.Values{"a": {"1"}}),
			body: `{"next":"https://graph.example/1/media?a=1&b=2"}`, records: 2,
			wantErr: "pagination did not advance: the next page URL repeats the previous request (https://graph.example/1/media)",
		},
		{
			name: "link header rel next",
			p:    spec.Pagination{Type: "link_header"},
			prev: get("https://mastodon.example/api/v1/accounts/1/statuses", url.Values{"limit": {"5"}}),
			link: []string{`<https://mastodon.example/api/v1/accounts/1/statuses?limit=5&max_id=117>; rel="next", <https://mastodon.example/api/v1/accounts/1/statuses?limit=5&min_id=118>; rel="prev"`},
			want: get("https://mastodon.example/api/v1/accounts/1/statuses?limit=5&max_id=117", nil),
		},
		{
			name: "link header with only prev ends",
			p:    spec.Pagination{Type: "link_header"},
			prev: get("https://mastodon.example/api/v1/x", nil),
			link: []string{`<https://mastodon.example/api/v1/x?min_id=118>; rel="prev"`},
		},
		{
			name: "link header custom rel, several values and relations",
			p:    spec.Pagination{Type: "link_header", Rel: "older"},
			prev: get("https://h.example/a", nil),
			link: []string{`<https://h.example/a?p=0>; rel=first`, `<https://h.example/a?p=2,3>; title="x, y"; rel="next older"`},
			want: get("https://h.example/a?p=2,3", nil),
		},
		{
			name:    "malformed link header is an error",
			p:       spec.Pagination{Type: "link_header"},
			prev:    get("https://h.example/a", nil),
			link:    []string{`https://h.example/a?p=2; rel="next"`},
			wantErr: "pagination link_header: malformed Link header: expected <uri>",
		},
		{
			name: "offset advances by the page's records",
			p:    spec.Pagination{Type: "offset", Param: "start", LimitParam: "count", Limit: 2},
			prev: get("https://api.linkedin.example/rest/posts", url.Values{"start": {"2"}, "count": {"2"}}), records: 2, body: `{}`,
			want: get("https://api.linkedin.example/rest/posts", url.Values{"start": {"4"}, "count": {"2"}}),
		},
		{
			name: "offset short page ends",
			p:    spec.Pagination{Type: "offset", Param: "start", LimitParam: "count", Limit: 2},
			prev: get("https://a.example/x", url.Values{"start": {"2"}}), records: 1, body: `{}`,
		},
		{
			name: "offset total reached ends",
			p:    spec.Pagination{Type: "offset", Param: "offset", TotalPath: "rowCount", In: "body"},
			prev: post(`{"offset":"2","limit":"2"}`), body: `{"rowCount":4}`, records: 2,
		},
		{
			name: "offset in body keeps strings and reads the page size from the body",
			p:    spec.Pagination{Type: "offset", Param: "offset", LimitParam: "limit", TotalPath: "rowCount", In: "body"},
			prev: post(`{"offset":"2","limit":"2"}`), body: `{"rowCount":54}`, records: 2,
			want: post(`{"limit":"2","offset":"4"}`),
		},
		{
			name: "1-based offset counts consumed rows from start",
			p:    spec.Pagination{Type: "offset", Param: "startIndex", Start: intp(1), TotalPath: "total"},
			prev: get("https://a.example/r", url.Values{"startIndex": {"3"}}), body: `{"total":4}`, records: 2,
		},
		{
			name: "offset not an integer is an error",
			p:    spec.Pagination{Type: "offset", Param: "start"},
			prev: get("https://a.example/x", url.Values{"start": {"x"}}), records: 2, body: `{}`,
			wantErr: `pagination: request's start="x" is not an integer`,
		},
		{
			name: "page number counts up",
			p:    spec.Pagination{Type: "page", Param: "page", LimitParam: "per_page", Limit: 2},
			prev: get("https://a.example/x", url.Values{"page": {"1"}}), records: 2, body: `[]`,
			want: get("https://a.example/x", url.Values{"page": {"2"}}),
		},
		{
			name: "page number absent starts from Start",
			p:    spec.Pagination{Type: "page", Param: "page"},
			prev: get("https://a.example/x", nil), records: 2, body: `[]`,
			want: get("https://a.example/x", url.Values{"page": {"2"}}),
		},
		{
			name: "page total record count reached ends",
			p:    spec.Pagination{Type: "page", Param: "page", LimitParam: "per_page", Limit: 2, TotalPath: "total"},
			prev: get("https://a.example/x", url.Values{"page": {"2"}}), records: 2, body: `{"total":4}`,
		},
		{
			name: "page total record count not reached goes on",
			p:    spec.Pagination{Type: "page", Param: "page", LimitParam: "per_page", Limit: 2, TotalPath: "total"},
			prev: get("https://a.example/x", url.Values{"page": {"2"}}), records: 2, body: `{"total":5}`,
			want: get("https://a.example/x", url.Values{"page": {"3"}}),
		},
		{
			name: "empty page ends",
			p:    spec.Pagination{Type: "page", Param: "page"},
			prev: get("https://a.example/x", url.Values{"page": {"3"}}), records: 0, body: `[]`,
		},
		{
			name: "none is one page",
			p:    spec.Pagination{},
			prev: get("https://a.example/x", nil), records: 10, body: `{"next":"x"}`,
		},
		{
			name: "max pages 1 stops at once",
			p:    spec.Pagination{Type: "cursor", CursorPath: "next", Param: "next", MaxPages: 1},
			prev: get("https://a.example/x", nil), records: 10, body: `{"next":"x"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := NewPaginator(tc.p)
			if err != nil {
				t.Fatalf("NewPaginator: %v", err)
			}
			resp := &Response{Status: 200, Header: http.Header{"Link": tc.link}, Body: []byte(tc.body)}
			before := tc.prev.Clone()
			got, err := pg.Next(tc.prev, resp, tc.records)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				if got != nil {
					t.Errorf("Next = %+v (body %s), want %+v", *got, got.Body, tc.want)
				} else {
					t.Errorf("Next = nil, want %+v", *tc.want)
				}
			}
			if !reflect.DeepEqual(tc.prev, before) {
				t.Errorf("Next modified the previous request: %+v, was %+v", *tc.prev, *before)
			}
		})
	}
}

func TestMaxPagesCapsAChain(t *testing.T) {
	pg, err := NewPaginator(spec.Pagination{Type: "page", Param: "page", MaxPages: 3})
	if err != nil {
		t.Fatal(err)
	}
	req := &Request{Method: "GET", URL: "https://a.example/x", Query: url.Values{"page": {"1"}}}
	var pages []string
	for req != nil {
		pages = append(pages, req.Query.Get("page"))
		if req, err = pg.Next(req, &Response{Body: []byte(`[]`)}, 5); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"1", "2", "3"}; !reflect.DeepEqual(pages, want) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
}

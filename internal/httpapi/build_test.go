package httpapi

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/internal/spec"
)

func intp(n int) *int { return &n }

func TestBuildRequest(t *testing.T) {
	tests := []struct {
		name   string
		base   string
		source spec.Spec
		stream spec.Stream
		vars   Vars
		want   Request
	}{
		{
			name:   "GET by default, Graph field expansion needs no escaping",
			base:   "https://graph.facebook.com/v19.0/",
			source: spec.Spec{Headers: map[string]string{"Accept": "application/json", "X-Account": "{{account_id}}"}},
			stream: spec.Stream{Request: spec.Request{
				Path:   "/{{account_id}}/media",
				Params: map[string]string{"fields": "id,caption,children{id,media_type}", "limit": "25", "after": "{{cursor}}"},
			}},
			vars: Vars{AccountID: "17841406338772941"},
			want: Request{
				Method: "GET",
				URL:    "https://graph.facebook.com/v19.0/17841406338772941/media",
				Query:  url.Values{"fields": {"id,caption,children{id,media_type}"}, "limit": {"25"}},
				Header: http.Header{"Accept": {"application/json"}, "X-Account": {"17841406338772941"}},
			},
		},
		{
			name: "path values are escaped: slash, question mark, dot segments",
			base: "https://api.example.com",
			stream: spec.Stream{Request: spec.Request{
				Path: "/accounts/{{account_id}}/items/{{parent.id}}/{{vars.up}}",
			}},
			vars: Vars{AccountID: "a/b?c=d#e", Parent: map[string]string{"id": "x y"}, Params: map[string]string{"up": ".."}},
			want: Request{
				Method: "GET",
				URL:    "https://api.example.com/accounts/a%2Fb%3Fc=d%23e/items/x%20y/%2E%2E",
				Query:  url.Values{},
				Header: http.Header{},
			},
		},
		{
			name:   "stream header overrides the spec's, window params in the window's format",
			base:   "https://api.x.com/2",
			source: spec.Spec{Headers: map[string]string{"LinkedIn-Version": "202401", "X-Window": "{{window.start|date}}"}},
			stream: spec.Stream{
				Window: &spec.Window{Format: "rfc3339"},
				Request: spec.Request{
					Path:    "users/{{account_id}}/tweets",
					Params:  map[string]string{"start_time": "{{window.start}}", "end_time": "{{window.end}}", "since": "{{window.start|unix}}"},
					Headers: map[string]string{"LinkedIn-Version": "202406"},
				},
			},
			vars: Vars{AccountID: "2244994945", Window: &Window{day("2024-01-15"), day("2024-01-16")}},
			want: Request{
				Method: "GET",
				URL:    "https://api.x.com/2/users/2244994945/tweets",
				Query: url.Values{"start_time": {"2024-01-15T00:00:00Z"}, "end_time": {"2024-01-16T00:00:00Z"},
					"since": {"1705276800"}},
				Header: http.Header{"Linkedin-Version": {"202406"}, "X-Window": {"2024-01-15"}},
			},
		},
		{
			name: "POST body rendered recursively with typed placeholders",
			base: "https://analyticsdata.googleapis.com/v1beta",
			stream: spec.Stream{
				Window: &spec.Window{Format: "date"},
				Request: spec.Request{
					Method: "post",
					Path:   "/properties/{{vars.property}}:runReport",
					Body: map[string]any{
						"dateRanges": []any{map[string]any{"startDate": "{{window.start}}", "endDate": "{{window.last}}"}},
						"metrics":    []any{map[string]any{"name": "activeUsers"}},
						"since":      "{{window.start|unix}}",
						"label":      "from {{window.start|unix}}",
						"keep":       false,
						"n":          3,
						"ratio":      0.5,
						"none":       nil,
						"filter":     "a<b&c",
					},
				},
			},
			vars: Vars{Params: map[string]string{"property": "123456789"}, Window: &Window{day("2024-01-01"), day("2024-01-31")}},
			want: Request{
				Method: "POST",
				URL:    "https://analyticsdata.googleapis.com/v1beta/properties/123456789:runReport",
				Query:  url.Values{},
				Header: http.Header{"Content-Type": {"application/json"}},
				Body: []byte(`{"dateRanges":[{"endDate":"2024-01-30","startDate":"2024-01-01"}],"filter":"a<b&c","keep":false,` +
					`"label":"from 1704067200","metrics":[{"name":"activeUsers"}],"n":3,"none":null,"ratio":0.5,"since":1704067200}`),
			},
		},
		{
			name: "offset pagination adds its start and page size",
			base: "https://api.linkedin.com/rest",
			stream: spec.Stream{
				Request:    spec.Request{Path: "posts", Params: map[string]string{"q": "author"}},
				Pagination: spec.Pagination{Type: "offset", Param: "start", LimitParam: "count", Limit: 10},
			},
			want: Request{
				Method: "GET", URL: "https://api.linkedin.com/rest/posts",
				Query:  url.Values{"q": {"author"}, "start": {"0"}, "count": {"10"}},
				Header: http.Header{},
			},
		},
		{
			name: "body pagination keeps what the template set, adds the rest as numbers",
			base: "https://example.com",
			stream: spec.Stream{
				Request:    spec.Request{Method: "POST", Path: "report", Body: map[string]any{"limit": "50"}},
				Pagination: spec.Pagination{Type: "page", Param: "page", In: "body", LimitParam: "limit", Limit: 50, Start: intp(0)},
			},
			want: Request{
				Method: "POST", URL: "https://example.com/report", Query: url.Values{},
				Header: http.Header{"Content-Type": {"application/json"}},
				Body:   []byte(`{"limit":"50","page":0}`),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BuildRequest(tc.base, &tc.source, &tc.stream, tc.vars)
			if err != nil {
				t.Fatalf("BuildRequest: %v", err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("BuildRequest =\n%+v\nwant\n%+v\nbody %s", *got, tc.want, got.Body)
			}
		})
	}
}

func TestBuildRequestErrors(t *testing.T) {
	tests := []struct {
		name   string
		stream spec.Stream
		vars   Vars
		want   string
	}{
		{"parent field missing in path", spec.Stream{Request: spec.Request{Path: "/{{parent.id}}/comments"}},
			Vars{AccountID: "1"}, "path: missing variable {{parent.id}}: no parent record"},
		{"empty path value", spec.Stream{Request: spec.Request{Path: "/{{parent.id}}/comments"}},
			Vars{Parent: map[string]string{"id": ""}}, "path: {{parent.id}} is empty"},
		{"var missing in param", spec.Stream{Request: spec.Request{Path: "/x", Params: map[string]string{"q": "{{vars.query}}"}}},
			Vars{}, `param q: missing variable {{vars.query}}: the account sets no var "query"`},
		{"missing variable deep in body", spec.Stream{Request: spec.Request{Path: "/x", Body: map[string]any{
			"dateRanges": []any{map[string]any{"startDate": "{{window.start}}"}}}}},
			Vars{}, "body.dateRanges[0].startDate: missing variable {{window.start}}: the stream has no date window"},
		{"unsupported body type", spec.Stream{Request: spec.Request{Path: "/x", Body: map[string]any{"k": map[int]any{1: "a"}}}},
			Vars{}, "body.k: unsupported body value of type map[int]interface {} (use maps with string keys, lists and scalars)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildRequest("https://example.com", &spec.Spec{}, &tc.stream, tc.vars)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSelectRecords(t *testing.T) {
	tests := []struct {
		name, body, path string
		want             []string
		wantErr          string
	}{
		{"array at path", `{"data":[{"id":"1"}, {"id":"2"}],"meta":{}}`, "data", []string{`{"id":"1"}`, `{"id":"2"}`}, ""},
		{"nested path", `{"data":{"videos":[{"id":7}]}}`, "data.videos", []string{`{"id":7}`}, ""},
		{"body is the array", `[{"id":"a"},{"id":"b"}]`, "", []string{`{"id":"a"}`, `{"id":"b"}`}, ""},
		{"@this object is one record", `{"id":"17841406338772941","username":"x"}`, "@this", []string{`{"id":"17841406338772941","username":"x"}`}, ""},
		{"object at path is one record", `{"data":{"user":{"open_id":"o1"}}}`, "data.user", []string{`{"open_id":"o1"}`}, ""},
		{"array of arrays (YouTube Analytics rows)", `{"rows":[["2025-03-12",4],["2025-03-15",2]]}`, "rows", []string{`["2025-03-12",4]`, `["2025-03-15",2]`}, ""},
		{"missing is no records (X result_count 0)", `{"meta":{"result_count":0}}`, "data", nil, ""},
		{"null is no records", `{"data":null}`, "data", nil, ""},
		{"empty array", `{"data":[]}`, "data", []string{}, ""},
		{"big ids stay text", `{"data":[{"id":17895731045244887123}]}`, "data", []string{`{"id":17895731045244887123}`}, ""},
		{"scalar is an error", `{"data":"nope"}`, "data", nil, `select records: "data" holds a string, not an array or an object`},
		{"number is an error", `{"total":5}`, "total", nil, `select records: "total" holds a number, not an array or an object`},
		{"not JSON", `<html>`, "data", nil, "select records: response body is not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SelectRecords([]byte(tc.body), tc.path)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("SelectRecords: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("SelectRecords = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func BenchmarkSelectRecords(b *testing.B) {
	var body []byte
	body = append(body, `{"data":[`...)
	for i := range 100 {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"id":"17895731045244887","caption":"a caption of some length #tag","media_type":"IMAGE","like_count":12,"timestamp":"2021-08-13T08:25:28+0000"}`...)
	}
	body = append(body, `],"paging":{"cursors":{"after":"QVFI"}}}`...)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		recs, err := SelectRecords(body, "data")
		if err != nil || len(recs) != 100 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}

func BenchmarkBuildRequest(b *testing.B) {
	st := &spec.Stream{
		Window: &spec.Window{Format: "rfc3339"},
		Request: spec.Request{Path: "/users/{{account_id}}/tweets", Params: map[string]string{
			"max_results": "100", "start_time": "{{window.start}}", "end_time": "{{window.end}}", "tweet.fields": "created_at,public_metrics"}},
	}
	v := Vars{AccountID: "2244994945", Window: &Window{day("2024-01-15"), day("2024-01-16")}}
	for b.Loop() {
		if _, err := BuildRequest("https://api.x.com/2", &spec.Spec{}, st, v); err != nil {
			b.Fatal(err)
		}
	}
}

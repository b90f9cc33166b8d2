package spec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
)

// base returns a valid spec with one incremental stream "posts" (window + date) and one
// child stream "comments", for cases to modify.
func base() *Spec {
	return &Spec{
		Name:    "acme",
		BaseURL: "https://api.acme.test",
		File:    "code",
		Streams: map[string]*Stream{
			"posts": {
				Request: Request{Path: "/posts", Params: map[string]string{"since": "{{window.start|unix}}"}},
				Window:  &Window{},
				Date:    &DateRule{Field: "created_at"},
				Fields:  []schema.Field{{Name: "id", Type: schema.String}},
			},
			"comments": {
				Parent:  &Parent{Stream: "posts", Fields: map[string]string{"post_id": "id"}},
				Request: Request{Path: "/posts/{{parent.id}}/comments"},
			},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Spec)
		want   []string // problem lines; none for a valid spec
	}{
		{"valid", func(*Spec) {}, nil},
		{"child uses the parent's window", func(s *Spec) {
			s.Streams["comments"].Request.Params = map[string]string{"until": "{{window.end|rfc3339}}"}
		}, nil},
		{"cursor placeholder with pagination", func(s *Spec) {
			s.Streams["posts"].Pagination = Pagination{Type: PageCursor, CursorPath: "next", Param: "c"}
			s.Streams["posts"].Request.Headers = map[string]string{"X-Cursor": "{{cursor}}"}
		}, nil},
		{"cursor placeholder without pagination", func(s *Spec) {
			s.Streams["posts"].Request.Headers = map[string]string{"X-Cursor": "{{cursor}}"}
		}, []string{"code: streams.posts.request.headers.X-Cursor: {{cursor}} needs pagination (set pagination.type)"}},
		{"format on a non-window placeholder", func(s *Spec) {
			s.Streams["posts"].Request.Path = "/u/{{account_id|unix}}"
		}, []string{"code: streams.posts.request.path: {{account_id|unix}}: formats apply only to window placeholders"}},
		{"window layout in placeholder", func(s *Spec) {
			s.Streams["posts"].Request.Params["month"] = "{{window.start|2006-01}}"
		}, nil},
		{"incremental stream without window walks every page", func(s *Spec) {
			s.Streams["posts"].Window = nil
			s.Streams["posts"].Request.Params = nil
		}, nil},
		{"incremental stream without window or date rule", func(s *Spec) {
			s.Streams["posts"].Window = nil
			s.Streams["posts"].Date = nil
			s.Streams["posts"].Request.Params = nil
		}, []string{"code: streams.posts.mode: an incremental stream needs a date rule (date.field) to split its records into daily partitions; use mode: snapshot for records that represent no date"}},
		{"incremental child of a snapshot", func(s *Spec) {
			s.Streams["posts"].Mode = ModeSnapshot
			s.Streams["posts"].Window = nil
			s.Streams["posts"].Request.Params = nil
		}, []string{`code: streams.comments.mode: an incremental child stream inherits its partition from its parent, but parent "posts" is a snapshot stream; give it a window or use mode: snapshot`}},
		{"body pagination with POST", func(s *Spec) {
			s.Streams["posts"].Request.Method = "POST"
			s.Streams["posts"].Request.Body = map[string]any{"from": "{{window.start}}", "ids": []any{"{{parent.id}}"}}
			s.Streams["posts"].Pagination = Pagination{Type: PageOffset, In: "body", Param: "offset", LimitParam: "limit", Limit: 50}
		}, []string{"code: streams.posts.request.body.ids[0]: {{parent.id}} needs a parent stream (add parent:)"}},
		{"primary key from parent column", func(s *Spec) {
			s.Streams["comments"].Fields = []schema.Field{{Name: "id", Type: schema.String}}
			s.Streams["comments"].PrimaryKey = []string{"post_id", "id", "ids"}
		}, []string{`code: streams.comments.primary_key[2]: primary key "ids" is not a declared field (did you mean "id"?)`}},
		{"keys for another pagination type", func(s *Spec) {
			s.Streams["posts"].Pagination = Pagination{Type: PageNext, URLPath: "next", CursorPath: "c"}
		}, []string{"code: streams.posts.pagination.cursor_path: cursor_path applies to cursor pagination, not next_url"}},
		{"pagination keys without type", func(s *Spec) {
			s.Streams["posts"].Pagination = Pagination{CursorPath: "c"}
		}, []string{"code: streams.posts.pagination.type: pagination keys are set but pagination.type is missing or none (use cursor, next_url, link_header, offset or page)"}},
		{"local time zone", func(s *Spec) {
			s.Streams["posts"].Date.Timezone = "Local"
		}, []string{`code: streams.posts.date.timezone: timezone "Local" depends on the machine; name an IANA zone such as America/Los_Angeles`}},
		{"date layout without a year", func(s *Spec) {
			s.Streams["posts"].Date.Format = "Jan 2 15:04"
		}, []string{`code: streams.posts.date.format: unknown time format "Jan 2 15:04" (use rfc3339, unix, unix_ms, unix_float, date or yyyymmdd, or a Go reference layout with a year such as "2006-01-02 15:04:05")`}},
		{"month layout", func(s *Spec) {
			s.Streams["posts"].Date.Format = "2006-01"
		}, nil},
		{"base url with placeholder", func(s *Spec) {
			s.BaseURL = "https://{{vars.host}}/api"
		}, []string{"code: base_url: base_url cannot hold placeholders; put them in each stream's request.path (a workflow config may override base_url)"}},
		{"both request rates", func(s *Spec) {
			s.RateLimit = RateLimit{RequestsPerSecond: 1, RequestsPerMinute: 60, UsageThreshold: 120}
		}, []string{
			"code: rate_limit.requests_per_minute: give requests_per_second or requests_per_minute, not both",
			"code: rate_limit.usage_threshold: usage_threshold is a percentage between 0 and 100, got 120",
		}},
		{"auth keys without type", func(s *Spec) {
			s.Auth = Auth{Header: "X-Key"}
		}, []string{"code: auth.type: auth keys are set but auth.type is missing or none (use bearer, header, query, basic, oauth2_client or oauth2_refresh)"}},
		{"self parent", func(s *Spec) {
			s.Streams["comments"].Parent.Stream = "comments"
		}, []string{`code: streams.comments.parent.stream: stream "comments" cannot be its own parent`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(s)
			err := Validate(s)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate:\n%v", err)
				}
				return
			}
			var probs *Problems
			if !errors.As(err, &probs) {
				t.Fatalf("err = %v, want *Problems", err)
			}
			if got := probs.Lines(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

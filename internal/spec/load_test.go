package spec

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // time zone checks must not depend on the machine

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/zeebo/xxh3"
)

const minimal = `name: acme
base_url: https://api.acme.test/v1
streams:
  posts:
    request:
      path: /posts
    window: {}
    date:
      field: created_at
`

func TestParseDefaults(t *testing.T) {
	s, err := Parse([]byte(minimal), "acme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := xxh3.Hash128([]byte(minimal)).Bytes()
	if s.File != "acme.yaml" || s.Hash != hex.EncodeToString(sum[:]) || len(s.Hash) != 32 {
		t.Errorf("File, Hash = %q, %q", s.File, s.Hash)
	}
	wantRate := RateLimit{Burst: 1, UsageThreshold: 90, MaxWait: Duration(15 * time.Minute)}
	if !reflect.DeepEqual(s.RateLimit, wantRate) {
		t.Errorf("RateLimit = %+v, want %+v", s.RateLimit, wantRate)
	}
	if !reflect.DeepEqual(s.Auth, Auth{Type: AuthNone}) {
		t.Errorf("Auth = %+v", s.Auth)
	}
	want := &Stream{
		Mode:             ModeIncremental,
		Request:          Request{Method: "GET", Path: "/posts"},
		Window:           &Window{MaxDays: 1},
		Date:             &DateRule{Field: "created_at", Timezone: "UTC"},
		Pagination:       Pagination{Type: PageNone},
		AdditionalFields: "keep", OnReject: RejectFail,
	}
	if got := s.Streams["posts"]; !reflect.DeepEqual(got, want) {
		t.Errorf("stream = %+v\nwant     %+v", got, want)
	}
}

func TestSetDefaultsPerType(t *testing.T) {
	zero, one := 0, 1
	tests := []struct {
		name string
		in   Pagination
		want Pagination
	}{
		{"offset starts at 0", Pagination{Type: PageOffset}, Pagination{Type: PageOffset, In: "query", Start: &zero}},
		{"page starts at 1", Pagination{Type: PagePage}, Pagination{Type: PagePage, In: "query", Start: &one}},
		{"link follows next", Pagination{Type: PageLink}, Pagination{Type: PageLink, In: "query", Rel: "next"}},
		{"body kept", Pagination{Type: PageCursor, In: "body"}, Pagination{Type: PageCursor, In: "body"}},
		{"none stays bare", Pagination{}, Pagination{Type: PageNone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{Auth: Auth{Type: AuthHeader}, Streams: map[string]*Stream{"x": {Pagination: tt.in}}}
			s.SetDefaults()
			s.SetDefaults() // idempotent
			if got := s.Streams["x"].Pagination; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if s.Auth.Credential != "token" {
				t.Errorf("credential = %q, want token", s.Auth.Credential)
			}
		})
	}
}

func TestParseAnchorsMergeAndBody(t *testing.T) {
	doc := `name: acme
base_url: https://api.acme.test
streams:
  posts:
    request:
      method: POST
      path: /search
      body: &body
        query: {terms: [a, "b"], limit: 100, ratio: 0.5, exact: true, none: null}
        since: "{{window.start|unix}}"
    window: &w {format: date, max_days: 7}
    date: {field: at}
  drafts:
    <<: {additional_fields: drop, records: items}
    records: data
    request: {method: POST, path: /drafts, body: *body}
    window: *w
    date: {field: at}
`
	s, err := Parse([]byte(doc), "acme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{
		"query": map[string]any{"terms": []any{"a", "b"}, "limit": int64(100), "ratio": 0.5, "exact": true, "none": nil},
		"since": "{{window.start|unix}}",
	}
	if got := s.Streams["posts"].Request.Body; !reflect.DeepEqual(got, wantBody) {
		t.Errorf("body = %#v", got)
	}
	if got := s.Streams["drafts"].Request.Body; !reflect.DeepEqual(got, wantBody) {
		t.Errorf("aliased body = %#v", got)
	}
	d := s.Streams["drafts"]
	if d.AdditionalFields != "drop" || d.Records != "data" {
		t.Errorf("merged additional_fields, records = %q, %q; want drop, data (explicit keys win)", d.AdditionalFields, d.Records)
	}
	if *d.Window != (Window{Format: "date", MaxDays: 7}) {
		t.Errorf("aliased window = %+v", d.Window)
	}
	if w := s.Streams["posts"].Window; *w != (Window{Format: "date", MaxDays: 7}) {
		t.Errorf("window = %+v", w)
	}
}

func TestParseFields(t *testing.T) {
	doc := minimal + `    fields:
      - {name: id, type: string, required: true}
      - name: author
        type: object
        fields: [{name: id, type: int, path: user_id}]
      - {name: tags, type: list, items: {type: string}}
      - {name: created_at, type: timestamp, format: "2006-01-02 15:04:05"}
`
	s, err := Parse([]byte(doc), "acme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []schema.Field{
		{Name: "id", Type: schema.String, Required: true},
		{Name: "author", Type: schema.Object, Fields: []schema.Field{{Name: "id", Type: schema.Int, Path: "user_id"}}},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "created_at", Type: schema.Timestamp, Format: "2006-01-02 15:04:05"},
	}
	if got := s.Streams["posts"].Fields; !reflect.DeepEqual(got, want) {
		t.Errorf("fields = %+v", got)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"two documents", minimal + "---\nname: other\n", []string{"f.yaml:10: a spec file holds one YAML document; remove the second one (or the --- separator)"}},
		{"tab indentation", "name: acme\n\tbase_url: x\n", []string{"f.yaml:2: invalid YAML: found a tab character that violates indentation"}},
		{"missing top keys", "version: \"1\"\n", []string{
			"f.yaml: name: name is required (the source name used in storage paths, e.g. instagram)",
			"f.yaml: base_url: base_url is required (e.g. https://api.example.com/v1)",
			"f.yaml: streams: a spec needs at least one stream under streams:",
		}},
		{"streams as list", "name: acme\nbase_url: https://a.test\nstreams: [posts]\n", []string{
			"f.yaml:3: streams: expected a mapping of keys, got a list",
		}},
		{"empty stream", "name: acme\nbase_url: https://a.test\nstreams:\n  posts:\n", []string{
			`f.yaml:4: streams.posts: stream "posts" has no definition (it needs at least request.path)`,
		}},
		{"quoted key with dot", "name: acme\nbase_url: https://a.test\nstreams:\n  s:\n    mode: snapshot\n    request:\n      path: /s\n      params:\n        user.fields: [a]\n", []string{
			`f.yaml:9: streams.s.request.params["user.fields"]: expected a string, got a list`,
		}},
		{"alias bomb", aliasBomb(), []string{"f.yaml:10: the document expands to more than 200000 values; check for aliases that repeat large blocks"}},
		{"oauth without token url", "name: acme\nbase_url: https://a.test\nauth: {type: oauth2_client}\nstreams:\n  s:\n    mode: snapshot\n    request: {path: /s}\n", []string{
			"f.yaml:3: auth.token_url: auth type oauth2_client needs token_url (the OAuth2 token endpoint)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "f.yaml")
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

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.File != path || s.Name != "acme" {
		t.Errorf("File, Name = %q, %q", s.File, s.Name)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

// aliasBomb nests lists of aliases so that full expansion would hold 10^9 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("name: acme\nbase_url: https://a.test\nstreams:\n  s:\n    mode: snapshot\n    request:\n      path: /s\n      method: POST\n      body:\n        l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "        l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	return b.String()
}

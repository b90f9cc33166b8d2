package httpapi

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// generalRecords is the gjson path of record selection, the reference for splitRecords.
func generalRecords(text, path string) []string {
	res := gjson.Parse(text)
	if path != "" && path != "@this" {
		res = gjson.Get(text, path)
	}
	switch {
	case !res.Exists() || res.Type == gjson.Null:
		return nil
	case res.IsObject():
		return []string{strings.TrimSpace(res.Raw)} // Parse keeps a body's trailing newline
	}
	out := []string{}
	res.ForEach(func(_, e gjson.Result) bool {
		out = append(out, e.Raw)
		return true
	})
	return out
}

// splitPaths returns the record paths the split tests try on every body.
func splitPaths() []string {
	return []string{"", "@this", "data", "records", "rows", "items", "elements", "data.videos", "data.children",
		"meta.items", "a.b.c", "meta", "missing", "data.missing", "paging"}
}

// splitBodies returns bodies with awkward JSON, and the recorded API pages in testdata.
func splitBodies(tb testing.TB) map[string]string {
	tb.Helper()
	bodies := map[string]string{
		"escapes":  `{"data":[{"a":"x\"]}","b":[1,[2,{"c":"\\"}]]}, {"d":"\\\\"} ,{}], "next":"n"}`,
		"spaces":   " \n{ \"data\" : [ 1 , \"two\" , true , null , {\"x\" : [ ] } ] } ",
		"empty":    `{"data":[]}`,
		"null":     `{"data":null}`,
		"object":   `{"data":{"id":"1","n":[1,2]}}`,
		"nested":   `{"meta":{"skip":{"a":[1,2,{"b":"]"}]},"items":[{"id":1},{"id":2}]}}`,
		"array":    `[{"id":1},{"id":"2"}]`,
		"deep key": `{"a":{"b":{"c":[3,4]}}}`,
		"numbers":  `{"data":[-1.5e10,0,12345678901234567890]}`,
	}
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		bodies[f] = string(data)
	}
	return bodies
}

func TestSplitRecordsMatchesGjson(t *testing.T) {
	for name, body := range splitBodies(t) {
		if !gjson.Valid(body) {
			continue
		}
		for _, p := range splitPaths() {
			got, ok := splitRecords(body, p)
			if !ok {
				continue // the general path decides (scalars, gjson syntax)
			}
			if want := generalRecords(body, p); !slices.Equal(got, want) {
				t.Errorf("%s at %q:\n got %q\nwant %q", name, p, got, want)
			}
		}
	}
}

func TestSplitRecordsDefersToGeneralPath(t *testing.T) {
	for _, c := range []struct{ body, path string }{
		{`{"data":"text"}`, "data"},
		{`{"data":[1]}`, "data.#"},
		{`{"d\"x":[1]}`, `d"x`},
		{`{"d\u0061ta":[1]}`, "data"},
	} {
		if _, ok := splitRecords(c.body, c.path); ok {
			t.Errorf("splitRecords(%s, %q) took the fast path", c.body, c.path)
		}
	}
}

func BenchmarkSelectRecordsValidated(b *testing.B) {
	var body []byte
	body = append(body, `{"records":[`...)
	for i := range 500 {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"id":1234567890123,"title":"a \"quoted\" title","tags":["x","y"],"author":{"id":7,"handle":"h"},"created_at":"2024-01-01T00:00:00Z","body":"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua"}`...)
	}
	body = append(body, `],"next_cursor":"2"}`...)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if recs, err := selectRecords(body, "records", true); err != nil || len(recs) != 500 {
			b.Fatal(err, len(recs))
		}
	}
}

package httpapi

import (
	"testing"

	"github.com/tidwall/gjson"
)

// checkLookup asserts that a lookup through the index the scan recorded gives what
// gjson finds in the whole body.
func checkLookup(t *testing.T, body, records, path string) {
	t.Helper()
	_, top, how := splitValidIndexed(body, records)
	if how != splitDone || top == nil {
		return
	}
	got, ok := top.get(path)
	if !ok {
		return
	}
	want := gjson.Get(body, path)
	if got.Type != want.Type || got.Raw != want.Raw || got.Str != want.Str || got.Num != want.Num || got.Exists() != want.Exists() {
		t.Fatalf("lookup %q in %s = %#v, gjson finds %#v", path, body, got, want)
	}
}

func TestLookupMatchesGJSON(t *testing.T) {
	const page = `{ "data" : [{"id":"1","next":"no"},{"id":"2"}],
		"paging": {"cursors": {"after": "QVFIUk"}, "next": "https://graph.example/v1?after=QVFIUk"},
		"meta": {"next_token": "7140dibdnow9c7btw3z", "result_count": 2},
		"has_more": true, "cursor": 1700000000123, "total": 40, "empty": null,
		"items": [10, 20], "next_cursor": "", "dup": 1, "dup": 2 }`
	cases := []struct {
		name, path string
		want       string // Raw of the result; "" when absent
	}{
		{"top-level string", "next_cursor", `""`},
		{"nested Meta URL", "paging.next", `"https://graph.example/v1?after=QVFIUk"`},
		{"deeper key", "paging.cursors.after", `"QVFIUk"`},
		{"X token", "meta.next_token", `"7140dibdnow9c7btw3z"`},
		{"boolean", "has_more", "true"},
		{"large number", "cursor", "1700000000123"},
		{"null", "empty", "null"},
		{"array element", "items.1", "20"},
		{"first of a repeated key", "dup", "1"},
		{"missing", "nope", ""},
		{"missing below a member", "meta.nope", ""},
		{"below a scalar", "total.x", ""},
		{"key inside the records is not top level", "next", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, top, how := splitValidIndexed(page, "data")
			if how != splitDone || top == nil {
				t.Fatalf("scan = %v, index %v; want the body indexed", how, top)
			}
			got, ok := top.get(tc.path)
			if !ok {
				t.Fatalf("get(%q) fell back to gjson", tc.path)
			}
			if got.Raw != tc.want {
				t.Fatalf("get(%q) = %q, want %q", tc.path, got.Raw, tc.want)
			}
			checkLookup(t, page, "data", tc.path)
		})
	}
}

func TestLookupFallsBack(t *testing.T) {
	cases := []struct {
		name, body, records, path string
		indexed                   bool // the scan records an index
		ok                        bool // get answers the path itself
	}{
		{"gjson syntax in the path", `{"data":[],"a":{"b":1}}`, "data", "a|b", true, false},
		{"empty key", `{"data":[],"":{"":1}}`, "data", "..0", true, false},
		{"wildcard", `{"data":[],"a":1}`, "data", "a*", true, false},
		{"escaped member name", `{"data":[],"n\u0065xt":"x"}`, "data", "next", false, false},
		{"body is an array", `[{"id":1}]`, "", "next", false, false},
		{"records path with syntax", `{"data":[],"next":"x"}`, "data|@this", "next", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, top, _ := splitValidIndexed(tc.body, tc.records)
			if (top != nil) != tc.indexed {
				t.Fatalf("indexed = %v, want %v", top != nil, tc.indexed)
			}
			if top == nil {
				return
			}
			if _, ok := top.get(tc.path); ok != tc.ok {
				t.Fatalf("get(%q) answered = %v, want %v", tc.path, ok, tc.ok)
			}
		})
	}
}

func FuzzLookup(f *testing.F) {
	for _, body := range splitBodies(f) {
		f.Add(body, "next")
	}
	f.Add(`{"data":[1],"paging":{"next":"u"}}`, "paging.next")
	f.Add(`{"data":[1],"a":[{"b":2}]}`, "a.0.b")
	f.Fuzz(func(t *testing.T, body, path string) {
		checkLookup(t, body, "data", path)
	})
}

package httpapi

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

func TestValidJSON(t *testing.T) {
	cases := []struct {
		name string
		body string
		want bool
	}{
		{"object", `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`, true},
		{"spaces everywhere", " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n", true},
		{"scalar body", `"text"`, true},
		{"number body", `-0.5e+10`, true},
		{"long plain string", `["` + strings.Repeat("abcdefgh", 20) + `"]`, true},
		{"escapes", `["\"\\\/\b\f\n\r\t\u00e9\uABCD"]`, true},
		{"non-ascii and DEL", "[\"caf\u00e9 \x7f \xff\"]", true},
		{"empty containers", `[{},[],""]`, true},
		{"empty", ``, false},
		{"only spaces", "  \n", false},
		{"truncated in a record", `{"data":[{"id":"1"`, false},
		{"truncated in a string", `{"data":["abcdefghijklmnop`, false},
		{"truncated after an escape", `["abc\`, false},
		{"truncated in a unicode escape", `["\u00`, false},
		{"truncated in the cursor", `{"data":[{"id":1}],"next":"abc`, false},
		{"truncated after a comma", `[1,`, false},
		{"invalid escape", `["a\x"]`, false},
		{"invalid unicode escape", `["\u00g0"]`, false},
		{"raw control character", "[\"a\tb\"]", false},
		{"raw newline after 8 plain bytes", "[\"abcdefgh\nxyz\"]", false},
		{"trailing garbage", `{"a":1}x`, false},
		{"two values", `{} {}`, false},
		{"trailing comma in array", `[1,]`, false},
		{"trailing comma in object", `{"a":1,}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"unquoted key", `{a:1}`, false},
		{"leading zero", `[01]`, false},
		{"bare minus", `[-]`, false},
		{"fraction without digits", `[1.]`, false},
		{"exponent without digits", `[1e+]`, false},
		{"plus sign", `[+1]`, false},
		{"bad literal", `[tru]`, false},
		{"literal with tail", `[truex]`, false},
		{"unclosed object", `{"a":{}`, false},
		{"mismatched close", `[}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := validJSON([]byte(tc.body)); got != tc.want {
				t.Errorf("validJSON(%q) = %v, want %v", tc.body, got, tc.want)
			}
			if g := gjson.Valid(tc.body); g != tc.want {
				t.Errorf("gjson.Valid(%q) = %v: the case does not pin gjson's grammar", tc.body, g)
			}
		})
	}
}

func TestSplitValid(t *testing.T) {
	cases := []struct {
		name, body, path string
		want             []string
		how              splitOutcome
	}{
		{name: "records and cursor", body: `{"data":[{"id":1}, {"id":"2"} ],"next":"c2"}`, path: "data",
			want: []string{`{"id":1}`, `{"id":"2"}`}, how: splitDone},
		{name: "nested path", body: `{"meta":{"skip":[1],"items":[{"a":"]"}]}}`, path: "meta.items",
			want: []string{`{"a":"]"}`}, how: splitDone},
		{name: "first of duplicate keys", body: `{"data":[1],"data":[2]}`, path: "data", want: []string{"1"}, how: splitDone},
		{name: "object is one record", body: `{"data":{"id":1}}`, path: "data", want: []string{`{"id":1}`}, how: splitDone},
		{name: "empty array", body: `{"data":[]}`, path: "data", want: []string{}, how: splitDone},
		{name: "null", body: `{"data":null}`, path: "data", how: splitDone},
		{name: "missing key", body: `{"other":[1]}`, path: "data", how: splitDone},
		{name: "path through a scalar", body: `{"meta":3}`, path: "meta.items", how: splitDone},
		{name: "body itself", body: ` [1,"x"] `, path: "", want: []string{"1", `"x"`}, how: splitDone},
		{name: "escaped name after the key", body: `{"data":[1],"d\u0061ta":[2]}`, path: "data", want: []string{"1"}, how: splitDone},
		{name: "scalar at the path", body: `{"data":"text"}`, path: "data", how: splitDeferred},
		{name: "escaped name before the key", body: `{"d\u0061ta":[2],"data":[1]}`, path: "data", how: splitDeferred},
		{name: "gjson syntax", body: `{"data":[1]}`, path: "data.#", how: splitDeferred},
		{name: "truncated inside a record", body: `{"data":[{"id":1},{"id":`, path: "data", how: splitInvalid},
		{name: "truncated inside the cursor", body: `{"data":[{"id":1}],"next":"c`, path: "data", how: splitInvalid},
		{name: "truncated after the records", body: `{"data":[{"id":1}]`, path: "data", how: splitInvalid},
		{name: "invalid escape in a record", body: `{"data":[{"t":"a\qb"}]}`, path: "data", how: splitInvalid},
		{name: "invalid escape off the path", body: `{"data":[1],"next":"\x"}`, path: "data", how: splitInvalid},
		{name: "trailing garbage", body: `{"data":[1]}]`, path: "data", how: splitInvalid},
		{name: "invalid with gjson syntax path", body: `{"data":[1]`, path: "data.#", how: splitInvalid},
		{name: "invalid with escaped name", body: `{"d\u0061ta":[2],"data":[1`, path: "data", how: splitInvalid},
		{name: "invalid after a scalar target", body: `{"data":"x",}`, path: "data", how: splitInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, how := splitValid(tc.body, tc.path)
			if how != tc.how || !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Errorf("splitValid = %#v, %d; want %#v, %d", got, how, tc.want, tc.how)
			}
		})
	}
}

// TestSplitValidMatchesSplitRecords checks the fused scan against the selection of
// pre-validated bodies on every body and path of TestSplitRecordsMatchesGjson, and on
// each of the small ones cut short at every length.
func TestSplitValidMatchesSplitRecords(t *testing.T) {
	bodies := splitBodies(t)
	for name, body := range bodies {
		for _, p := range splitPaths() {
			checkSplitValid(t, name, body, p)
		}
		if len(body) > 4096 {
			continue
		}
		for n := range len(body) {
			checkSplitValid(t, name+" cut", body[:n], "data")
		}
	}
}

// checkSplitValid fails t unless splitValid agrees with gjson.Valid, and selects what
// splitRecords selects (deferring exactly when it does).
func checkSplitValid(t *testing.T, name, body, path string) {
	t.Helper()
	got, how := splitValid(body, path)
	if valid := gjson.Valid(body); (how != splitInvalid) != valid {
		t.Fatalf("%s at %q: outcome %d, gjson.Valid = %v", name, path, how, valid)
	}
	if how == splitInvalid {
		return
	}
	want, ok := splitRecords(body, path)
	if (how == splitDone) != ok {
		t.Fatalf("%s at %q: outcome %d, splitRecords ok = %v", name, path, how, ok)
	}
	if ok && (!slices.Equal(got, want) || (got == nil) != (want == nil)) {
		t.Errorf("%s at %q:\n got %q\nwant %q", name, path, got, want)
	}
}

func FuzzSplitValid(f *testing.F) {
	for _, body := range splitBodies(f) {
		f.Add(body, "data")
	}
	f.Add(`{"d\u0061ta":[1]}`, "d\\u0061ta")
	f.Add(`["\u00e9",1e5,-0.5,true]`, "")
	f.Fuzz(func(t *testing.T, body, path string) {
		checkSplitValid(t, "fuzz", body, path)
		if validJSON([]byte(body)) != gjson.Valid(body) {
			t.Fatalf("validJSON(%q) = %v, gjson.Valid says otherwise", body, !gjson.Valid(body))
		}
	})
}

// TestPagesSelectWhileValidating runs Pages over a real Client: a page whose body is not
// valid JSON is retried as a decode failure, and the records of the valid page are
// selected by the Client's scan.
func TestPagesSelectWhileValidating(t *testing.T) {
	const good = `{"data":[{"id":"1"},{"id":"2"}],"next":null}`
	cases := []struct {
		name string
		bad  string
	}{
		{"truncated inside a record", `{"data":[{"id":"1"},{"id":"`},
		{"truncated inside the cursor", `{"data":[{"id":"1"},{"id":"2"}],"next":"ab`},
		{"invalid escape", `{"data":[{"id":"1\q"}],"next":null}`},
		{"trailing garbage", good + `}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock(pipeStart)
			srv := newPipeServer(t, clk, pipeReply(200, tc.bad), pipeReply(200, good))
			c := newPipeClient(t, Config{Clock: clk, Timeout: 30 * time.Second})
			st := &spec.Stream{Records: "data"}
			var got []string
			var selected []bool
			for page, err := range Pages(context.Background(), c, &Request{Method: "GET", URL: srv.URL + "/items"}, st) {
				if err != nil {
					t.Fatalf("Pages: %v", err)
				}
				got = append(got, page.Records...)
				selected = append(selected, page.Response.selected != nil)
			}
			if want := []string{`{"id":"1"}`, `{"id":"2"}`}; !slices.Equal(got, want) {
				t.Errorf("records = %q, want %q", got, want)
			}
			if !slices.Equal(selected, []bool{true}) {
				t.Errorf("selected by the client per page = %v, want [true]", selected)
			}
			if snap := c.Stats().Snapshot(); !maps.Equal(snap.Errors, map[ErrorKind]int64{KindDecode: 1}) || snap.Requests != 2 {
				t.Errorf("stats errors = %v requests = %d, want one decode failure in 2 requests", snap.Errors, snap.Requests)
			}
		})
	}
}

// benchBody returns one page of the benchmark API (fakeapi.NewBench): 500 records and a
// cursor.
func benchBody() []byte {
	body := []byte(`{"records":[`)
	for i := range 500 {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, fakeapi.BenchRecord(fakeapi.BenchOptions{FreshText: true}, i)...)
	}
	return append(body, `],"next_cursor":"`+strconv.Itoa(1)+`"}`...)
}

// BenchmarkValidateThenSplit is the previous way a page was prepared, kept as the
// baseline of BenchmarkFusedSplit: a full gjson validation in the client, then the body
// copied to a string and split by a second scan.
func BenchmarkValidateThenSplit(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !gjson.ValidBytes(body) {
			b.Fatal("invalid")
		}
		if recs, ok := splitRecords(string(body), "records"); !ok || len(recs) != 500 {
			b.Fatal(ok, len(recs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
}

// BenchmarkFusedSplit validates and splits a page in one scan of the body, without
// copying it, as the client does for the requests of Pages.
func BenchmarkFusedSplit(b *testing.B) {
	body := benchBody()
	h := http.Header{"Content-Type": {"application/json"}}
	path := "records"
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var v verdict
		if checkBody(&v, h, body, &path); v.selected == nil || len(v.selected.records) != 500 {
			b.Fatalf("%+v", v)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
}

// BenchmarkValidate compares gjson's validator with validJSON on a page, the check of
// a body that is not split.
func BenchmarkValidate(b *testing.B) {
	body := benchBody()
	for _, v := range []struct {
		name  string
		valid func([]byte) bool
	}{{"gjson", gjson.ValidBytes}, {"scan", validJSON}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if !v.valid(body) {
					b.Fatal("invalid")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/record")
		})
	}
}

func TestValidJSONRefusesHostileNesting(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want bool
	}{
		{"deep but allowed", strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth), true},
		{"one level too deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1), false},
		{"a million levels of objects", strings.Repeat(`{"a":`, 1_000_000) + "1" + strings.Repeat("}", 1_000_000), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := validJSON([]byte(tc.body)); got != tc.want {
				t.Fatalf("validJSON = %v, want %v", got, tc.want)
			}
		})
	}
}

package format

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

func writeJSONL(t *testing.T, s schema.Schema, rows []record.Row) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewJSONL(&buf, s)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("%d bytes written before Close; output should be buffered", buf.Len())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestJSONLOutput(t *testing.T) {
	want := strings.Join([]string{
		`{"id":"1784140000000000001","n":42,"f":3.25,"ok":true,"ts":"2024-01-15T10:30:00.123456Z","d":"2024-01-15","raw":{"a":[1,2,{"b":null}]},"owner":{"id":"o1","tags":["x","y"],"geo":{"lat":48.85,"lon":2.35}},"tags":["#launch","#summer"],"events":[{"name":"view","at":"2024-01-15T00:00:00Z"},{"name":"click","at":null}],"matrix":[[1,2],[3]]}`,
		`{"id":null,"n":null,"f":null,"ok":null,"ts":null,"d":null,"raw":null,"owner":null,"tags":null,"events":null,"matrix":null}`,
		`{}`,
		`{"id":"","n":0,"f":0,"ok":false,"ts":"1969-12-31T23:59:59.999999Z","d":"1969-07-20","raw":"text","owner":{"id":null,"tags":[],"geo":{"lat":null}},"tags":[],"events":[null,{"name":null,"at":null},{"at":"2000-02-29T12:00:00Z"}],"matrix":[[],null,[null,-1]]}`,
		`{"id":"tab\there \"quoted\" \\ é 日本 \u0001","n":9223372036854775807,"f":-1e-7,"ok":false,"ts":"2262-04-11T23:47:16.854775Z","d":"9999-12-31","raw":[1,2.5,"x",true,null],"owner":{"id":"o2","tags":null,"geo":null},"tags":[null,""],"events":null,"matrix":[[-9223372036854775808]]}`,
		`{"id":"9223372036854775807","n":-9223372036854775808,"f":1.7976931348623157e+308,"ok":true,"ts":"1900-01-01T00:00:00Z","d":"1900-01-01","raw":0,"events":[]}`,
		``,
	}, "\n")
	got := writeJSONL(t, fullSchema, fullRows())
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}

func TestJSONLValues(t *testing.T) {
	one := func(typ schema.Type) schema.Schema {
		return schema.Schema{Fields: []schema.Field{{Name: "v", Type: typ}}}
	}
	cases := []struct {
		name string
		typ  schema.Type
		v    record.Value
		want string
	}{
		{"NaN", schema.Float, flt(math.NaN()), `{"v":null}`},
		{"infinity", schema.Float, flt(math.Inf(-1)), `{"v":null}`},
		{"large float", schema.Float, flt(1e21), `{"v":1e+21}`},
		{"small float", schema.Float, flt(0.000001), `{"v":0.000001}`},
		{"negative zero", schema.Float, flt(math.Copysign(0, -1)), `{"v":-0}`},
		{"whole microseconds trimmed", schema.Timestamp, ts("2024-03-10T02:00:00.100Z"), `{"v":"2024-03-10T02:00:00.1Z"}`},
		{"empty json", schema.JSON, raw(""), `{"v":null}`},
		{"invalid utf-8", schema.String, str("a\xffb"), `{"v":"a\ufffdb"}`},
		{"html not escaped", schema.String, str("<a href='x'>&</a>"), `{"v":"<a href='x'>&</a>"}`},
		{"carriage return", schema.String, str("a\r\nb"), `{"v":"a\r\nb"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := writeJSONL(t, one(tc.typ), []record.Row{{tc.v}})
			if got != tc.want+"\n" {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestJSONLWriteErrors(t *testing.T) {
	cases := []struct {
		name string
		s    schema.Schema
		row  record.Row
		want string
	}{
		{"short row", fullSchema, record.Row{num(1)}, "jsonl: row has 1 values, schema has 11 fields"},
		{"object in string field", schema.Schema{Fields: []schema.Field{{Name: "s", Type: schema.String}}},
			record.Row{obj(num(1))}, `jsonl: field "s" of type string holds an object`},
		{"list in nested object field", schema.Schema{Fields: []schema.Field{{Name: "o", Type: schema.Object, Fields: []schema.Field{
			{Name: "n", Type: schema.Int}}}}}, record.Row{obj(list())}, `jsonl: field "o.n" of type int holds a list`},
		{"object in list of objects", schema.Schema{Fields: []schema.Field{{Name: "l", Type: schema.List, Items: &schema.Field{
			Type: schema.Object, Fields: []schema.Field{{Name: "n", Type: schema.Int}}}}}},
			record.Row{list(obj(num(1)), obj(obj()))}, `jsonl: field "l[].n" of type int holds an object`},
		{"list in list of lists", schema.Schema{Fields: []schema.Field{{Name: "m", Type: schema.List, Items: &schema.Field{
			Type: schema.List, Items: &schema.Field{Type: schema.Int}}}}},
			record.Row{list(list(num(1), list()))}, `jsonl: field "m[][]" of type int holds a list`},
		{"unknown kind", schema.Schema{Fields: []schema.Field{{Name: "x", Type: schema.Int}}},
			record.Row{{Kind: 99}}, `jsonl: field "x" has unknown value kind 99`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := NewJSONL(&bytes.Buffer{}, tc.s).Write(tc.row)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	text := writeJSONL(t, fullSchema, fullRows())
	var got []record.Row
	for r, err := range ReadJSONL(strings.NewReader(text), fullSchema) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if d := diffRows(fullRows(), got); d != "" {
		t.Fatal(d)
	}
}

func TestReadJSONLErrors(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{
		{Name: "n", Type: schema.Int},
		{Name: "o", Type: schema.Object, Fields: []schema.Field{{Name: "at", Type: schema.Timestamp}}},
	}}
	cases := []struct {
		name  string
		input string
		rows  int
		want  string
	}{
		{"float for int", "{\"n\":1}\n\n{\"n\":1.5}\n", 1, `jsonl line 3: field "n" (int): strconv.ParseInt: parsing "1.5": invalid syntax`},
		{"bad nested time", `{"o":{"at":"yesterday"}}`, 0, `jsonl line 1: field "o.at" (timestamp): parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"`},
		{"not an object", `[1]`, 0, `jsonl line 1: json: cannot unmarshal array into Go value of type map[string]json.RawMessage`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, last := 0, error(nil)
			for _, err := range ReadJSONL(strings.NewReader(tc.input), s) {
				if err != nil {
					last = err
					continue
				}
				rows++
			}
			if rows != tc.rows || last == nil || last.Error() != tc.want {
				t.Fatalf("rows %d, error %v; want %d, %q", rows, last, tc.rows, tc.want)
			}
		})
	}
}

package format

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// fullSchema has every type, nulls at every nesting level, lists of objects and lists
// of lists.
var fullSchema = schema.Schema{Fields: []schema.Field{
	{Name: "id", Type: schema.String},
	{Name: "n", Type: schema.Int},
	{Name: "f", Type: schema.Float},
	{Name: "ok", Type: schema.Bool},
	{Name: "ts", Type: schema.Timestamp},
	{Name: "d", Type: schema.Date},
	{Name: "raw", Type: schema.JSON},
	{Name: "owner", Type: schema.Object, Fields: []schema.Field{
		{Name: "id", Type: schema.String},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "geo", Type: schema.Object, Fields: []schema.Field{
			{Name: "lat", Type: schema.Float},
			{Name: "lon", Type: schema.Float},
		}},
	}},
	{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
	{Name: "events", Type: schema.List, Items: &schema.Field{Type: schema.Object, Fields: []schema.Field{
		{Name: "name", Type: schema.String},
		{Name: "at", Type: schema.Timestamp},
	}}},
	{Name: "matrix", Type: schema.List, Items: &schema.Field{Type: schema.List, Items: &schema.Field{Type: schema.Int}}},
}}

func str(s string) record.Value  { return record.Value{Kind: record.String, S: s} }
func num(i int64) record.Value   { return record.Value{Kind: record.Int, I: i} }
func flt(f float64) record.Value { return record.Value{Kind: record.Float, F: f} }
func boolean(b bool) record.Value {
	v := record.Value{Kind: record.Bool}
	if b {
		v.I = 1
	}
	return v
}
func raw(s string) record.Value            { return record.Value{Kind: record.JSON, S: s} }
func list(vs ...record.Value) record.Value { return record.Value{Kind: record.List, L: vs} }
func obj(vs ...record.Value) record.Value  { return record.Value{Kind: record.Object, L: vs} }

var (
	null   = record.Value{Kind: record.Null}
	absent = record.Value{}
)

func ts(s string) record.Value {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return record.Value{Kind: record.Time, I: t.UnixMicro()}
}

func date(s string) record.Value {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return record.Value{Kind: record.Date, I: t.Unix() / 86400}
}

// fullRows covers values, nulls and absent values at every level, empty lists, list
// elements that are null, and extreme numbers and times.
func fullRows() []record.Row {
	return []record.Row{
		{str("1784140000000000001"), num(42), flt(3.25), boolean(true), ts("2024-01-15T10:30:00.123456Z"),
			date("2024-01-15"), raw(`{"a":[1,2,{"b":null}]}`),
			obj(str("o1"), list(str("x"), str("y")), obj(flt(48.85), flt(2.35))),
			list(str("#launch"), str("#summer")),
			list(obj(str("view"), ts("2024-01-15T00:00:00Z")), obj(str("click"), null)),
			list(list(num(1), num(2)), list(num(3)))},
		{null, null, null, null, null, null, null, null, null, null, null},
		{absent, absent, absent, absent, absent, absent, absent, absent, absent, absent, absent},
		{str(""), num(0), flt(0), boolean(false), ts("1969-12-31T23:59:59.999999Z"), date("1969-07-20"), raw(`"text"`),
			obj(null, list(), obj(null, absent)),
			list(),
			list(null, obj(null, null), obj(absent, ts("2000-02-29T12:00:00Z"))),
			list(list(), null, list(null, num(-1)))},
		{str("tab\there \"quoted\" \\ é 日本 \u0001"), num(math.MaxInt64), flt(-1e-7), boolean(false),
			ts("2262-04-11T23:47:16.854775Z"), date("9999-12-31"), raw(`[1,2.5,"x",true,null]`),
			obj(str("o2"), null, null),
			list(null, str("")),
			null,
			list(list(num(math.MinInt64)))},
		{str("9223372036854775807"), num(math.MinInt64), flt(1.7976931348623157e308), boolean(true),
			ts("1900-01-01T00:00:00Z"), date("1900-01-01"), raw(`0`),
			absent, absent, list(), absent},
	}
}

// collapseAbsent returns rows with every Absent value, at any depth, replaced by Null:
// what a Parquet round trip gives back.
func collapseAbsent(rows []record.Row) []record.Row {
	out := make([]record.Row, len(rows))
	for i, r := range rows {
		out[i] = record.Row(collapseValues(r))
	}
	return out
}

func collapseValues(vs []record.Value) []record.Value {
	out := make([]record.Value, len(vs))
	for i, v := range vs {
		switch v.Kind {
		case record.Absent:
			v = null
		case record.List, record.Object:
			v.L = collapseValues(v.L)
		}
		out[i] = v
	}
	return out
}

// diffRows returns a description of the first difference between want and got, or "".
// Empty and nil element slices are equal.
func diffRows(want, got []record.Row) string {
	if len(want) != len(got) {
		return fmt.Sprintf("got %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if d := diffValues(want[i], got[i], fmt.Sprintf("row %d", i)); d != "" {
			return d
		}
	}
	return ""
}

func diffValues(want, got []record.Value, path string) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%s: got %d values, want %d", path, len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		if w.Kind != g.Kind || w.I != g.I || w.S != g.S ||
			(w.F != g.F && !(math.IsNaN(w.F) && math.IsNaN(g.F))) || math.Signbit(w.F) != math.Signbit(g.F) {
			return fmt.Sprintf("%s: got %+v, want %+v", p, g, w)
		}
		if d := diffValues(w.L, g.L, p); d != "" {
			return d
		}
	}
	return ""
}

func TestDiffRowsDetectsDifferences(t *testing.T) {
	base := fullRows()
	cases := []struct {
		name   string
		mutate func(r []record.Row)
	}{
		{"int", func(r []record.Row) { r[0][1].I++ }},
		{"kind", func(r []record.Row) { r[1][0] = absent }},
		{"nested", func(r []record.Row) { r[0][7].L[2].L[0].F = 1 }},
		{"list length", func(r []record.Row) { r[0][8].L = r[0][8].L[:1] }},
		{"negative zero", func(r []record.Row) { r[3][2].F = math.Copysign(0, -1) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := fullRows()
			tc.mutate(got)
			if diffRows(base, got) == "" {
				t.Fatal("difference not detected")
			}
		})
	}
	if d := diffRows(base, fullRows()); d != "" {
		t.Fatalf("equal rows reported different: %s", d)
	}
}

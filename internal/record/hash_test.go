package record

import (
	"encoding/hex"
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/zeebo/xxh3"
)

// hashSchema lists its fields out of name order on purpose.
func hashSchema() schema.Schema {
	return schema.Schema{Fields: []schema.Field{
		{Name: "text", Type: schema.String},
		{Name: "id", Type: schema.String},
		{Name: "n", Type: schema.Int},
		{Name: "ratio", Type: schema.Float},
		{Name: "ok", Type: schema.Bool},
		{Name: "at", Type: schema.Timestamp},
		{Name: "day", Type: schema.Date},
		{Name: "raw", Type: schema.JSON},
		{Name: "metrics", Type: schema.Object, Fields: []schema.Field{
			{Name: "likes", Type: schema.Int},
			{Name: "extra", Type: schema.String},
		}},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "gone", Type: schema.String},
		{Name: "none", Type: schema.String},
	}}
}

func hashRow() Row {
	return Row{
		vStr("tab\there \"quoted\" é\x01"),
		vStr("1577730467436138524"),
		vInt(-42),
		vFloat(0.5),
		vBool(true),
		vTime(utc(2021, 2, 23, 18, 7, 7, 123456000)),
		vDate(utc(2024, 1, 15, 0, 0, 0, 0)),
		vJSON(`{"b": 1.0, "a": [true, null, "\u00e9"], "big": 12345678901234567890, "e": 1e3}`),
		vObj(vInt(7), vAbsent),
		vList(vStr("x"), vStr("y")),
		vAbsent,
		vNull,
	}
}

func TestCanonicalForm(t *testing.T) {
	var h Hasher
	got := string(h.AppendCanonical(nil, hashSchema(), hashRow()))
	want := `{"at":"2021-02-23T18:07:07.123456Z","day":"2024-01-15","id":"1577730467436138524",` +
		`"metrics":{"likes":7},"n":-42,"none":null,"ok":true,` +
		`"ratio":0.5,"raw":{"a":[true,null,"é"],"b":1,"big":12345678901234567890,"e":1000},` +
		`"tags":["x","y"],"text":"tab\there \"quoted\" é\u0001"}`
	if got != want {
		t.Fatalf("canonical form\n got: %s\nwant: %s", got, want)
	}
	// The canonical form is persisted (manifests compare content hashes across runs and
	// versions): this digest must never change.
	sum := h.Sum(hashSchema(), hashRow())
	if sum != xxh3.HashString128(want).Bytes() {
		t.Fatalf("Sum is not xxh3-128 of the canonical form")
	}
	if hex.EncodeToString(sum[:]) != "3ff424048c93150e7016855cba5e68b3" {
		t.Fatalf("Sum = %x: the canonical form changed", sum)
	}
}

func TestCanonicalScalars(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		want string
	}{
		{"integral float as integer", vFloat(1), "1"},
		{"negative zero", vFloat(-0.0 * 1), "0"},
		{"fraction", vFloat(1.5), "1.5"},
		{"large", vFloat(1e21), "1e+21"},
		{"beyond 2^53", vFloat(1 << 60), "1.152921504606847e+18"},
		{"small", vFloat(1e-7), "1e-07"},
		{"json float literal", vJSON("2.50"), "2.5"},
		{"json exponent integral", vJSON("1E2"), "100"},
		{"json negative zero", vJSON("-0"), "0"},
		{"json min int64", vJSON("-9223372036854775808"), "-9223372036854775808"},
		{"json below min int64 keeps digits", vJSON("-9223372036854775809"), "-9223372036854775809"},
		{"json beyond float range keeps literal", vJSON("1e400"), "1e400"},
		{"time before the epoch", vTime(utc(1969, 12, 31, 23, 59, 59, 999999000)), `"1969-12-31T23:59:59.999999Z"`},
		{"time in year 0", vTime(utc(0, 1, 1, 0, 0, 0, 0)), `"0000-01-01T00:00:00.000000Z"`},
		{"date before the epoch", Value{Kind: Date, I: -1}, `"1969-12-31"`},
		{"control characters", vStr("\b\f\x1f\x7f"), `"\b\f\u001f` + "\x7f" + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Hasher
			got := string(h.appendValueNode(nil, &schema.Field{}, &tt.v, nil))
			if got != tt.want {
				t.Fatalf("canonical %+v = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

func TestSumFieldOrderIndependent(t *testing.T) {
	s := hashSchema()
	row := hashRow()
	// Reverse the columns (and the children of the object) together with the values.
	rev := schema.Schema{Fields: make([]schema.Field, len(s.Fields))}
	revRow := make(Row, len(row))
	for i := range s.Fields {
		rev.Fields[len(s.Fields)-1-i] = s.Fields[i]
		revRow[len(row)-1-i] = row[i]
	}
	m := rev.Index("metrics")
	rev.Fields[m].Fields = []schema.Field{s.Fields[8].Fields[1], s.Fields[8].Fields[0]}
	revRow[m] = vObj(vAbsent, vInt(7))
	var h Hasher
	if a, b := h.Sum(s, row), h.Sum(rev, revRow); a != b {
		t.Fatalf("field order changed the hash: %x != %x", a, b)
	}
}

func TestSumJSONKeyOrderIndependent(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "j", Type: schema.JSON}}}
	tests := []struct{ name, a, b string }{
		{"top-level keys", `{"b":1,"a":2}`, `{"a":2,"b":1}`},
		{"nested keys and whitespace", `{"x":{"d":[1,{"q":1,"p":2}],"c":null}}`, "{ \"x\" : { \"c\" : null , \"d\" : [ 1 , { \"p\" : 2 , \"q\" : 1 } ] } }"},
		{"string escapes", `{"k":"\u00e9\/"}`, `{"k":"é/"}`},
		{"escaped keys sort by decoded text", `{"\u0062":1,"a":2}`, `{"a":2,"b":1}`},
		{"number spelling", `[1.0,1e2,-0]`, `[1,100,0]`},
	}
	var h Hasher
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := h.Sum(s, Row{vJSON(tt.a)}), h.Sum(s, Row{vJSON(tt.b)})
			if a != b {
				t.Fatalf("%s and %s hash differently: %x != %x", tt.a, tt.b, a, b)
			}
		})
	}
}

func TestSumDiffersOnAnyChange(t *testing.T) {
	s := hashSchema()
	tests := []struct {
		name   string
		mutate func(Row)
	}{
		{"string", func(r Row) { r[0] = vStr("other") }},
		{"id digits", func(r Row) { r[1] = vStr("1577730467436138525") }},
		{"int", func(r Row) { r[2] = vInt(-43) }},
		{"int as string", func(r Row) { r[2] = vStr("-42") }},
		{"float", func(r Row) { r[3] = vFloat(0.5000000000000001) }},
		{"bool", func(r Row) { r[4] = vBool(false) }},
		{"timestamp by a microsecond", func(r Row) { r[5].I++ }},
		{"date", func(r Row) { r[6].I++ }},
		{"json value", func(r Row) { r[7] = vJSON(`{"b": 1.0, "a": [true, null, "e"], "big": 12345678901234567890, "e": 1e3}`) }},
		{"nested object child", func(r Row) { r[8] = vObj(vInt(8), vAbsent) }},
		{"nested object absent child now null", func(r Row) { r[8] = vObj(vInt(7), vNull) }},
		{"list element", func(r Row) { r[9] = vList(vStr("x"), vStr("z")) }},
		{"list order", func(r Row) { r[9] = vList(vStr("y"), vStr("x")) }},
		{"absent becomes null", func(r Row) { r[10] = vNull }},
		{"null becomes absent", func(r Row) { r[11] = vAbsent }},
		{"null becomes empty string", func(r Row) { r[11] = vStr("") }},
	}
	var h Hasher
	base := h.Sum(s, hashRow())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := hashRow()
			tt.mutate(row)
			if got := h.Sum(s, row); got == base {
				t.Fatalf("changing %s left the hash %x unchanged", tt.name, got)
			}
		})
	}
}

func TestSumEqualities(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "v", Type: schema.JSON}}}
	tests := []struct {
		name string
		a, b Value
	}{
		{"float 1.0 equals int 1 (documented normalization)", vFloat(1), vInt(1)},
		{"string equals json string", vStr("a b"), vJSON(`"a b"`)},
	}
	var h Hasher
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, b := h.Sum(s, Row{tt.a}), h.Sum(s, Row{tt.b}); a != b {
				t.Fatalf("%+v and %+v hash differently", tt.a, tt.b)
			}
		})
	}
}

func TestKeyAndKeyText(t *testing.T) {
	s := hashSchema()
	var h Hasher
	content := h.Sum(s, hashRow())
	tests := []struct {
		name string
		pk   []int
		text string
	}{
		{"string id", []int{1}, "1577730467436138524"},
		{"int", []int{2}, "-42"},
		{"timestamp", []int{5}, "2021-02-23T18:07:07.123456Z"},
		{"date", []int{6}, "2024-01-15"},
		{"null", []int{11}, "null"},
		{"absent", []int{10}, "null"},
		{"composite", []int{1, 2, 10}, `["1577730467436138524",-42,null]`},
		{"content hash without a primary key", nil, hex.EncodeToString(content[:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyText(&h, s, hashRow(), tt.pk); got != tt.text {
				t.Fatalf("key text = %s, want %s", got, tt.text)
			}
		})
	}

	// Keys depend on the key values only.
	row := hashRow()
	row[0] = vStr("edited text")
	if a, b := identityKey(&h, s, hashRow(), []int{1}), identityKey(&h, s, row, []int{1}); a != b {
		t.Errorf("Key changed with a non-key field")
	}
	row[1] = vStr("1")
	if a, b := identityKey(&h, s, hashRow(), []int{1}), identityKey(&h, s, row, []int{1}); a == b {
		t.Errorf("Key unchanged after the key field changed")
	}
	if got := identityKey(&h, s, hashRow(), nil); got != content {
		t.Errorf("Key without primary key = %x, want the content hash %x", got, content)
	}
	// A string key and the same digits as an int are different keys.
	is := schema.Schema{Fields: []schema.Field{{Name: "id", Type: schema.Int}}}
	if identityKey(&h, is, Row{vInt(42)}, []int{0}) == identityKey(&h, is, Row{vStr("42")}, []int{0}) {
		t.Errorf("int 42 and string \"42\" have the same key")
	}
}

func TestSetHash(t *testing.T) {
	var h Hasher
	s := schema.Schema{Fields: []schema.Field{{Name: "n", Type: schema.Int}}}
	sums := make([][16]byte, 5)
	for i := range sums {
		sums[i] = h.Sum(s, Row{vInt(int64(i))})
	}
	set := func(idx ...int) SetHash {
		var sh SetHash
		for _, i := range idx {
			sh.Add(sums[i])
		}
		return sh
	}
	all := set(0, 1, 2, 3, 4)
	if got := set(4, 2, 0, 3, 1).String(); got != all.String() {
		t.Fatalf("order changed the set hash: %s != %s", got, all)
	}
	merged := set(3, 0)
	merged.Merge(set(4, 1, 2))
	if merged.String() != all.String() || merged.Count() != 5 {
		t.Fatalf("merged parts = %s (count %d), want %s (count 5)", merged, merged.Count(), all)
	}
	tests := []struct {
		name  string
		other SetHash
	}{
		{"one record missing", set(0, 1, 2, 3)},
		{"one record replaced", set(0, 1, 2, 3, 3)},
		{"one record repeated", set(0, 1, 2, 3, 4, 4)},
		{"empty", SetHash{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.other.String() == all.String() {
				t.Fatalf("set hash %s equals the full set's", tt.other)
			}
		})
	}
	if got := len(all.String()); got != 32 {
		t.Fatalf("String() has %d hex digits, want 32", got)
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	var h Hasher
	s, row := hashSchema(), hashRow()
	// Escaped JSON strings are decoded into new strings; API values rarely have them.
	row[7] = vJSON(`{"b": 1.0, "a": [true, null, "x"], "big": 12345678901234567890, "e": 1e3}`)
	h.Sum(s, row)
	if n := testing.AllocsPerRun(100, func() { h.Sum(s, row) }); n != 0 {
		t.Fatalf("Sum allocates %v times per record, want 0", n)
	}
}

// identityKey returns the key Identify gives row.
func identityKey(h *Hasher, s schema.Schema, row Row, pk []int) [16]byte {
	key, _, _ := h.Identify(nil, s, row, pk)
	return key
}

// keyText returns the key text Identify appends for row.
func keyText(h *Hasher, s schema.Schema, row Row, pk []int) string {
	_, _, text := h.Identify(nil, s, row, pk)
	return string(text)
}

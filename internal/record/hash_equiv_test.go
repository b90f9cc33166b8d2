package record

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
	"github.com/zeebo/xxh3"
)

// The Hasher must write, byte for byte, the canonical form of the reference
// implementation (hash_ref_test.go): content hashes are persisted.

// sameCanonical fails unless the Hasher and the reference agree on row's canonical
// form, content hash, keys and key texts.
func sameCanonical(t *testing.T, h *Hasher, s schema.Schema, row Row) {
	t.Helper()
	var ref refHasher
	want := ref.appendObject(nil, s.Fields, row)
	if got := h.AppendCanonical(nil, s, row); !bytes.Equal(got, want) {
		t.Fatalf("canonical form\n got: %s\nwant: %s", got, want)
	}
	if got := h.Sum(s, row); got != xxh3.Hash128(want).Bytes() {
		t.Fatalf("Sum is not xxh3-128 of the reference canonical form %s", want)
	}
	for i := range min(len(s.Fields), len(row)) {
		pk := []int{i}
		value := ref.appendValue(nil, &s.Fields[i], row[i])
		keyJSON := append(append([]byte{'['}, value...), ']')
		key, sum, gotText := h.Identify([]byte("prefix"), s, row, pk)
		if key != xxh3.Hash128(keyJSON).Bytes() {
			t.Fatalf("Key of %q is not the hash of %s", s.Fields[i].Name, keyJSON)
		}
		text := string(value)
		switch row[i].Kind {
		case String:
			text = row[i].S
		case Time, Date:
			text = text[1 : len(text)-1]
		}
		if sum != xxh3.Hash128(want).Bytes() {
			t.Fatalf("Identify's content hash of %q is not Sum", s.Fields[i].Name)
		}
		if got := string(gotText); got != "prefix"+text {
			t.Fatalf("key text of %q = %s, want prefix%s", s.Fields[i].Name, got, text)
		}
	}
}

func TestHasherMatchesReferenceOnFixtures(t *testing.T) {
	var h Hasher
	check := func(t *testing.T, fields []schema.Field, records []string) {
		for _, mode := range []string{AdditionalKeep, AdditionalDrop} {
			e := mustExtractor(t, fields, mode)
			rows := 0
			for _, raw := range records {
				row, err := e.Extract(raw, nil)
				if err != nil {
					continue
				}
				rows++
				sameCanonical(t, &h, e.Schema(), row)
			}
			if rows == 0 {
				t.Fatalf("no record of the corpus extracts with mode %s", mode)
			}
		}
	}
	for _, file := range fixtureFiles {
		records := fixtureRecords(t, file)
		first := gjson.Parse(records[0])
		t.Run(file, func(t *testing.T) {
			check(t, Infer(records).Fields, records)
			check(t, deepSchema(first, true), records)
		})
	}
	t.Run("bench", func(t *testing.T) {
		check(t, benchFields(), benchPage(benchPageSize))
	})
	t.Run("hash row", func(t *testing.T) {
		sameCanonical(t, &h, hashSchema(), hashRow())
	})
}

func TestHasherMatchesReferenceOnValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const day = 86400 * 1e6
	instants := []int64{
		0, -1, 1, math.MaxInt64, math.MinInt64, minTextMicros, minTextMicros - 1, maxTextMicros, maxTextMicros + 1,
		-62135596800 * 1e6, 951782400 * 1e6, 951868799999999, 4102444800*1e6 - 1,
	}
	for range 20000 {
		instants = append(instants, rng.Int64N(maxTextMicros-minTextMicros+4*day)+minTextMicros-2*day, rng.Int64())
	}
	var vals []Value
	for _, us := range instants {
		vals = append(vals, Value{Kind: Time, I: us}, Value{Kind: Date, I: us / day}, Value{Kind: Date, I: us / 1e6})
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1.5, 1e21, 1e-7, 1 << 53, 1<<53 + 2, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}
	for range 2000 {
		floats = append(floats, math.Float64frombits(rng.Uint64()), rng.NormFloat64()*1e6)
	}
	for _, f := range floats {
		vals = append(vals, Value{Kind: Float, F: f})
	}
	alphabet := "aZ09 \"\\/\x00\x01\x1f\x7f\xc3\xa9\xe2\x82\xac\xff\t\n"
	for n := range 2000 {
		var b strings.Builder
		for range n % 40 {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		vals = append(vals, Value{Kind: String, S: b.String()})
	}
	vals = append(vals, Value{Kind: Int, I: math.MinInt64}, Value{Kind: Int, I: math.MaxInt64}, Value{Kind: Bool, I: 1},
		Value{Kind: Bool}, Value{}, Value{Kind: Null}, Value{Kind: JSON, S: `{"b":[1.0,{"z":"\u00e9","a":null}],"a":"x"}`},
		Value{Kind: Kind(200)})
	s := schema.Schema{Fields: []schema.Field{{Name: "v", Type: schema.JSON}}}
	var h Hasher
	for _, v := range vals {
		sameCanonical(t, &h, s, Row{v})
	}
}

func TestHasherMatchesReferenceOnShapes(t *testing.T) {
	obj := []schema.Field{{Name: "z", Type: schema.Int}, {Name: "a", Type: schema.String}, {Name: "é", Type: schema.Bool}, {Name: "A", Type: schema.JSON}}
	tests := []struct {
		name   string
		fields []schema.Field
		row    Row
	}{
		{"object with fewer values than fields", []schema.Field{{Name: "o", Type: schema.Object, Fields: obj}}, Row{vObj(vInt(1))}},
		{"object with more values than fields", []schema.Field{{Name: "o", Type: schema.Object, Fields: obj[:1]}}, Row{vObj(vInt(1), vStr("x"))}},
		{"object value without declared children", []schema.Field{{Name: "o", Type: schema.String}}, Row{vObj(vInt(1))}},
		{"list of objects", []schema.Field{{Name: "l", Type: schema.List, Items: &schema.Field{Type: schema.Object, Fields: obj}}},
			Row{vList(vObj(vInt(1), vStr("b"), vBool(true), vJSON(`[2, 1]`)), vNull, vObj(vAbsent, vAbsent, vAbsent, vAbsent))}},
		{"untyped list of objects uses the list's own fields", []schema.Field{{Name: "l", Type: schema.List, Fields: obj}},
			Row{vList(vObj(vInt(1), vStr("b")), vJSON(`{"k": 1}`))}},
		{"list of lists", []schema.Field{{Name: "l", Type: schema.List, Items: &schema.Field{Type: schema.List, Items: &schema.Field{Type: schema.Int}}}},
			Row{vList(vList(vInt(1), vInt(2)), vList())}},
		{"names needing escapes", []schema.Field{{Name: "q\"uote", Type: schema.Int}, {Name: "tab\t", Type: schema.Int}, {Name: "", Type: schema.Int}},
			Row{vInt(1), vInt(2), vInt(3)}},
		{"short row", []schema.Field{{Name: "a", Type: schema.Int}, {Name: "b", Type: schema.Int}}, Row{vInt(1)}},
	}
	var h Hasher
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameCanonical(t, &h, schema.Schema{Fields: tt.fields}, tt.row)
		})
	}
}

// TestShortDecimalMatchesStrconv compares the fast float form with strconv over short
// decimals, random doubles and the edges of the fast range.
func TestShortDecimalMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	floats := []float64{1e-4, math.Nextafter(1e-4, 0), math.Nextafter(1e-4, 1), 1e6, math.Nextafter(1e6, 0),
		0.1, 0.2, 0.3, 0.1 + 0.2, 1.0 / 3, 2.0 / 3, 123456.789, 999999.9999999999, 0.000123456789012345, 5e-324}
	for range 200000 {
		digits := rng.Int64N(1e15)
		scale := math.Pow10(rng.IntN(19))
		floats = append(floats, float64(digits)/scale, -float64(digits)/scale,
			math.Float64frombits(rng.Uint64()), (rng.Float64()-0.5)*math.Pow10(rng.IntN(12)-5))
	}
	fast := 0
	for _, f := range floats {
		if math.IsNaN(f) || math.IsInf(f, 0) || (f == math.Trunc(f) && math.Abs(f) < 1<<53) {
			continue
		}
		want := strconv.AppendFloat(nil, f, 'g', -1, 64)
		got, ok := appendShortDecimal(nil, f)
		if !ok {
			continue
		}
		fast++
		if !bytes.Equal(got, want) {
			t.Fatalf("appendShortDecimal(%v) = %s, want %s", f, got, want)
		}
	}
	if fast < 200000 {
		t.Fatalf("the fast form covered only %d values", fast)
	}
}

// Extraction marks the strings it read without escapes or control characters Verbatim,
// and the Hasher copies those without looking for bytes to escape: a string that holds
// an escape or a raw control character (which strict JSON forbids) must not be marked.
func TestVerbatimStringsHashLikeTheReference(t *testing.T) {
	fields := []schema.Field{
		{Name: "plain", Type: schema.String},
		{Name: "escaped", Type: schema.String},
		{Name: "control", Type: schema.String},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
	}
	raw := "{\"plain\":\"caf\u00e9 ok\",\"escaped\":\"say \\\"hi\\\"\",\"control\":\"tab\there, long enough\",\"tags\":[\"a\",\"b\\\\c\"]}"
	row, err := mustExtractor(t, fields, AdditionalDrop).Extract(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	marks := []bool{row[0].Verbatim, row[1].Verbatim, row[2].Verbatim, row[3].L[0].Verbatim, row[3].L[1].Verbatim}
	if want := []bool{true, false, false, true, false}; !slices.Equal(marks, want) {
		t.Fatalf("verbatim marks %v, want %v (row %+v)", marks, want, row)
	}
	var h Hasher
	sameCanonical(t, &h, schema.Schema{Fields: fields}, row)
}

// TestVerbatimIntsHashLikeTheReference checks that integers keep the API's digits as
// their canonical text exactly when those are canonical: not for -0, nor for numbers
// written with a fraction or an exponent, nor for integers sent as strings.
func TestVerbatimIntsHashLikeTheReference(t *testing.T) {
	fields := []schema.Field{
		{Name: "a", Type: schema.Int}, {Name: "b", Type: schema.Int}, {Name: "c", Type: schema.Int},
		{Name: "d", Type: schema.Int}, {Name: "e", Type: schema.Int}, {Name: "f", Type: schema.Int},
		{Name: "g", Type: schema.Int},
	}
	raw := `{"a":0,"b":-0,"c":-12,"d":9223372036854775807,"e":-9223372036854775808,"f":1.0,"g":"42"}`
	row, err := mustExtractor(t, fields, AdditionalDrop).Extract(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var marks []bool
	var texts []string
	for _, v := range row {
		marks = append(marks, v.Verbatim)
		texts = append(texts, v.S)
	}
	if want := []bool{true, false, true, true, true, false, false}; !slices.Equal(marks, want) {
		t.Fatalf("verbatim marks %v, want %v (row %+v)", marks, want, row)
	}
	if want := []string{"0", "", "-12", "9223372036854775807", "-9223372036854775808", "", ""}; !slices.Equal(texts, want) {
		t.Fatalf("texts %q, want %q", texts, want)
	}
	var h Hasher
	sameCanonical(t, &h, schema.Schema{Fields: fields}, row)
	if got := string(h.AppendCanonical(nil, schema.Schema{Fields: fields}, row)); got != `{"a":0,"b":0,"c":-12,"d":9223372036854775807,"e":-9223372036854775808,"f":1,"g":42}` {
		t.Fatalf("canonical %s", got)
	}
}

// TestVerbatimFloatsHashLikeTheReference checks which float literals extraction keeps as
// their canonical text, and that the canonical form and hashes stay those of the
// reference for them and for a sweep of random decimals.
func TestVerbatimFloatsHashLikeTheReference(t *testing.T) {
	cases := []struct {
		literal  string
		verbatim bool
	}{
		{"0.1", true}, {"-0.25", true}, {"0.6206", true}, {"0.0001", true}, {"-0.0001", true},
		{"999999.5", true}, {"12345.678901234", true},
		{"0.00001", false},             // 1e-05 in canonical form
		{"1000000.5", false},           // 1.0000005e+06
		{"1.50", false},                // 1.5
		{"1.0", false},                 // 1
		{"-0.0", false},                // 0
		{"1e2", false},                 // 100
		{"0.1000000000000001", false},  // 16 digits
		{"12345678901234.56", false},   // 16 digits
		{"123456.78901234", true},      // 14 digits
		{"0.30000000000000004", false}, // 17 digits
	}
	fields := []schema.Field{{Name: "f", Type: schema.Float}}
	e := mustExtractor(t, fields, AdditionalDrop)
	var h Hasher
	for _, tc := range cases {
		row, err := e.Extract(`{"f":`+tc.literal+`}`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := row[0]; v.Verbatim != tc.verbatim || (v.Verbatim && v.S != tc.literal) {
			t.Errorf("%s: verbatim %v, text %q; want %v", tc.literal, v.Verbatim, v.S, tc.verbatim)
		}
		sameCanonical(t, &h, schema.Schema{Fields: fields}, row)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20_000 {
		lit := strconv.Itoa(r.IntN(10_000_000) >> r.IntN(24))
		if r.IntN(2) == 0 {
			lit = "-" + lit
		}
		frac := make([]byte, 1+r.IntN(10))
		for i := range frac {
			frac[i] = byte('0' + r.IntN(10))
			if r.IntN(4) == 0 {
				frac[i] = '0'
			}
		}
		lit += "." + string(frac)
		row, err := e.Extract(`{"f":`+lit+`}`, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := row[0]; v.Verbatim && v.S != strconv.FormatFloat(v.F, 'g', -1, 64) {
			t.Fatalf("%s kept verbatim, but its canonical form is %s", lit, strconv.FormatFloat(v.F, 'g', -1, 64))
		}
		sameCanonical(t, &h, schema.Schema{Fields: fields}, row)
	}
}

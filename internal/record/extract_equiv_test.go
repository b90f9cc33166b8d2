package record

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// The scanner (extract_scan.go) must return exactly what the general gjson path
// returns. These tests run both over every fixture record, the benchmark records and
// crafted edge cases, under several schemas and every additional-fields mode.

var fixtureFiles = []string{
	"instagram_media.json", "linkedin_posts.json", "mastodon_statuses.json", "reddit_comments.json",
	"tiktok_videos.json", "x_tweepy_tweets.json", "x_users_tweets.json",
}

// deepSchema derives fields from a sample object: objects become object fields and
// arrays list fields, recursively. With siblings, every key is also read as json and
// as string by extra fields, so one key feeds several fields.
func deepSchema(obj gjson.Result, siblings bool) []schema.Field {
	var fields []schema.Field
	obj.ForEach(func(k, v gjson.Result) bool {
		if !isPlainKey(k.Str) {
			return true
		}
		f := deepField(k.Str, v)
		fields = append(fields, f)
		if siblings {
			fields = append(fields,
				schema.Field{Name: k.Str + "__json", Path: k.Str, Type: schema.JSON},
				schema.Field{Name: k.Str + "__str", Path: k.Str, Type: schema.String})
			if v.IsObject() {
				// A complex path into the object.
				v.ForEach(func(ck, _ gjson.Result) bool {
					if isPlainKey(ck.Str) {
						fields = append(fields, schema.Field{Name: k.Str + "__" + ck.Str, Path: k.Str + "." + ck.Str, Type: schema.JSON})
					}
					return false
				})
			}
		}
		return true
	})
	return fields
}

func deepField(name string, v gjson.Result) schema.Field {
	f := schema.Field{Name: name}
	switch {
	case v.IsObject():
		f.Type, f.Fields = schema.Object, deepSchema(v, false)
	case v.IsArray():
		f.Type = schema.List
		if first := v.Get("0"); first.Exists() && first.Type != gjson.Null {
			item := deepField("item", first)
			f.Items = &item
		}
	case v.Type == gjson.Number && strings.ContainsAny(v.Raw, ".eE"):
		f.Type = schema.Float
	case v.Type == gjson.Number:
		f.Type = schema.Int
	case v.Type == gjson.True || v.Type == gjson.False:
		f.Type = schema.Bool
	case v.Type == gjson.String && IsDateOnly("", v.Str):
		f.Type = schema.Date
	case v.Type == gjson.String:
		if _, err := ParseTime(v.Str, ""); err == nil {
			f.Type = schema.Timestamp
		} else {
			f.Type = schema.String
		}
	default:
		f.Type = schema.String
	}
	return f
}

// sameExtraction extracts raw on both paths, into fresh rows and into rows reused from
// the previous record, and fails on any difference. It returns whether the scanner
// handled raw itself (rather than leaving it to the general path).
func sameExtraction(t *testing.T, fast, general *Extractor, raw string, reuseFast, reuseGeneral *Row) bool {
	t.Helper()
	_, scanErr := fast.extractScan(raw, nil)
	scanned := scanErr != errNotStrict
	for _, reuse := range []bool{false, true} {
		var dstFast, dstGeneral Row
		if reuse {
			dstFast, dstGeneral = (*reuseFast)[:0], (*reuseGeneral)[:0]
		}
		got, gotErr := fast.Extract(raw, dstFast)
		want, wantErr := general.extractGeneral(raw, dstGeneral)
		if msg := diffErrors(gotErr, wantErr); msg != "" {
			t.Fatalf("Extract(%s): %s", truncate(raw), msg)
		}
		if wantErr == nil && !reflect.DeepEqual(unmarked(t, got), unmarked(t, want)) {
			t.Fatalf("Extract(%s)\n got: %+v\nwant: %+v", truncate(raw), got, want)
		}
		if reuse && wantErr == nil {
			*reuseFast, *reuseGeneral = got, want
		}
	}
	return scanned
}

func diffErrors(got, want error) string {
	if (got == nil) != (want == nil) {
		return fmt.Sprintf("error %v, want %v", got, want)
	}
	if got == nil {
		return ""
	}
	g, ok1 := got.(*FieldError)
	w, ok2 := want.(*FieldError)
	if !ok1 || !ok2 || *g != *w || got.Error() != want.Error() {
		return fmt.Sprintf("error %#v, want %#v", got, want)
	}
	return ""
}

func TestScanMatchesGeneralOnFixtures(t *testing.T) {
	type corpus struct {
		name    string
		records []string
		schemas map[string][]schema.Field
	}
	var corpora []corpus
	for _, file := range fixtureFiles {
		records := fixtureRecords(t, file)
		first := gjson.Parse(records[0])
		corpora = append(corpora, corpus{file, records, map[string][]schema.Field{
			"inferred":      Infer(records).Fields,
			"deep":          deepSchema(first, false),
			"deep+siblings": deepSchema(first, true),
			"tweet":         tweetFields(),
		}})
	}
	corpora = append(corpora, corpus{"bench", benchPage(50), map[string][]schema.Field{
		"bench": benchFields(),
		"deep":  deepSchema(gjson.Parse(benchPage(1)[0]), true),
	}})
	scanned := 0
	for _, c := range corpora {
		for sname, fields := range c.schemas {
			for _, mode := range []string{AdditionalKeep, AdditionalDrop, AdditionalFail} {
				t.Run(c.name+"/"+sname+"/"+mode, func(t *testing.T) {
					fast, general := mustExtractor(t, fields, mode), mustExtractor(t, fields, mode)
					var rf, rg Row
					for _, raw := range c.records {
						if sameExtraction(t, fast, general, raw, &rf, &rg) {
							scanned++
						}
					}
				})
			}
		}
	}
	// Every fixture is strict JSON: the scanner, not the general path, must read them.
	total := 0
	for _, c := range corpora {
		total += len(c.records) * len(c.schemas) * 3
	}
	if scanned != total {
		t.Fatalf("the scanner read %d of %d extractions; the rest fell back to the general path", scanned, total)
	}
}

// edgeValues are values of key "v" that exercise every conversion, valid or not.
var edgeValues = []string{
	`"abc"`, `"a\"b\u00e9\n"`, `"\ud83d\ude00"`, `"bad \x escape"`, `""`, `"  2024-01-15T10:30:00Z "`,
	`"2024-01-15T10:30:00Z"`, `"2024-01-15T10:30:00.123456789+05:30"`, `"2024-01-15t10:30:00,5-0800"`,
	`"2024-02-30T00:00:00Z"`, `"0001-01-01T00:00:00+01:00"`, `"9999-12-31T23:59:59-01:00"`,
	`"2024-01-15 10:30:00+0000"`, `"2024-01-15 10:30:00 UTC"`, `"2024-01-15"`, `"2024-01"`, `"20240115"`,
	`"1704110400000"`, `"1780620715.0"`, `"Wed Oct 10 20:19:24 +0000 2018"`, `"2024-13-01T00:00:00Z"`,
	`"true"`, `"FALSE"`, `"1"`, `"12.5"`, `"1e3"`, `"many"`,
	`123`, `-0`, `0`, `1`, `-9223372036854775808`, `9223372036854775807`, `9223372036854775808`,
	`-9223372036854775809`, `12345678901234567890`, `99999999999999999999`, `1704110400000`, `20220731`,
	`1.5`, `0.1234`, `-0.0`, `123456789012345.6`, `1234567890123456.7`, `0.000000000000001`,
	`1e3`, `1E-7`, `-1.0e+2`, `1e400`, `-1e400`, `12.0`,
	`true`, `false`, `null`,
	`{}`, `{"a": 1, "b": "x", "x": {"y": 2}}`, `{"a":"q","a":2}`, `{"a":null}`, `{"b\u00e9":{"a":1}}`,
	`[]`, `[1, 2, null, "3"]`, `[{"a":1}, {"a": null}, {}]`, `[[1],[2, [3]]]`, `["x", "y"]`, `[null]`,
	` { "a" : 1 , "x" : { "y" : [ 1 , 2 ] } } `,
	// Not strict JSON: the general path decides.
	`01`, `1.`, `.5`, `+1`, `-`, `1e`, `tru`, `nul`, `NaN`, `-Infinity`, `0x10`, `[1,]`, `{,}`, `{"a" 1}`,
	`{"a":1,}`, `[1 2]`, `{"a":}`, `'x'`, "\"tab\there\"", "\x01",
}

// edgeRecords are whole records beyond one value of "v".
var edgeRecords = []string{
	``, ` `, `[1,2]`, `"str"`, `5`, `null`, `{}`, ` {} `, "\n{\"v\": 1}\n",
	`{"v":1} trailing`, `{"v":1}}`, `{"v":1} {"v":2}`, `{"v":1} "w":2`, "\x01{\"v\":1}", "{\"v\":1}\x00",
	`{"v":1,"v":2}`, `{"v":null,"v":2}`, `{"v":"x","v":null}`, `{"w":1,"v":2,"z":{"k":"v w"}}`,
	`{"b\u00e9":1,"v":2}`, `{"v\u0000":1}`, `{"\u0076":3}`, `{"v":1,}`, `{"v":1 "w":2}`, `{"v"}`, `{"v":}`,
	`{`, `{"v":"a\\"}`, `{"v":"\\\""}`, `{"v":"unterminated}`, `{"v":1,"w":[1,{"x":[]}],"y":"z"}`,
	`{"v":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
	`{"w":` + strings.Repeat(`{"a":`, 300) + `1` + strings.Repeat("}", 300) + `,"v":1}`,
	`{"o":{"a":1,"a":2,"b":"x","x":{"y":3}},"v":2}`, `{"o":{"x":{"y":"bad"}}}`, `{"o":[1]}`, `{"o":{"a":"1"}}`,
}

// edgeFields returns one field of each type reading key "v", plus nested fields.
func edgeFields() map[string][]schema.Field {
	out := make(map[string][]schema.Field)
	for _, typ := range schema.Types {
		f := schema.Field{Name: "v", Type: typ}
		switch typ {
		case schema.Object:
			f.Fields = []schema.Field{{Name: "a", Type: schema.Int}, {Name: "b", Type: schema.String}, {Name: "c", Type: schema.Int, Path: "x.y"}}
		case schema.List:
			f.Items = &schema.Field{Type: schema.Int}
		}
		out[string(typ)] = []schema.Field{f}
	}
	out["untyped list"] = []schema.Field{{Name: "v", Type: schema.List}}
	out["list of objects"] = []schema.Field{{Name: "v", Type: schema.List, Items: &schema.Field{Type: schema.Object, Fields: []schema.Field{{Name: "a", Type: schema.Int}}}}}
	out["unix_ms timestamp"] = []schema.Field{{Name: "v", Type: schema.Timestamp, Format: FormatUnixMS}}
	out["rfc3339 date"] = []schema.Field{{Name: "v", Type: schema.Date, Format: FormatRFC3339}}
	out["date format"] = []schema.Field{{Name: "v", Type: schema.Date, Format: FormatDate}}
	out["layout"] = []schema.Field{{Name: "v", Type: schema.Timestamp, Format: "2006-01-02 15:04:05Z07:00"}}
	out["required and nested"] = []schema.Field{
		{Name: "v", Type: schema.String, Required: true},
		{Name: "o", Type: schema.Object, Required: true, Fields: []schema.Field{
			{Name: "a", Type: schema.Int, Required: true}, {Name: "c", Type: schema.Int, Path: "x.y"},
		}},
		{Name: "deep", Type: schema.JSON, Path: "o.x"},
	}
	return out
}

func TestScanMatchesGeneralOnEdgeCases(t *testing.T) {
	var raws []string
	for _, v := range edgeValues {
		raws = append(raws, `{"v":`+v+`}`, `{"w": 0, "v" : `+v+` , "z": [1]}`)
	}
	raws = append(raws, edgeRecords...)
	for name, fields := range edgeFields() {
		for _, mode := range []string{AdditionalKeep, AdditionalDrop, AdditionalFail} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				fast, general := mustExtractor(t, fields, mode), mustExtractor(t, fields, mode)
				var rf, rg Row
				for _, raw := range raws {
					sameExtraction(t, fast, general, raw, &rf, &rg)
				}
			})
		}
	}
}

// FuzzScanMatchesGeneral checks that for any input the scanner and the general path
// agree, fresh and with reused rows.
func FuzzScanMatchesGeneral(f *testing.F) {
	for _, v := range edgeValues {
		f.Add(`{"v":` + v + `}`)
	}
	for _, raw := range edgeRecords {
		f.Add(raw)
	}
	for _, raw := range fixtureRecords(f, "mastodon_statuses.json") {
		f.Add(raw)
	}
	f.Add(benchPage(1)[0])
	fields := []schema.Field{
		{Name: "v", Type: schema.String},
		{Name: "n", Type: schema.Int, Path: "v"},
		{Name: "i", Type: schema.Int},
		{Name: "f", Type: schema.Float},
		{Name: "b", Type: schema.Bool},
		{Name: "t", Type: schema.Timestamp},
		{Name: "d", Type: schema.Date},
		{Name: "j", Type: schema.JSON},
		{Name: "o", Type: schema.Object, Fields: []schema.Field{{Name: "a", Type: schema.Int}, {Name: "c", Type: schema.JSON, Path: "x.y"}}},
		{Name: "l", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "u", Type: schema.List},
	}
	seed := `{"v":"x","o":{"a":1},"l":["a","b","c"],"u":[{"k":1},2],"z":1}`
	f.Fuzz(func(t *testing.T, raw string) {
		// Fresh extractors and rows reused from one fixed record keep every run
		// independent of the inputs before it.
		fast, general := mustExtractor(t, fields, AdditionalKeep), mustExtractor(t, fields, AdditionalKeep)
		var rf, rg Row
		sameExtraction(t, fast, general, seed, &rf, &rg)
		sameExtraction(t, fast, general, raw, &rf, &rg)
	})
}

// unmarked checks that every Verbatim value in row is a String with nothing a canonical
// string escapes, and returns a copy of row with the marks cleared, to compare rows
// whether or not the path that made them marks verbatim strings.
func unmarked(t *testing.T, row Row) Row {
	t.Helper()
	if row == nil {
		return nil
	}
	out := make(Row, len(row))
	for i, v := range row {
		switch {
		case !v.Verbatim:
		case v.Kind == String && needsEscape(v.S) == len(v.S):
		case v.Kind == Int && v.S == strconv.FormatInt(v.I, 10),
			v.Kind == Float && v.S == strconv.FormatFloat(v.F, 'g', -1, 64):
			v.S = ""
		default:
			t.Fatalf("value %d %+v is marked verbatim", i, v)
		}
		v.Verbatim = false
		if v.L != nil {
			v.L = unmarked(t, v.L)
		}
		out[i] = v
	}
	return out
}

// TestPredictedKeysMatchExactly runs records whose keys first come in a stable order
// (so the scanner predicts them) and then differ from the prediction in one byte, in
// the closing quote, or in length, for keys of one to sixteen bytes (compared as one or
// two words, or byte by byte), near the end of the text too. Scanner and general path
// must agree on every record.
func TestPredictedKeysMatchExactly(t *testing.T) {
	keys := []string{"a", "sevenab", "eightabc", "fifteencharsabc", "sixteencharsabcd"}
	var fields []schema.Field
	for _, k := range keys {
		fields = append(fields, schema.Field{Name: k, Type: schema.Int})
	}
	record := func(names ...string) string {
		var b strings.Builder
		b.WriteString("{")
		for i, n := range names {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%q:%d", n, i+1)
		}
		b.WriteString("}")
		return b.String()
	}
	raws := []string{record(keys...), record(keys...)}
	for i, k := range keys {
		for _, other := range []string{k[:len(k)-1] + "X", "X" + k[1:], k + "x", k[:len(k)-1]} {
			names := slices.Clone(keys)
			names[i] = other
			raws = append(raws, record(names...), record(keys...))
		}
		// The key last, right before the end of the text.
		raws = append(raws, record(append(slices.Clone(keys[:i]), append(slices.Clone(keys[i+1:]), k)...)...), record(keys...))
	}
	for _, mode := range []string{AdditionalKeep, AdditionalDrop} {
		fast, general := mustExtractor(t, fields, mode), mustExtractor(t, fields, mode)
		var rf, rg Row
		for _, raw := range raws {
			sameExtraction(t, fast, general, raw, &rf, &rg)
		}
	}
}

package record

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// Value constructors keep the expected rows readable.
func vStr(s string) Value    { return Value{Kind: String, S: s} }
func vInt(i int64) Value     { return Value{Kind: Int, I: i} }
func vFloat(f float64) Value { return Value{Kind: Float, F: f} }
func vBool(b bool) Value {
	if b {
		return Value{Kind: Bool, I: 1}
	}
	return Value{Kind: Bool}
}
func vTime(t time.Time) Value  { return Value{Kind: Time, I: t.UnixMicro()} }
func vDate(t time.Time) Value  { return Value{Kind: Date, I: t.Unix() / 86400} }
func vJSON(s string) Value     { return Value{Kind: JSON, S: s} }
func vObj(vals ...Value) Value { return Value{Kind: Object, L: vals} }
func vList(vals ...Value) Value {
	if len(vals) == 0 {
		return Value{Kind: List}
	}
	return Value{Kind: List, L: vals}
}

var (
	vAbsent = Value{}
	vNull   = Value{Kind: Null}
)

// fixtureRecords returns the raw JSON of each record in testdata/name (a JSON array).
func fixtureRecords(t testing.TB, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range gjson.ParseBytes(b).Array() {
		out = append(out, r.Raw)
	}
	return out
}

func mustExtractor(t testing.TB, fields []schema.Field, additional string) *Extractor {
	t.Helper()
	e, err := NewExtractor(schema.Schema{Fields: fields}, additional)
	if err != nil {
		t.Fatalf("NewExtractor: %v", err)
	}
	return e
}

func tweetFields() []schema.Field {
	return []schema.Field{
		{Name: "id", Type: schema.String, Required: true},
		{Name: "created_at", Type: schema.Timestamp},
		{Name: "public_metrics", Type: schema.Object, Fields: []schema.Field{
			{Name: "retweet_count", Type: schema.Int},
			{Name: "reply_count", Type: schema.Int},
			{Name: "like_count", Type: schema.Int},
			{Name: "quote_count", Type: schema.Int},
		}},
		{Name: "edit_history_tweet_ids", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "likes", Type: schema.Int, Path: "public_metrics.like_count"},
		{Name: "id_int", Type: schema.Int, Path: "id"},
	}
}

func TestExtractFixtures(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		index      int
		fields     []schema.Field
		additional string
		want       Row
	}{
		{
			name: "x timeline tweet with public metrics", file: "x_users_tweets.json", index: 0,
			fields: tweetFields(), additional: AdditionalDrop,
			want: Row{
				vStr("1364275610764201984"),
				vTime(utc(2021, 2, 23, 18, 7, 7, 0)),
				vObj(vInt(10), vInt(2), vInt(37), vInt(1)),
				vAbsent,
				vInt(37),
				vInt(1364275610764201984),
			},
		},
		{
			name: "x tweet with edit history and no metrics", file: "x_tweepy_tweets.json", index: 0,
			fields: tweetFields(), additional: AdditionalKeep,
			want: Row{
				vStr("1577730467436138524"),
				vAbsent,
				vAbsent,
				vList(vStr("1577730467436138524")),
				vAbsent,
				vInt(1577730467436138524),
				vJSON(`{"text":"whoa, it works\n\nnow everyone can mix GIFs, videos, and images in one Tweet, available on iOS and Android https://t.co/3OQ4eGsUku https://t.co/LVVolAQPZi"}`),
			},
		},
		{
			name: "instagram media with +0000 offset, undeclared keys kept", file: "instagram_media.json", index: 0,
			fields: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "timestamp", Type: schema.Timestamp},
				{Name: "like_count", Type: schema.Int},
				{Name: "comments_count", Type: schema.Int},
				{Name: "media_type", Type: schema.String},
				{Name: "caption", Type: schema.String},
			},
			want: Row{
				vStr("17895731045244887"),
				vTime(utc(2021, 8, 13, 8, 25, 28, 0)),
				vInt(0),
				vInt(0),
				vStr("IMAGE"),
				vAbsent,
				vJSON(`{"media_url":"https://scontent-gmp1-1.cdninstagram.com/v/t51.29350-15/235924128_269317301288861_6602043128777306709_n.jpg","permalink":"https://www.instagram.com/p/CSgf9BChwVq/"}`),
			},
		},
		{
			name: "linkedin post with epoch ms and dotted paths", file: "linkedin_posts.json", index: 1,
			fields: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "createdAt", Type: schema.Timestamp},
				{Name: "lastModifiedAt", Type: schema.Timestamp, Format: FormatUnixMS},
				{Name: "edited", Type: schema.Bool, Path: "lifecycleStateInfo.isEditedByAuthor"},
				{Name: "media_id", Type: schema.String, Path: "content.media.id"},
				{Name: "distribution", Type: schema.JSON},
			},
			additional: AdditionalDrop,
			want: Row{
				vStr("urn:li:ugcPost:7144000000000000002"),
				vTime(utc(2023, 12, 29, 12, 0, 0, 0)),
				vTime(utc(2023, 12, 30, 12, 0, 0, 0)),
				vBool(true),
				vStr("urn:li:image:C4E10AQExample"),
				vJSON(`{"feedDistribution":"MAIN_FEED","targetEntities":[],"thirdPartyDistributionChannels":[]}`),
			},
		},
		{
			name: "linkedin post without content", file: "linkedin_posts.json", index: 0,
			fields: []schema.Field{
				{Name: "media_id", Type: schema.String, Path: "content.media.id"},
				{Name: "edited", Type: schema.Bool, Path: "lifecycleStateInfo.isEditedByAuthor"},
			},
			additional: AdditionalDrop,
			want:       Row{vAbsent, vBool(false)},
		},
		{
			name: "tiktok video with unix seconds and a date column", file: "tiktok_videos.json", index: 1,
			fields: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "create_time", Type: schema.Timestamp, Format: FormatUnix},
				{Name: "created_date", Type: schema.Date, Path: "create_time"},
				{Name: "duration", Type: schema.Int},
				{Name: "height", Type: schema.Int},
				{Name: "title", Type: schema.String},
			},
			additional: AdditionalDrop,
			want: Row{
				vStr("7325000000000000000"),
				vTime(utc(2024, 1, 19, 0, 0, 0, 0)),
				vDate(utc(2024, 1, 19, 0, 0, 0, 0)),
				vInt(30),
				vAbsent,
				vStr(""),
			},
		},
		{
			name: "mastodon status with nulls, nested account and empty list", file: "mastodon_statuses.json", index: 0,
			fields: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "created_at", Type: schema.Timestamp},
				{Name: "in_reply_to_id", Type: schema.String},
				{Name: "edited_at", Type: schema.Timestamp},
				{Name: "sensitive", Type: schema.Bool},
				{Name: "filtered", Type: schema.List},
				{Name: "account", Type: schema.Object, Fields: []schema.Field{
					{Name: "id", Type: schema.String},
					{Name: "created_at", Type: schema.Timestamp},
					{Name: "discoverable", Type: schema.Bool},
					{Name: "last_status_at", Type: schema.Date},
				}},
				{Name: "application", Type: schema.JSON},
			},
			additional: AdditionalDrop,
			want: Row{
				vStr("117020580518794573"),
				vTime(utc(2026, 8, 1, 13, 52, 34, 108_000_000)),
				vNull,
				vNull,
				vBool(true),
				vList(),
				vObj(vStr("117020565966271181"), vTime(utc(2026, 8, 1, 0, 0, 0, 0)), vNull, vDate(utc(2026, 8, 1, 0, 0, 0, 0))),
				vJSON(`{"name":"Mastodon.py test suite","website":null}`),
			},
		},
		{
			name: "reddit float epoch seconds", file: "reddit_comments.json", index: 0,
			fields: []schema.Field{
				{Name: "name", Type: schema.String},
				{Name: "created_utc", Type: schema.Timestamp, Format: FormatUnixFloat},
				{Name: "edited", Type: schema.JSON},
				{Name: "score", Type: schema.Int},
				{Name: "gildings", Type: schema.JSON},
			},
			additional: AdditionalDrop,
			want: Row{
				vStr("t1_optfyql"),
				vTime(utc(2026, 6, 5, 0, 51, 55, 0)),
				vJSON("false"),
				vInt(22),
				vJSON("{}"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustExtractor(t, tt.fields, tt.additional)
			raw := fixtureRecords(t, tt.file)[tt.index]
			got, err := e.Extract(raw, nil)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !reflect.DeepEqual(unmarked(t, got), tt.want) {
				t.Fatalf("Extract\n got: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestExtractSchema(t *testing.T) {
	fields := []schema.Field{{Name: "id", Type: schema.String}}
	tests := []struct {
		name, additional string
		want             []string
	}{
		{"keep by default", "", []string{"id:string", "_extra:json"}},
		{"keep", AdditionalKeep, []string{"id:string", "_extra:json"}},
		{"drop", AdditionalDrop, []string{"id:string"}},
		{"fail", AdditionalFail, []string{"id:string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range mustExtractor(t, fields, tt.additional).Schema().Fields {
				got = append(got, f.Name+":"+string(f.Type))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Schema() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewExtractorErrors(t *testing.T) {
	tests := []struct {
		name       string
		fields     []schema.Field
		additional string
		want       string
	}{
		{"bad additional", nil, "ignore", `additional_fields "ignore": expected keep, drop or fail`},
		{"unknown type", []schema.Field{{Name: "a", Type: "integer"}}, "",
			`field "a": unknown type "integer" (expected one of string, int, float, bool, timestamp, date, json, object, list)`},
		{"duplicate", []schema.Field{{Name: "a", Type: schema.Int}, {Name: "a", Type: schema.String}}, "", `field "a": declared twice`},
		{"reserved extra", []schema.Field{{Name: "_extra", Type: schema.JSON}}, AdditionalKeep,
			`field "_extra": name is reserved for undeclared fields (rename it, or set additional_fields: drop)`},
		{"bad nested time format", []schema.Field{{Name: "o", Type: schema.Object, Fields: []schema.Field{
			{Name: "l", Type: schema.List, Items: &schema.Field{Type: schema.Timestamp, Format: "unixms"}},
		}}}, "", `field "o.l[]": unknown time format "unixms" (use rfc3339, unix, unix_ms, unix_float, date, yyyymmdd, or a Go layout such as 2006-01-02 15:04:05)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewExtractor(schema.Schema{Fields: tt.fields}, tt.additional)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("NewExtractor error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestExtractConversions(t *testing.T) {
	tests := []struct {
		name  string
		field schema.Field
		json  string // the value of key "v"
		want  Value
	}{
		{"string keeps 19-digit number exactly", schema.Field{Type: schema.String}, `1577730467436138524`, vStr("1577730467436138524")},
		{"string keeps number text", schema.Field{Type: schema.String}, `1.50`, vStr("1.50")},
		{"string from bool", schema.Field{Type: schema.String}, `true`, vStr("true")},
		{"string from object is compact json", schema.Field{Type: schema.String}, `{ "a": "b c" }`, vStr(`{"a":"b c"}`)},
		{"string with escapes", schema.Field{Type: schema.String}, `"a\"b\u00e9\n"`, vStr("a\"bé\n")},
		{"int from number", schema.Field{Type: schema.Int}, `-42`, vInt(-42)},
		{"int max int64", schema.Field{Type: schema.Int}, `9223372036854775807`, vInt(9223372036854775807)},
		{"int from digit string", schema.Field{Type: schema.Int}, `"1364275610764201984"`, vInt(1364275610764201984)},
		{"int from integral float", schema.Field{Type: schema.Int}, `12.0`, vInt(12)},
		{"int from exponent", schema.Field{Type: schema.Int}, `1e3`, vInt(1000)},
		{"float from number", schema.Field{Type: schema.Float}, `1.5`, vFloat(1.5)},
		{"float from string", schema.Field{Type: schema.Float}, `"2.25"`, vFloat(2.25)},
		{"float from integer", schema.Field{Type: schema.Float}, `3`, vFloat(3)},
		{"bool from string", schema.Field{Type: schema.Bool}, `"false"`, vBool(false)},
		{"bool from 1", schema.Field{Type: schema.Bool}, `1`, vBool(true)},
		{"json keeps scalar", schema.Field{Type: schema.JSON}, `"x y"`, vJSON(`"x y"`)},
		{"json compacts outside strings", schema.Field{Type: schema.JSON}, "{\"b\": [1, 2],\n \"a\": \"x y\"}", vJSON(`{"b":[1,2],"a":"x y"}`)},
		{"date from date", schema.Field{Type: schema.Date}, `"2024-01-15"`, vDate(utc(2024, 1, 15, 0, 0, 0, 0))},
		{"date before epoch", schema.Field{Type: schema.Date}, `"1969-12-31"`, Value{Kind: Date, I: -1}},
		{"date of an instant is its UTC day", schema.Field{Type: schema.Date}, `"2024-01-15T23:59:59-05:00"`, vDate(utc(2024, 1, 16, 0, 0, 0, 0))},
		{"date from yyyymmdd", schema.Field{Type: schema.Date}, `"20220731"`, vDate(utc(2022, 7, 31, 0, 0, 0, 0))},
		{"timestamp from date is UTC midnight", schema.Field{Type: schema.Timestamp}, `"2024-01-15"`, vTime(utc(2024, 1, 15, 0, 0, 0, 0))},
		{"timestamp keeps microseconds", schema.Field{Type: schema.Timestamp}, `"2024-01-15T10:30:00.1234567Z"`, vTime(utc(2024, 1, 15, 10, 30, 0, 123456000))},
		{"timestamp unix_ms string", schema.Field{Type: schema.Timestamp, Format: FormatUnixMS}, `"1704110400000"`, vTime(utc(2024, 1, 1, 12, 0, 0, 0))},
		{"timestamp layout", schema.Field{Type: schema.Timestamp, Format: "2006-01-02 15:04:05"}, `"2024-01-15 10:30:00"`, vTime(utc(2024, 1, 15, 10, 30, 0, 0))},
		{"list of ints", schema.Field{Type: schema.List, Items: &schema.Field{Type: schema.Int}}, `[1, null, "3"]`, vList(vInt(1), vNull, vInt(3))},
		{"list without items keeps json", schema.Field{Type: schema.List}, `[{"a": 1}, "x", null]`, vList(vJSON(`{"a":1}`), vJSON(`"x"`), vNull)},
		{"list of objects", schema.Field{Type: schema.List, Items: &schema.Field{Type: schema.Object, Fields: []schema.Field{{Name: "n", Type: schema.Int}}}},
			`[{"n": 1}, {}]`, vList(vObj(vInt(1)), vObj(vAbsent))},
		{"object with child path", schema.Field{Type: schema.Object, Fields: []schema.Field{{Name: "x", Type: schema.Int, Path: "a.b"}, {Name: "y", Type: schema.String}}},
			`{"a": {"b": 5}, "y": null}`, vObj(vInt(5), vNull)},
		{"null", schema.Field{Type: schema.Int}, `null`, vNull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.field
			f.Name = "v"
			e := mustExtractor(t, []schema.Field{f}, AdditionalDrop)
			got, err := e.Extract(`{"v": `+tt.json+`}`, nil)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !reflect.DeepEqual(unmarked(t, got), Row{tt.want}) {
				t.Fatalf("Extract(%s)\n got: %+v\nwant: %+v", tt.json, got[0], tt.want)
			}
		})
	}
}

func TestExtractErrors(t *testing.T) {
	long := `"` + strings.Repeat("é", 60) + `"`
	tests := []struct {
		name       string
		fields     []schema.Field
		additional string
		raw        string
		want       *FieldError
		text       string
	}{
		{
			name: "int with fraction", fields: []schema.Field{{Name: "n", Type: schema.Int}}, raw: `{"n": 1.5}`,
			want: &FieldError{Field: "n", Value: "1.5", Reason: "has a fraction (declare type: float, or type: string to keep the exact digits)"},
			text: `field "n": has a fraction (declare type: float, or type: string to keep the exact digits) (got 1.5)`,
		},
		{
			name: "int beyond int64", fields: []schema.Field{{Name: "id", Type: schema.Int}}, raw: `{"id": 12345678901234567890}`,
			want: &FieldError{Field: "id", Value: "12345678901234567890", Reason: "integer out of int64 range (declare type: string to keep the exact digits)"},
			text: `field "id": integer out of int64 range (declare type: string to keep the exact digits) (got 12345678901234567890)`,
		},
		{
			name: "int from words", fields: []schema.Field{{Name: "n", Type: schema.Int}}, raw: `{"n": "many"}`,
			want: &FieldError{Field: "n", Value: `"many"`, Reason: "not an integer"},
			text: `field "n": not an integer (got "many")`,
		},
		{
			name: "bad timestamp", fields: []schema.Field{{Name: "t", Type: schema.Timestamp}}, raw: `{"t": "2024-13-01"}`,
			want: &FieldError{Field: "t", Value: `"2024-13-01"`, Reason: "month out of range (expected 01-12)"},
			text: `field "t": month out of range (expected 01-12) (got "2024-13-01")`,
		},
		{
			name: "bool from word", fields: []schema.Field{{Name: "b", Type: schema.Bool}}, raw: `{"b": "yes"}`,
			want: &FieldError{Field: "b", Value: `"yes"`, Reason: "expected a boolean (true or false)"},
			text: `field "b": expected a boolean (true or false) (got "yes")`,
		},
		{
			name: "required missing", fields: []schema.Field{{Name: "id", Type: schema.String, Required: true}}, raw: `{"x": 1}`,
			additional: AdditionalDrop,
			want:       &FieldError{Field: "id", Reason: "required field is missing"},
			text:       `field "id": required field is missing`,
		},
		{
			name: "required null", fields: []schema.Field{{Name: "id", Type: schema.String, Required: true}}, raw: `{"id": null}`,
			want: &FieldError{Field: "id", Reason: "required field is null"},
			text: `field "id": required field is null`,
		},
		{
			name: "nested required", raw: `{"m": {"y": 1}}`,
			fields: []schema.Field{{Name: "m", Type: schema.Object, Fields: []schema.Field{{Name: "x", Type: schema.Int, Required: true}}}},
			want:   &FieldError{Field: "m.x", Reason: "required field is missing"},
			text:   `field "m.x": required field is missing`,
		},
		{
			name: "object expected", fields: []schema.Field{{Name: "m", Type: schema.Object}}, raw: `{"m": 5}`,
			want: &FieldError{Field: "m", Value: "5", Reason: "expected a JSON object"},
			text: `field "m": expected a JSON object (got 5)`,
		},
		{
			name: "list element", fields: []schema.Field{{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.Int}}}, raw: `{"tags": [1, "x"]}`,
			want: &FieldError{Field: "tags[]", Value: `"x"`, Reason: "not an integer"},
			text: `field "tags[]": not an integer (got "x")`,
		},
		{
			name: "undeclared with fail", fields: []schema.Field{{Name: "id", Type: schema.Int}}, additional: AdditionalFail, raw: `{"id": 1, "extra": {"a": 1}}`,
			want: &FieldError{Field: "extra", Value: `{"a": 1}`, Reason: "field is not declared (declare it, or set additional_fields: keep or drop)"},
			text: `field "extra": field is not declared (declare it, or set additional_fields: keep or drop) (got {"a": 1})`,
		},
		{
			name: "not an object", fields: []schema.Field{{Name: "id", Type: schema.Int}}, raw: `[1, 2]`,
			want: &FieldError{Value: "[1, 2]", Reason: "record is not a JSON object"},
			text: `record is not a JSON object (got [1, 2])`,
		},
		{
			name: "long value truncated on a rune boundary", fields: []schema.Field{{Name: "n", Type: schema.Int}}, raw: `{"n": ` + long + `}`,
			want: &FieldError{Field: "n", Value: long[:77] + "…", Reason: "not an integer"},
			text: `field "n": not an integer (got ` + long[:77] + `…)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustExtractor(t, tt.fields, tt.additional)
			_, err := e.Extract(tt.raw, nil)
			fe, ok := err.(*FieldError)
			if !ok {
				t.Fatalf("Extract error = %v (%T), want *FieldError", err, err)
			}
			if *fe != *tt.want {
				t.Fatalf("Extract error\n got: %#v\nwant: %#v", *fe, *tt.want)
			}
			if err.Error() != tt.text {
				t.Fatalf("Error()\n got: %s\nwant: %s", err.Error(), tt.text)
			}
		})
	}
}

func TestExtractAbsentNullAndExtra(t *testing.T) {
	fields := []schema.Field{{Name: "a", Type: schema.Int}, {Name: "b", Type: schema.Int}}
	tests := []struct {
		name, raw string
		want      Row
	}{
		{"null and absent", `{"a": null}`, Row{vNull, vAbsent, vAbsent}},
		{"first duplicate key wins", `{"a": 1, "a": 2, "b": 3}`, Row{vInt(1), vInt(3), vAbsent}},
		{"extra keys compact, in record order", "{\"z\": [1, 2],\n \"a\": 1, \"y\": {\"k\": \"v w\"}}", Row{vInt(1), vAbsent, vJSON(`{"z":[1,2],"y":{"k":"v w"}}`)}},
		{"escaped extra key kept raw", `{"b\u00e9": true}`, Row{vAbsent, vAbsent, vJSON(`{"b\u00e9":true}`)}},
		{"empty object", `{}`, Row{vAbsent, vAbsent, vAbsent}},
	}
	e := mustExtractor(t, fields, AdditionalKeep)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Extract(tt.raw, nil)
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if !reflect.DeepEqual(unmarked(t, got), tt.want) {
				t.Fatalf("Extract(%s)\n got: %+v\nwant: %+v", tt.raw, got, tt.want)
			}
		})
	}
}

// TestExtractReusesRow checks that a reused row carries nothing over from the previous
// record, and that the backing arrays are in fact reused.
func TestExtractReusesRow(t *testing.T) {
	e := mustExtractor(t, tweetFields(), AdditionalKeep)
	first := `{"id": "1", "public_metrics": {"like_count": 5, "reply_count": 1}, "edit_history_tweet_ids": ["a", "b", "c"], "x": 1}`
	second := `{"id": "2", "edit_history_tweet_ids": ["d"]}`
	row, err := e.Extract(first, nil)
	if err != nil {
		t.Fatal(err)
	}
	backing := &row[0]
	listBacking := &row[3].L[0]
	row, err = e.Extract(second, row)
	if err != nil {
		t.Fatal(err)
	}
	want := Row{vStr("2"), vAbsent, vAbsent, vList(vStr("d")), vAbsent, vInt(2), vAbsent}
	if !reflect.DeepEqual(unmarked(t, row), want) {
		t.Fatalf("second Extract\n got: %+v\nwant: %+v", row, want)
	}
	if &row[0] != backing || &row[3].L[0] != listBacking {
		t.Fatalf("row or list backing array not reused")
	}
}

// FuzzExtract checks that extraction and hashing never panic, and that a record that
// extracts hashes the same when extracted again into a reused row.
func FuzzExtract(f *testing.F) {
	for _, name := range []string{"x_users_tweets.json", "x_tweepy_tweets.json", "mastodon_statuses.json"} {
		for _, raw := range fixtureRecords(f, name) {
			f.Add(raw)
		}
	}
	f.Add(`{"id": "1", "created_at": 1704110400000, "public_metrics": {"like_count": "7"}, "edit_history_tweet_ids": [1, null]}`)
	e := mustExtractor(f, tweetFields(), AdditionalKeep)
	s := e.Schema()
	f.Fuzz(func(t *testing.T, raw string) {
		var h Hasher
		row, err := e.Extract(raw, nil)
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("error %v is %T, want *FieldError", err, err)
			}
			return
		}
		sum := h.Sum(s, row)
		h.Identify(nil, s, row, []int{0, 1})
		again, err := e.Extract(raw, make(Row, 0, len(s.Fields)))
		if err != nil || h.Sum(s, again) != sum {
			t.Fatalf("second extraction differs: %v", err)
		}
	})
}

package record

import (
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
)

func TestInfer(t *testing.T) {
	tests := []struct {
		name    string
		samples []string
		want    []schema.Field
	}{
		{
			name:    "x timeline page",
			samples: fixtureRecords(t, "x_users_tweets.json"),
			want: []schema.Field{
				{Name: "text", Type: schema.String},
				{Name: "id", Type: schema.String},
				{Name: "created_at", Type: schema.Timestamp},
				{Name: "public_metrics", Type: schema.JSON},
			},
		},
		{
			name:    "instagram media with +0000 timestamps",
			samples: fixtureRecords(t, "instagram_media.json"),
			want: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "comments_count", Type: schema.Int},
				{Name: "like_count", Type: schema.Int},
				{Name: "media_type", Type: schema.String},
				{Name: "media_url", Type: schema.String},
				{Name: "permalink", Type: schema.String},
				{Name: "timestamp", Type: schema.Timestamp},
			},
		},
		{
			name:    "reddit float epoch and empty object",
			samples: fixtureRecords(t, "reddit_comments.json")[:1],
			want: []schema.Field{
				{Name: "id", Type: schema.String},
				{Name: "name", Type: schema.String},
				{Name: "author", Type: schema.String},
				{Name: "body", Type: schema.String},
				{Name: "created_utc", Type: schema.Float},
				{Name: "edited", Type: schema.Bool},
				{Name: "score", Type: schema.Int},
				{Name: "ups", Type: schema.Int},
				{Name: "downs", Type: schema.Int},
				{Name: "subreddit", Type: schema.String},
				{Name: "permalink", Type: schema.String},
				{Name: "distinguished", Type: schema.String},
				{Name: "gildings", Type: schema.JSON},
				{Name: "num_comments", Type: schema.Int},
			},
		},
		{
			name: "order of first appearance across samples",
			samples: []string{
				`{"b": 1}`,
				`[1, 2]`,
				`{"a": true, "b": 2}`,
				`not json`,
				`{"c": null, "a": false}`,
			},
			want: []schema.Field{
				{Name: "b", Type: schema.Int},
				{Name: "a", Type: schema.Bool},
				{Name: "c", Type: schema.String},
			},
		},
		{
			name: "type rules",
			samples: []string{
				`{"ints": 1, "mixed_num": 1, "big": 12345678901234567890, "big_float": 12345678901234567890, "mixed": 1, "day": "2024-01-15", "local": "2024-01-15 10:30:00", "ts": "2024-01-15T10:30:00Z", "late_null": null, "list": [], "exp": 1e3}`,
				`{"ints": -7, "mixed_num": 2.5, "big": 1, "big_float": 0.5, "mixed": "1", "day": "2024-01-16", "local": "2024-01-15 10:31:00", "ts": "2021-07-04T19:50:58+0000", "late_null": 3}`,
			},
			want: []schema.Field{
				{Name: "ints", Type: schema.Int},
				{Name: "mixed_num", Type: schema.Float},
				{Name: "big", Type: schema.String},
				{Name: "big_float", Type: schema.Float},
				{Name: "mixed", Type: schema.JSON},
				{Name: "day", Type: schema.String},
				{Name: "local", Type: schema.String},
				{Name: "ts", Type: schema.Timestamp},
				{Name: "late_null", Type: schema.Int},
				{Name: "list", Type: schema.JSON},
				{Name: "exp", Type: schema.Float},
			},
		},
		{
			name:    "timestamp column spoiled by one non-time",
			samples: []string{`{"t": "2024-01-15T10:30:00Z"}`, `{"t": "soon"}`, `{"t": "2024-01-16T10:30:00Z"}`},
			want:    []schema.Field{{Name: "t", Type: schema.String}},
		},
		{
			name: "no samples",
			want: []schema.Field{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Infer(tt.samples)
			if !reflect.DeepEqual(got.Fields, tt.want) {
				t.Fatalf("Infer\n got: %+v\nwant: %+v", got.Fields, tt.want)
			}
		})
	}
}

// TestInferThenExtract checks that an inferred schema extracts its own samples.
func TestInferThenExtract(t *testing.T) {
	samples := fixtureRecords(t, "mastodon_statuses.json")
	s := Infer(samples)
	e, err := NewExtractor(s, "")
	if err != nil {
		t.Fatal(err)
	}
	row, err := e.Extract(samples[0], nil)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	checks := map[string]Value{
		"id":             vStr("117020580518794573"),
		"created_at":     vTime(utc(2026, 8, 1, 13, 52, 34, 108_000_000)),
		"in_reply_to_id": vNull,
		"sensitive":      vBool(true),
		"replies_count":  vInt(0),
		"filtered":       vJSON("[]"),
		"application":    vJSON(`{"name":"Mastodon.py test suite","website":null}`),
		ExtraField:       vAbsent,
	}
	out := e.Schema()
	for name, want := range checks {
		i := out.Index(name)
		if i < 0 {
			t.Fatalf("column %q not inferred", name)
		}
		if !reflect.DeepEqual(unmarked(t, row[i:i+1])[0], want) {
			t.Errorf("column %q = %+v, want %+v", name, row[i], want)
		}
	}
}

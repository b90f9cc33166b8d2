package record

import (
	"testing"

	"github.com/sluice-dev/sluice/internal/schema"
)

// benchRecord is a typical social-media record of about 410 bytes.
const benchRecord = `{"id":1577730467436138524,"author_id":"783214","lang":"en",` +
	`"text":"now everyone can mix GIFs, videos, and images in one Tweet",` +
	`"created_at":"2022-10-05T18:30:12.000Z","possibly_sensitive":false,"reply_settings":"all",` +
	`"public_metrics":{"retweet_count":10,"reply_count":3,"like_count":109,"quote_count":8},` +
	`"edit_history_tweet_ids":["1577730467436138524"],"conversation_id":"1577730467436138524","source":"Web App"}`

func benchFields() []schema.Field {
	return []schema.Field{
		{Name: "id", Type: schema.Int, Required: true},
		{Name: "author_id", Type: schema.String},
		{Name: "lang", Type: schema.String},
		{Name: "text", Type: schema.String},
		{Name: "created_at", Type: schema.Timestamp},
		{Name: "possibly_sensitive", Type: schema.Bool},
		{Name: "reply_settings", Type: schema.String},
		{Name: "public_metrics", Type: schema.Object, Fields: []schema.Field{
			{Name: "retweet_count", Type: schema.Int},
			{Name: "reply_count", Type: schema.Int},
			{Name: "like_count", Type: schema.Int},
			{Name: "quote_count", Type: schema.Int},
		}},
		{Name: "edit_history_tweet_ids", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "conversation_id", Type: schema.String},
		{Name: "source", Type: schema.String},
	}
}

func BenchmarkExtract(b *testing.B) {
	e := mustExtractor(b, benchFields(), AdditionalKeep)
	var row Row
	var err error
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		if row, err = e.Extract(benchRecord, row); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkHash(b *testing.B) {
	e := mustExtractor(b, benchFields(), AdditionalKeep)
	row, err := e.Extract(benchRecord, nil)
	if err != nil {
		b.Fatal(err)
	}
	s := e.Schema()
	var h Hasher
	b.ReportAllocs()
	for b.Loop() {
		h.Sum(s, row)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkParseTime(b *testing.B) {
	inputs := []string{"2021-02-23T18:07:07.000Z", "2021-07-04T19:50:58+0000", "1704110400000", "2024-01-15"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseTime(inputs[i%len(inputs)], ""); err != nil {
			b.Fatal(err)
		}
	}
}

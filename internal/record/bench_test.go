package record

import (
	"testing"

	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/schema"
)

// benchPageSize is the number of distinct records the benchmarks cycle through: one page
// of the benchmark API, so that every record is fresh to the caches as in a real run.
const benchPageSize = 500

// benchFields mirrors the fields of internal/fakeapi/testdata/bench.yaml.
func benchFields() []schema.Field {
	return []schema.Field{
		{Name: "id", Type: schema.Int, Required: true},
		{Name: "created_at", Type: schema.Timestamp, Format: FormatRFC3339, Required: true},
		{Name: "account", Type: schema.String},
		{Name: "title", Type: schema.String},
		{Name: "body", Type: schema.String},
		{Name: "status", Type: schema.String},
		{Name: "lang", Type: schema.String},
		{Name: "score", Type: schema.Int},
		{Name: "views", Type: schema.Int},
		{Name: "shares", Type: schema.Int},
		{Name: "ratio", Type: schema.Float},
		{Name: "author", Type: schema.Object, Fields: []schema.Field{
			{Name: "id", Type: schema.Int},
			{Name: "handle", Type: schema.String},
			{Name: "verified", Type: schema.Bool},
		}},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Name: "tag", Type: schema.String}},
	}
}

// benchPage returns n distinct records as the benchmark API serves them (each with a
// title and body of its own, as in the end-to-end job).
func benchPage(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = string(fakeapi.BenchRecord(fakeapi.BenchOptions{FreshText: true}, i))
	}
	return out
}

// benchRows extracts raws into one slab of rows, as the engine does.
func benchRows(tb testing.TB, e *Extractor, raws []string) []Row {
	tb.Helper()
	width := len(e.Schema().Fields)
	slab := make([]Value, len(raws)*width)
	rows := make([]Row, len(raws))
	for i, raw := range raws {
		row, err := e.Extract(raw, slab[i*width:i*width:(i+1)*width])
		if err != nil {
			tb.Fatal(err)
		}
		rows[i] = row
	}
	return rows
}

// reportPerRecord reports records/s and ns/record for a loop over one record per
// iteration.
func reportPerRecord(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
}

// BenchmarkExtract extracts a page of distinct records into a slab of reused rows.
func BenchmarkExtract(b *testing.B) {
	e := mustExtractor(b, benchFields(), AdditionalFail)
	raws := benchPage(benchPageSize)
	width := len(e.Schema().Fields)
	slab := make([]Value, len(raws)*width)
	size := 0
	for _, r := range raws {
		size += len(r)
	}
	b.SetBytes(int64(size / len(raws)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := i % len(raws)
		if _, err := e.Extract(raws[k], slab[k*width:k*width:(k+1)*width]); err != nil {
			b.Fatal(err)
		}
	}
	reportPerRecord(b)
}

// BenchmarkHash hashes the rows of a page of distinct records: the content hash and the
// primary key, as the engine does per record.
func BenchmarkHash(b *testing.B) {
	e := mustExtractor(b, benchFields(), AdditionalFail)
	rows := benchRows(b, e, benchPage(benchPageSize))
	s := e.Schema()
	var h Hasher
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Sum(s, rows[i%len(rows)])
	}
	reportPerRecord(b)
}

// BenchmarkIdentify computes the key, content hash and key text of the rows of a page of
// distinct records.
func BenchmarkIdentify(b *testing.B) {
	e := mustExtractor(b, benchFields(), AdditionalFail)
	rows := benchRows(b, e, benchPage(benchPageSize))
	s := e.Schema()
	pk := []int{0}
	var h Hasher
	var text []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_, _, text = h.Identify(text[:0], s, rows[i%len(rows)], pk)
	}
	reportPerRecord(b)
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

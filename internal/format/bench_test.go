package format

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// benchSchema is the record shape of a typical social media post: ids, a few strings and
// counters, a timestamp, a nested object and a list of strings (~410 bytes as JSON).
var benchSchema = schema.Schema{Fields: []schema.Field{
	{Name: "id", Type: schema.Int},
	{Name: "account_id", Type: schema.String},
	{Name: "caption", Type: schema.String},
	{Name: "media_type", Type: schema.String},
	{Name: "permalink", Type: schema.String},
	{Name: "like_count", Type: schema.Int},
	{Name: "comments_count", Type: schema.Int},
	{Name: "reach", Type: schema.Int},
	{Name: "engagement_rate", Type: schema.Float},
	{Name: "is_published", Type: schema.Bool},
	{Name: "created_time", Type: schema.Timestamp},
	{Name: "owner", Type: schema.Object, Fields: []schema.Field{
		{Name: "id", Type: schema.String},
		{Name: "username", Type: schema.String},
	}},
	{Name: "hashtags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
}}

var words = []string{"launch", "summer", "sale", "new", "today", "thanks", "everyone", "who",
	"joined", "our", "event", "see", "you", "next", "time", "behind", "the", "scenes", "team"}

// benchRows returns n deterministic rows of benchSchema.
func benchRows(n int) []record.Row {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	types := []string{"IMAGE", "VIDEO", "CAROUSEL_ALBUM"}
	rows := make([]record.Row, n)
	for i := range rows {
		caption := ""
		for len(caption) < 40+r.IntN(60) {
			caption += words[r.IntN(len(words))] + " "
		}
		id := 17900000000000000 + int64(i)*7919
		tags := make([]record.Value, 1+r.IntN(4))
		for j := range tags {
			tags[j] = record.Value{Kind: record.String, S: "#" + words[r.IntN(len(words))]}
		}
		rows[i] = record.Row{
			{Kind: record.Int, I: id},
			{Kind: record.String, S: fmt.Sprintf("1784140%010d", r.IntN(50))},
			{Kind: record.String, S: caption},
			{Kind: record.String, S: types[r.IntN(len(types))]},
			{Kind: record.String, S: fmt.Sprintf("https://www.instagram.com/p/C%010d/", id%1e10)},
			{Kind: record.Int, I: int64(r.IntN(100000))},
			{Kind: record.Int, I: int64(r.IntN(5000))},
			{Kind: record.Int, I: int64(r.IntN(1000000))},
			{Kind: record.Float, F: r.Float64()},
			{Kind: record.Bool, I: int64(r.IntN(2))},
			{Kind: record.Time, I: base + r.Int64N(365*24*3600)*1e6},
			{Kind: record.Object, L: []record.Value{
				{Kind: record.String, S: fmt.Sprintf("1784140%010d", r.IntN(50))},
				{Kind: record.String, S: "brand_account_" + words[r.IntN(len(words))]},
			}},
			{Kind: record.List, L: tags},
		}
	}
	return rows
}

// jsonSize returns the average size of rows encoded as JSON Lines.
func jsonSize(tb testing.TB, rows []record.Row) int64 {
	var cw countingWriter
	w := NewJSONL(&cw, benchSchema)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return cw.n / int64(len(rows))
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// peakHeap samples the live heap until stop is called and returns the peak in bytes
// above the heap in use when it started.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		if peak < base {
			return 0
		}
		return peak - base
	}
}

// cpuTime returns the user and system CPU time used by the process so far. Rows per CPU
// second is steadier than rows per wall second on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchWrite writes b.N rows (one op = one row) with the writer made by newWriter and
// reports rows/s, MB/s of equivalent JSON input, compressed bytes/row and peak heap.
func benchWrite(b *testing.B, newWriter func(io.Writer) (Writer, error)) {
	rows := benchRows(1 << 16)
	b.SetBytes(jsonSize(b, rows))
	b.ReportAllocs()
	var out countingWriter
	stop := peakHeap()
	cpu0 := cpuTime()
	b.ResetTimer()
	w, err := newWriter(&out)
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		if err := w.Write(rows[i%len(rows)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	peak := stop()
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out.n)/float64(b.N), "file-B/row")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkParquetWrite measures the production Parquet writer on the typical record
// shape. Run with -benchtime=1000000x -cpu=1 for the 1M-row, one-core figures.
func BenchmarkParquetWrite(b *testing.B) {
	benchWrite(b, func(w io.Writer) (Writer, error) { return NewParquet(w, benchSchema, ParquetOptions{}) })
}

// BenchmarkParquetLibraries compares the two Parquet libraries on the same rows, with
// the same row group limits, zstd and no dictionary encoding.
func BenchmarkParquetLibraries(b *testing.B) {
	b.Run("parquet-go", func(b *testing.B) {
		benchWrite(b, func(w io.Writer) (Writer, error) { return NewParquet(w, benchSchema, ParquetOptions{}) })
	})
	b.Run("arrow-go", func(b *testing.B) {
		benchWrite(b, func(w io.Writer) (Writer, error) { return newArrowParquet(w, benchSchema, ParquetOptions{}) })
	})
}

// BenchmarkJSONLWrite measures the JSON Lines writer on the same rows.
func BenchmarkJSONLWrite(b *testing.B) {
	benchWrite(b, func(w io.Writer) (Writer, error) { return NewJSONL(w, benchSchema), nil })
}

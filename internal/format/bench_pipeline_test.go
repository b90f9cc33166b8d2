package format

import (
	"encoding/hex"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// pipelineSchema is the output schema of the engine's benchmark stream: the fields of
// internal/fakeapi/testdata/bench.yaml followed by the system columns _key and _hash.
var pipelineSchema = schema.Schema{Fields: []schema.Field{
	{Name: "id", Type: schema.Int},
	{Name: "created_at", Type: schema.Timestamp},
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
	{Name: "_key", Type: schema.String},
	{Name: "_hash", Type: schema.String},
}}

// pipelinePage is one API page's worth of distinct rows whose strings all point into one
// freshly allocated body buffer, as the engine's rows point into HTTP response bodies.
type pipelinePage struct {
	body []byte
	rows []record.Row
	vals []record.Value
}

// pipelinePerPage is the rows per page; rowVals the values per row: 15 columns, 3 tags
// and the author's 3 fields.
const (
	pipelinePerPage = 500
	rowVals         = 21
)

// mix is a splitmix64 step: a cheap, deterministic source of distinct values.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// fill makes p hold the rows first..first+pipelinePerPage-1 in a new body buffer, so
// the previous page's memory is garbage unless a writer still references it.
func (p *pipelinePage) fill(first int) {
	p.body = make([]byte, 0, pipelinePerPage*420)
	if p.rows == nil {
		p.rows = make([]record.Row, pipelinePerPage)
		p.vals = make([]record.Value, pipelinePerPage*rowVals)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := range p.rows {
		n := first + i
		h := mix(uint64(n))
		vs := p.vals[i*rowVals : (i+1)*rowVals : (i+1)*rowVals]
		s := func(build func(b []byte) []byte) record.Value {
			start := len(p.body)
			p.body = build(p.body)
			return record.Value{Kind: record.String, S: unsafe.String(&p.body[start], len(p.body)-start)}
		}
		word := func(list []string, shift uint) func([]byte) []byte {
			return func(b []byte) []byte { return append(b, list[(h>>shift)%uint64(len(list))]...) }
		}
		tags, author := vs[15:18], vs[18:21]
		tags[0], tags[1], tags[2] = s(word(benchTags, 36)), s(word(benchTags, 42)), s(word(benchTags, 48))
		author[0] = record.Value{Kind: record.Int, I: int64(h >> 30 % 1000000)}
		author[1] = s(word(benchHandles, 33))
		author[2] = record.Value{Kind: record.Bool, I: int64(h >> 50 & 1)}
		copy(vs, []record.Value{
			{Kind: record.Int, I: 7_000_000_000_000_000_000 + int64(n)},
			{Kind: record.Time, I: base + int64(n)*2_000_000},
			s(func(b []byte) []byte { return strconv.AppendInt(append(b, "acct_"...), int64(h%1000), 10) }),
			s(func(b []byte) []byte { return appendWords(b, h, 4+n%3, 0) }), // a title of its own
			s(func(b []byte) []byte { return appendWords(b, h+1, 14, 85) }), // a body of its own
			s(word([]string{"published", "draft", "scheduled", "archived"}, 15)),
			s(word([]string{"en", "de", "fr", "pt", "es", "ja"}, 17)),
			{Kind: record.Int, I: int64(h >> 20 % 100000)},
			{Kind: record.Int, I: int64(h >> 24 % 10000000)},
			{Kind: record.Int, I: int64(h >> 40 % 1000)},
			{Kind: record.Float, F: float64(h>>44%10000) / 10000},
			{Kind: record.Object, L: author},
			{Kind: record.List, L: tags},
			s(func(b []byte) []byte { return appendHex128(b, h+1) }),
			s(func(b []byte) []byte { return appendHex128(b, h+3) }),
		})
		p.rows[i] = record.Row(vs[:15])
	}
}

// appendHex128 appends 32 hex digits derived from seed, like the engine's _key and _hash.
func appendHex128(b []byte, seed uint64) []byte {
	var sum [16]byte
	for j := range 2 {
		x := mix(seed + uint64(j)<<32)
		for k := range 8 {
			sum[j*8+k] = byte(x >> (8 * k))
		}
	}
	return hex.AppendEncode(b, sum[:])
}

var benchHandles, benchTags = benchVocabulary()

// benchVocabulary builds 64 handles and tags, the repeated strings of a record.
func benchVocabulary() (handles, tags []string) {
	for i := range 64 {
		h := mix(uint64(i) + 1e9)
		handles = append(handles, "user_"+strconv.Itoa(1000+i))
		tags = append(tags, words[int(mix(h+200)%uint64(len(words)))]+"_"+strconv.Itoa(i))
	}
	return handles, tags
}

// appendWords appends n words drawn from seed, separated by spaces, then cuts the text
// to size bytes when size > 0 (the words are ASCII).
func appendWords(b []byte, seed uint64, n, size int) []byte {
	start := len(b)
	for k := range n {
		if k > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[int(mix(seed+uint64(k)*0x9e37)%uint64(len(words)))]...)
	}
	if size > 0 && len(b)-start > size {
		b = b[:start+size]
	}
	return b
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// BenchmarkParquetWritePipeline writes b.N distinct rows of the engine's benchmark shape
// (one op = one row), page by page, each page's strings pointing into a fresh body
// buffer that is dropped after the page is written. Only the Write and Close calls are
// timed; rows/cpu-s counts their CPU time. live-heap-MB is the largest heap in use after
// a collection (taken every 20 pages, untimed) above the heap before the writer
// existed: the writer's resident memory plus any page bodies it still references.
// Run with -benchtime=1000000x -cpu=1 for the 1M-row, one-core figures.
//
// It runs with one page worker (the caller's goroutine does everything) and with one
// per CPU: ns/op is the wall time per row, rows/cpu-s the throughput per core.
func BenchmarkParquetWritePipeline(b *testing.B) {
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) { benchParquetPipeline(b, workers) })
	}
}

func benchParquetPipeline(b *testing.B, workers int) {
	b.ReportAllocs()
	var out countingWriter
	var page pipelinePage
	base := liveHeap()
	var live uint64
	var cpu time.Duration
	b.ResetTimer()
	w, err := NewParquet(&out, pipelineSchema, ParquetOptions{Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	for first, pages := 0, 0; first < b.N; first, pages = first+pipelinePerPage, pages+1 {
		b.StopTimer()
		if pages%20 == 19 {
			live = max(live, liveHeap())
		}
		page.fill(first)
		n := min(pipelinePerPage, b.N-first)
		cpu0 := cpuTime()
		b.StartTimer()
		for _, r := range page.rows[:n] {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		cpu += cpuTime() - cpu0
	}
	cpu0 := cpuTime()
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu += cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(out.n)/float64(b.N), "file-B/row")
	if live > base {
		b.ReportMetric(float64(live-base)/(1<<20), "live-heap-MB")
	}
}

package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/parquet-go/parquet-go"
	pformat "github.com/parquet-go/parquet-go/format"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// SchemaMetadataKey is the Parquet key-value metadata entry holding the sluice schema
// (as JSON) of a file, so readers recover the declared types (json vs string).
const SchemaMetadataKey = "sluice.schema"

// Default row group limits. A row group's pages stay in memory, compressed, until the
// row group ends, so the byte limit bounds the writer's memory: at most about
// DefaultRowGroupBytes of pages (when values do not compress at all) plus one open page
// per column. With ~400-byte records a row group holds about 100,000 rows and 11 MB of
// compressed pages, large enough for readers to scan efficiently.
const (
	DefaultRowGroupRows  = 128 * 1024
	DefaultRowGroupBytes = 32 << 20
)

// pageSize is the target size of a data page's values before compression. Pages of at
// most 128 KiB are compressed as a single zstd block, without a history buffer, and
// keep the open page of every column small.
const pageSize = 112 << 10

// ParquetOptions tunes the Parquet writer. Zero values select the defaults.
type ParquetOptions struct {
	// RowGroupRows ends a row group after this many rows (default DefaultRowGroupRows).
	RowGroupRows int64
	// RowGroupBytes ends a row group once this many bytes of values (an estimate of the
	// uncompressed size) are buffered (default DefaultRowGroupBytes).
	RowGroupBytes int64
	// Workers is how many goroutines encode and compress pages in parallel while the
	// caller goes on shredding the next rows (default: GOMAXPROCS, at most
	// maxPageWorkers). With 1, the caller's goroutine does all the work. The file's
	// bytes do not depend on it.
	Workers int
	// Buffers, when set, are the page buffers and zstd encoders to use, kept from an
	// earlier writer (default: new ones for this writer).
	Buffers *ParquetBuffers
}

// ParquetBuffers are a Parquet writer's page buffers and zstd encoders, kept for the
// next writer: a partition that is cut into segments writes one file after another and
// would otherwise allocate them again for each. The zero value is ready to use. Writers
// that share ParquetBuffers must not be open at the same time.
type ParquetBuffers struct {
	codec *zstdCodec
	pages *pagePool
}

// get returns the buffers' codec and page pool, creating them on first use.
func (b *ParquetBuffers) get() (*zstdCodec, *pagePool, error) {
	if b.codec == nil {
		codec, err := newZstdCodec(pageSize)
		if err != nil {
			return nil, nil, err
		}
		b.codec, b.pages = codec, &pagePool{}
	}
	return b.codec, b.pages, nil
}

// maxPageWorkers caps the default number of page encoders of one writer: a run writes
// several partitions at once.
const maxPageWorkers = 4

func (o ParquetOptions) withDefaults() ParquetOptions {
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.RowGroupBytes <= 0 {
		o.RowGroupBytes = DefaultRowGroupBytes
	}
	if o.Workers <= 0 {
		o.Workers = min(runtime.GOMAXPROCS(0), maxPageWorkers)
	}
	return o
}

// NewParquet returns a Writer that streams rows of s to w as a zstd-compressed Parquet
// file. Every column is optional; Absent and Null both become Parquet nulls. Strings and
// JSON are UTF-8 BYTE_ARRAY (STRING), ints INT64, floats DOUBLE, timestamps INT64
// TIMESTAMP(MICROS, UTC), dates INT32 DATE, objects groups and lists three-level LISTs.
// Integer columns are DELTA_BINARY_PACKED, floats and booleans PLAIN; strings are
// dictionary-encoded (RLE_DICTIONARY) while that pays (see parquet_dict.go), otherwise
// DELTA_BYTE_ARRAY where values share long prefixes and DELTA_LENGTH_BYTE_ARRAY else. Data pages are v2, of about 112 KiB with a CRC each,
// and every column chunk has its bounds in its statistics and per-page bounds in the
// column index.
//
// Rows are shredded straight into each column's open page; a full page is encoded and
// compressed on one of opt.Workers goroutines while the caller goes on, so the file's
// bytes do not depend on the number of workers. Write copies string bytes before it
// returns, so rows never pin caller memory. The writer's memory is bounded by the row
// group limits in opt: the current row group's compressed pages, one open page per
// column and one page per worker, plus one dictionary per string column (at most about
// 1.5 MiB each, kept until the row group ends). Write and Close must be called from one
// goroutine at a time.
func NewParquet(w io.Writer, s schema.Schema, opt ParquetOptions) (Writer, error) {
	ps, err := parquetSchema(s)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	desc, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	leaves, err := parquetLeaves(ps)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	meta, err := fileMetadata(ps, string(desc))
	if err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	if opt.Buffers == nil {
		opt.Buffers = &ParquetBuffers{}
	}
	codec, pool, err := opt.Buffers.get()
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	sh, err := newShredder(s, leaves, pool)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	p := &parquetWriter{
		out: &offsetWriter{w: w}, leaves: leaves, sh: sh, codec: codec, pool: pool, arena: &pageArena{pool: pool}, opt: opt,
		meta: meta, chunks: make([][]*encodedPage, len(leaves)),
	}
	if opt.Workers > 1 {
		p.sem = make(chan struct{}, opt.Workers)
	}
	return p, nil
}

// fileMetadata returns the footer of an empty file of schema ps: the schema elements,
// column orders, version and the sluice schema in the key-value metadata, taken from a
// file parquet-go writes, so the schema is described exactly as parquet-go describes it.
func fileMetadata(ps *parquet.Schema, desc string) (pformat.FileMetaData, error) {
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, ps, parquet.KeyValueMetadata(SchemaMetadataKey, desc), parquet.CreatedBy("sluice", "", ""))
	if err := w.Close(); err != nil {
		return pformat.FileMetaData{}, fmt.Errorf("parquet schema: %w", err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		return pformat.FileMetaData{}, fmt.Errorf("parquet schema: %w", err)
	}
	md := f.Metadata()
	return pformat.FileMetaData{
		Version: md.Version, Schema: md.Schema, KeyValueMetadata: md.KeyValueMetadata,
		CreatedBy: md.CreatedBy, ColumnOrders: md.ColumnOrders,
	}, nil
}

// parquetWriter shreds rows into the open page of each column and hands full pages to
// encoding goroutines; at the end of a row group it writes the column chunks in order.
type parquetWriter struct {
	out    *offsetWriter
	leaves []leafColumn
	sh     *shredder
	codec  *zstdCodec
	pool   *pagePool
	arena  *pageArena // room for the encoded pages of the current row group
	opt    ParquetOptions
	meta   pformat.FileMetaData
	chunks [][]*encodedPage // per column: the current row group's pages, in order
	sem    chan struct{}    // bounds the pages being encoded; nil: encode in Write
	wg     sync.WaitGroup   // pages being encoded
	colIdx []pformat.ColumnIndex
	offIdx []pformat.OffsetIndex
	rows   int64 // rows in the current row group
	err    error // sticky: the first failure, or errClosed
}

var errClosed = errors.New("parquet: write after close")

// Write shreds row into the open pages, hands pages that reached pageSize to the
// encoders and ends the row group when a limit is reached. After an error the writer is
// unusable: Write and Close return that error.
func (p *parquetWriter) Write(row record.Row) error {
	if p.err != nil {
		return p.err
	}
	if err := p.begin(); err != nil {
		return p.fail(err)
	}
	if err := p.sh.shred(row); err != nil {
		return p.fail(fmt.Errorf("parquet: %w", err))
	}
	p.rows++
	if p.sh.full {
		p.sh.full = false
		for i, pg := range p.sh.pages {
			if pg.size >= pageSize {
				p.cut(i)
			}
		}
	}
	if p.rows >= p.opt.RowGroupRows || p.sh.size >= p.opt.RowGroupBytes {
		if err := p.flushRowGroup(); err != nil {
			return p.fail(err)
		}
	}
	return nil
}

// begin writes the magic number that opens a Parquet file, before anything else.
func (p *parquetWriter) begin() error {
	if p.out.n > 0 {
		return nil
	}
	if _, err := p.out.Write([]byte("PAR1")); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// fail makes err sticky, once no page is being encoded any more.
func (p *parquetWriter) fail(err error) error {
	p.wg.Wait()
	p.err = err
	return err
}

// cut ends the open page of column i and encodes it, on a goroutine of its own when
// there are several workers (waiting for one to be free).
func (p *parquetWriter) cut(i int) {
	pg := p.sh.pages[i]
	if d := p.sh.dicts[i]; d != nil && d.on {
		// The first page with values decides whether the dictionary pays. A page of
		// nulls is a dictionary page too once the dictionary has entries, so that a
		// chunk's pages are all dictionary-encoded while it keeps one.
		if len(pg.idx) > 0 && !d.tested {
			d.tested = true
			if !d.worth(pg) {
				d.drop(pg)
			}
		}
		if d.on && len(d.vals) > 0 {
			pg.dict = d.vals[:len(d.vals):len(d.vals)]
			d.pages++
		}
	}
	p.sh.pages[i] = p.pool.page(i)
	ep := &encodedPage{}
	p.chunks[i] = append(p.chunks[i], ep)
	if p.sem == nil {
		p.encode(i, pg, ep)
		return
	}
	p.sem <- struct{}{}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.encode(i, pg, ep)
		<-p.sem
	}()
}

// encode encodes page pg of column i into ep and gives pg back to the pool.
func (p *parquetWriter) encode(i int, pg *leafPage, ep *encodedPage) {
	enc := p.pool.encoder()
	ep.err = enc.encode(&p.leaves[i], pg, p.codec, p.arena, ep)
	p.pool.putEncoder(enc)
	p.pool.putPage(i, pg)
}

// flushRowGroup ends the open pages, waits for every page of the row group to be
// encoded and writes the column chunks, column after column.
func (p *parquetWriter) flushRowGroup() error {
	if p.rows == 0 {
		return nil
	}
	for i, pg := range p.sh.pages {
		if pg.slots() > 0 {
			p.cut(i)
		}
	}
	p.wg.Wait()
	rg := pformat.RowGroup{NumRows: p.rows, FileOffset: p.out.n, Ordinal: int16(len(p.meta.RowGroups))}
	rg.Columns = make([]pformat.ColumnChunk, len(p.leaves))
	var err error
	for i := range p.leaves {
		if err == nil {
			var ci pformat.ColumnIndex
			var oi pformat.OffsetIndex
			rg.Columns[i], ci, oi, err = writeChunk(p.out, &p.leaves[i], p.dictPage(i), p.chunks[i])
			p.colIdx, p.offIdx = append(p.colIdx, ci), append(p.offIdx, oi)
			rg.TotalByteSize += rg.Columns[i].MetaData.TotalUncompressedSize
			rg.TotalCompressedSize += rg.Columns[i].MetaData.TotalCompressedSize
		}
		clear(p.chunks[i])
		p.chunks[i] = p.chunks[i][:0]
		if d := p.sh.dicts[i]; d != nil {
			d.reset()
		}
	}
	p.arena.release()
	if err != nil {
		return err
	}
	p.meta.RowGroups = append(p.meta.RowGroups, rg)
	p.meta.NumRows += p.rows
	p.rows, p.sh.size = 0, 0
	return nil
}

// dictPage encodes the dictionary page of column i for the row group (its err set on
// failure), or returns nil when none of its pages uses the dictionary.
func (p *parquetWriter) dictPage(i int) *encodedPage {
	d := p.sh.dicts[i]
	if d == nil || d.pages == 0 {
		return nil
	}
	enc := p.pool.encoder()
	ep := &encodedPage{}
	ep.err = enc.encodeDict(d, p.codec, p.arena, ep)
	p.pool.putEncoder(enc)
	return ep
}

// Close writes the buffered rows and the footer. A file with no rows is still a valid
// Parquet file with the full schema. Closing twice is a no-op; closing after a failed
// Write returns that failure and writes no footer.
func (p *parquetWriter) Close() error {
	if p.err == errClosed {
		return nil
	}
	if p.err != nil {
		return p.err
	}
	if err := p.begin(); err != nil {
		return p.fail(err)
	}
	if err := p.flushRowGroup(); err != nil {
		return p.fail(err)
	}
	if err := writeFooter(p.out, &p.meta, make([]int64, len(p.meta.RowGroups)), p.colIdx, p.offIdx); err != nil {
		return p.fail(err)
	}
	for i, pg := range p.sh.pages {
		p.pool.putPage(i, pg)
		if d := p.sh.dicts[i]; d != nil {
			p.pool.putDict(i, d)
		}
	}
	p.sh.pages, p.sh.dicts = nil, nil
	p.err = errClosed
	return nil
}

package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/parquet-go/parquet-go"

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
	// Workers is how many goroutines encode and compress columns in parallel while the
	// caller goes on shredding the next rows (default: GOMAXPROCS, at most
	// maxColumnWorkers). With 1, the caller's goroutine does all the work. The file's
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

// maxColumnWorkers caps the default number of column workers of one writer: a run
// writes several partitions at once, and a batch has only so many columns.
const maxColumnWorkers = 4

func (o ParquetOptions) withDefaults() ParquetOptions {
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.RowGroupBytes <= 0 {
		o.RowGroupBytes = DefaultRowGroupBytes
	}
	if o.Workers <= 0 {
		o.Workers = min(runtime.GOMAXPROCS(0), maxColumnWorkers)
	}
	return o
}

// batchRows is how many shredded rows are handed to a column writer at once. Pages
// are cut only between batches, so this bounds how far a page overshoots its target
// size (parquet-go's own row writer uses the same figure). jobBatches is how many
// batches the column workers take at a time.
// A job is handed over earlier when its shredded rows reach jobBytes of values or
// jobValues values, so wide or large rows do not hold several megabytes per writer.
const (
	batchRows  = 64
	jobBatches = 16
	jobBytes   = 1 << 20
	jobValues  = 64 << 10
)

// NewParquet returns a Writer that streams rows of s to w as a zstd-compressed Parquet
// file, encoding and compressing columns on opt.Workers goroutines. Every column is optional; Absent and Null both become Parquet nulls. Strings and
// JSON are UTF-8 BYTE_ARRAY (STRING), ints INT64, floats DOUBLE, timestamps INT64
// TIMESTAMP(MICROS, UTC), dates INT32 DATE, objects groups and lists three-level LISTs.
// Integer columns are DELTA_BINARY_PACKED, strings DELTA_LENGTH_BYTE_ARRAY, in v2 data
// pages of about 112 KiB, with page bounds in the column index.
//
// Write copies string bytes before it returns, so rows never pin caller memory. The
// writer's memory is bounded by the row group limits in opt: the current row group's
// compressed pages (whose chunks it keeps for the next row group), one open page per
// column, two batches of shredded rows and one zstd encoder per worker. Write and
// Close must be called from one goroutine at a time.
func NewParquet(w io.Writer, s schema.Schema, opt ParquetOptions) (Writer, error) {
	ps, err := parquetSchema(s)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	desc, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("parquet schema: %w", err)
	}
	opt = opt.withDefaults()
	if opt.Buffers == nil {
		opt.Buffers = &ParquetBuffers{}
	}
	codec, pages, err := opt.Buffers.get()
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	pw := parquet.NewWriter(w, ps,
		parquet.KeyValueMetadata(SchemaMetadataKey, string(desc)),
		parquet.Compression(codec),
		parquet.PageBufferSize(pageSize),
		parquet.ColumnPageBuffers(pages),
		// Page bounds go to the column index, where readers look for them; repeating
		// them in every page header would compute each page's min and max twice.
		parquet.DataPageStatistics(false),
		parquet.DefaultEncodingFor(parquet.Int64, &parquet.DeltaBinaryPacked),
		parquet.DefaultEncodingFor(parquet.Int32, &parquet.DeltaBinaryPacked),
		parquet.MaxRowsPerRowGroup(opt.RowGroupRows),
		parquet.CreatedBy("sluice", "", ""),
	)
	return &parquetWriter{w: pw, sh: newShredder(s), spare: newShredder(s), opt: opt}, nil
}

// parquetWriter shreds rows into one batch while the column workers write the previous
// one (the spare shredder's).
type parquetWriter struct {
	w        *parquet.Writer
	sh       *shredder  // the batch being filled
	spare    *shredder  // the batch being written by job, or empty
	job      *columnJob // nil when no batch is in flight
	order    []int      // columns by decreasing cost, from the first batch
	opt      ParquetOptions
	n        int   // rows shredded since the last batch ended
	rgRows   int64 // rows in the current row group
	rgValues int64 // bytes of values (estimated) in the current row group
	err      error // sticky: the first failure, or errClosed
}

var errClosed = errors.New("parquet: write after close")

// Write shreds row into the current batch, handing full batches to the column writers
// and ending the row group when a limit is reached. After an error the writer is
// unusable: Write and Close return that error.
func (p *parquetWriter) Write(row record.Row) error {
	if p.err != nil {
		return p.err
	}
	if err := p.sh.shred(row); err != nil {
		return p.fail(fmt.Errorf("parquet: %w", err))
	}
	p.n++
	p.rgRows++
	if p.n == batchRows {
		p.sh.endBatch()
		p.n = 0
		if p.sh.batches() == jobBatches || p.sh.size >= jobBytes || p.sh.valueCount() >= jobValues {
			if err := p.writeBatches(); err != nil {
				return p.fail(err)
			}
		}
	}
	if p.rgRows >= p.opt.RowGroupRows || p.rgValues+p.sh.size >= p.opt.RowGroupBytes {
		if err := p.flushRowGroup(); err != nil {
			return p.fail(err)
		}
	}
	return nil
}

func (p *parquetWriter) fail(err error) error {
	p.err = err
	return err
}

// writeBatches hands the shredded batches (the last one possibly partial) to the column
// writers once the previous ones are written, and makes the spare shredder the one to
// fill next.
func (p *parquetWriter) writeBatches() error {
	if p.n > 0 {
		p.sh.endBatch()
		p.n = 0
	}
	if p.sh.batches() == 0 {
		return nil
	}
	if err := p.wait(); err != nil {
		return err
	}
	if p.order == nil {
		p.order = columnOrder(p.sh.values)
	}
	// Writing the columns directly skips parquet-go's regrouping of row-major values
	// into columns; the row group's row count comes from the column writers.
	p.job = runColumns(p.w.ColumnWriters(), p.sh, p.order, p.opt.Workers)
	p.rgValues += p.sh.size
	p.sh.size = 0
	p.sh, p.spare = p.spare, p.sh
	return nil
}

// wait waits for the batch in flight, if any, and empties its shredder.
func (p *parquetWriter) wait() error {
	if p.job == nil {
		return nil
	}
	err := p.job.wait()
	p.job = nil
	p.spare.reset()
	return err
}

// flushColumns writes the pending batch and compresses every column's open page, in
// parallel, before the row group or the file is closed.
func (p *parquetWriter) flushColumns() error {
	if err := p.writeBatches(); err != nil {
		return err
	}
	if err := p.wait(); err != nil {
		return err
	}
	if p.order == nil {
		return nil // no rows
	}
	return runColumns(p.w.ColumnWriters(), nil, p.order, p.opt.Workers).wait()
}

func (p *parquetWriter) flushRowGroup() error {
	if err := p.flushColumns(); err != nil {
		return err
	}
	p.rgRows, p.rgValues = 0, 0
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("parquet: flush row group: %w", err)
	}
	return nil
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
	if err := p.flushColumns(); err != nil {
		return p.fail(err)
	}
	if err := p.w.Close(); err != nil {
		return p.fail(fmt.Errorf("parquet: close: %w", err))
	}
	p.err = errClosed
	return nil
}

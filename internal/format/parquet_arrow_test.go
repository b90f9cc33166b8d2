package format

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// This file holds the arrow-go implementation of the Parquet writer that lost the
// library benchmark (see BenchmarkParquetLibraries). It is kept for the comparison and
// for reading files back with an independent library.

// arrowType returns the Arrow type of a field.
func arrowType(f schema.Field) (arrow.DataType, error) {
	switch f.Type {
	case schema.String, schema.JSON:
		return arrow.BinaryTypes.String, nil
	case schema.Int:
		return arrow.PrimitiveTypes.Int64, nil
	case schema.Float:
		return arrow.PrimitiveTypes.Float64, nil
	case schema.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case schema.Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, nil
	case schema.Date:
		return arrow.FixedWidthTypes.Date32, nil
	case schema.Object:
		fields, err := arrowFields(f.Fields)
		if err != nil {
			return nil, err
		}
		return arrow.StructOf(fields...), nil
	case schema.List:
		t, err := arrowType(*f.Items)
		if err != nil {
			return nil, err
		}
		return arrow.ListOfField(arrow.Field{Name: "element", Type: t, Nullable: true}), nil
	}
	return nil, fmt.Errorf("unknown type %q", f.Type)
}

func arrowFields(fs []schema.Field) ([]arrow.Field, error) {
	out := make([]arrow.Field, len(fs))
	for i, f := range fs {
		t, err := arrowType(f)
		if err != nil {
			return nil, err
		}
		out[i] = arrow.Field{Name: f.Name, Type: t, Nullable: true}
	}
	return out, nil
}

// appender appends one value to an Arrow builder.
type appender func(v record.Value)

func compileAppender(f schema.Field, b array.Builder) appender {
	switch f.Type {
	case schema.String, schema.JSON:
		sb := b.(*array.StringBuilder)
		return func(v record.Value) {
			if v.IsNull() {
				sb.AppendNull()
				return
			}
			sb.Append(v.S)
		}
	case schema.Int:
		ib := b.(*array.Int64Builder)
		return func(v record.Value) {
			if v.IsNull() {
				ib.AppendNull()
				return
			}
			ib.Append(v.I)
		}
	case schema.Float:
		fb := b.(*array.Float64Builder)
		return func(v record.Value) {
			if v.IsNull() {
				fb.AppendNull()
				return
			}
			fb.Append(v.F)
		}
	case schema.Bool:
		bb := b.(*array.BooleanBuilder)
		return func(v record.Value) {
			if v.IsNull() {
				bb.AppendNull()
				return
			}
			bb.Append(v.I == 1)
		}
	case schema.Timestamp:
		tb := b.(*array.TimestampBuilder)
		return func(v record.Value) {
			if v.IsNull() {
				tb.AppendNull()
				return
			}
			tb.Append(arrow.Timestamp(v.I))
		}
	case schema.Date:
		db := b.(*array.Date32Builder)
		return func(v record.Value) {
			if v.IsNull() {
				db.AppendNull()
				return
			}
			db.Append(arrow.Date32(v.I))
		}
	case schema.Object:
		sb := b.(*array.StructBuilder)
		children := make([]appender, len(f.Fields))
		for i, c := range f.Fields {
			children[i] = compileAppender(c, sb.FieldBuilder(i))
		}
		return func(v record.Value) {
			if v.IsNull() {
				sb.AppendNull()
				return
			}
			sb.Append(true)
			for i, c := range children {
				var cv record.Value
				if i < len(v.L) {
					cv = v.L[i]
				}
				c(cv)
			}
		}
	case schema.List:
		lb := b.(*array.ListBuilder)
		items := compileAppender(*f.Items, lb.ValueBuilder())
		return func(v record.Value) {
			if v.IsNull() {
				lb.AppendNull()
				return
			}
			lb.Append(true)
			for _, e := range v.L {
				items(e)
			}
		}
	}
	panic("unknown type " + string(f.Type))
}

const arrowBatchRows = 16 * 1024

// arrowWriter is the arrow-go (pqarrow) candidate Parquet writer: rows are appended to
// Arrow builders and every arrowBatchRows rows are written as a record batch into the
// current buffered row group.
type arrowWriter struct {
	fw        *pqarrow.FileWriter
	rb        *array.RecordBuilder
	appenders []appender
	opt       ParquetOptions
	n         int
	rgRows    int64
	size      int64
}

func newArrowParquet(w io.Writer, s schema.Schema, opt ParquetOptions) (Writer, error) {
	fields, err := arrowFields(s.Fields)
	if err != nil {
		return nil, err
	}
	as := arrow.NewSchema(fields, nil)
	opt = opt.withDefaults()
	props := parquet.NewWriterProperties(
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(1),
		parquet.WithDictionaryDefault(false),
		parquet.WithMaxRowGroupLength(opt.RowGroupRows),
		parquet.WithStats(true),
	)
	fw, err := pqarrow.NewFileWriter(as, w, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		return nil, err
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, as)
	aw := &arrowWriter{fw: fw, rb: rb, opt: opt, appenders: make([]appender, len(s.Fields))}
	for i, f := range s.Fields {
		aw.appenders[i] = compileAppender(f, rb.Field(i))
	}
	return aw, nil
}

func (a *arrowWriter) Write(row record.Row) error {
	for i, ap := range a.appenders {
		ap(row[i])
		a.size += valueSize(row[i])
	}
	a.n++
	a.rgRows++
	if a.n == arrowBatchRows {
		if err := a.writeBatch(); err != nil {
			return err
		}
	}
	if a.rgRows >= a.opt.RowGroupRows || a.size >= a.opt.RowGroupBytes {
		if err := a.writeBatch(); err != nil {
			return err
		}
		a.rgRows, a.size = 0, 0
		a.fw.NewBufferedRowGroup()
	}
	return nil
}

func valueSize(v record.Value) int64 {
	switch v.Kind {
	case record.String, record.JSON:
		return int64(len(v.S)) + 4
	case record.List, record.Object:
		var n int64
		for _, e := range v.L {
			n += valueSize(e)
		}
		return n
	}
	return 8
}

func (a *arrowWriter) writeBatch() error {
	if a.n == 0 {
		return nil
	}
	rec := a.rb.NewRecordBatch()
	defer rec.Release()
	a.n = 0
	return a.fw.WriteBuffered(rec)
}

func (a *arrowWriter) Close() error {
	err := a.writeBatch()
	a.rb.Release()
	if cerr := a.fw.Close(); err == nil {
		err = cerr
	}
	return err
}

package format

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	pformat "github.com/parquet-go/parquet-go/format"
)

// Part is one finished file to concatenate: its bytes and size.
type Part struct {
	R    io.ReaderAt
	Size int64
}

// ConcatParquet writes to w one Parquet file holding the rows of every part, in order,
// without decoding them: each part's row groups are copied byte for byte, and the footer,
// column indexes and offset indexes are rebuilt with the shifted offsets. Every part must
// have been written by NewParquet with the same schema (a staged extraction's segments);
// a part whose schema differs is an error. It returns the number of rows written.
func ConcatParquet(w io.Writer, parts []Part) (int64, error) {
	if len(parts) == 0 {
		return 0, fmt.Errorf("parquet concat: no parts")
	}
	c, err := NewParquetConcat(w)
	if err != nil {
		return 0, err
	}
	for _, p := range parts {
		if err := c.Add(p); err != nil {
			return 0, err
		}
	}
	return c.Close()
}

// ParquetConcat is ConcatParquet one part at a time: each Add copies a part's row groups
// to the output at once, and Close writes the page indexes and the footer. It holds only
// the parts' metadata in memory.
type ParquetConcat struct {
	cw      *offsetWriter
	parts   int
	meta    pformat.FileMetaData
	colIdx  []pformat.ColumnIndex
	offIdx  []pformat.OffsetIndex
	deltas  []int64 // per row group: how far its bytes moved
	schemaD string
}

// NewParquetConcat starts a concatenated file on w.
func NewParquetConcat(w io.Writer) (*ParquetConcat, error) {
	c := &ParquetConcat{cw: &offsetWriter{w: w}}
	if _, err := c.cw.Write([]byte("PAR1")); err != nil {
		return nil, fmt.Errorf("parquet concat: %w", err)
	}
	return c, nil
}

// Add appends the row groups of p.
func (c *ParquetConcat) Add(p Part) error {
	i := c.parts
	c.parts++
	f, err := parquet.OpenFile(p.R, p.Size, parquet.SkipBloomFilters(true), parquet.ReadBufferSize(64<<10))
	if err != nil {
		return fmt.Errorf("parquet concat: part %d: %w", i, err)
	}
	md := f.Metadata()
	desc, _ := f.Lookup(SchemaMetadataKey)
	if i == 0 {
		c.meta = pformat.FileMetaData{
			Version: md.Version, Schema: md.Schema, KeyValueMetadata: md.KeyValueMetadata,
			CreatedBy: md.CreatedBy, ColumnOrders: md.ColumnOrders,
		}
		c.schemaD = desc
	} else if desc != c.schemaD || len(md.Schema) != len(c.meta.Schema) {
		return fmt.Errorf("parquet concat: part %d has another schema than part 0", i)
	}
	ci, oi := f.ColumnIndexes(), f.OffsetIndexes()
	for r, rg := range md.RowGroups {
		delta, err := copyRowGroup(c.cw, p.R, rg, &c.meta, i)
		if err != nil {
			return err
		}
		c.deltas = append(c.deltas, delta)
		for col := range rg.Columns {
			k := r*len(rg.Columns) + col
			if k < len(ci) {
				c.colIdx = append(c.colIdx, ci[k])
			}
			if k < len(oi) {
				c.offIdx = append(c.offIdx, oi[k])
			}
		}
	}
	return nil
}

// Close writes the page indexes and the footer, and returns the number of rows. At
// least one part must have been added.
func (c *ParquetConcat) Close() (int64, error) {
	if c.parts == 0 {
		return 0, fmt.Errorf("parquet concat: no parts")
	}
	if err := writeFooter(c.cw, &c.meta, c.deltas, c.colIdx, c.offIdx); err != nil {
		return 0, err
	}
	return c.meta.NumRows, nil
}

// copyRowGroup copies the bytes of one row group's column chunks (contiguous, as our
// writer lays them out) and appends its metadata with every offset shifted.
// It returns how far the row group's bytes moved.
func copyRowGroup(cw *offsetWriter, r io.ReaderAt, rg pformat.RowGroup, meta *pformat.FileMetaData, part int) (int64, error) {
	if len(rg.Columns) == 0 {
		return 0, nil
	}
	start, end := int64(-1), int64(0)
	for _, c := range rg.Columns {
		s := chunkStart(&c.MetaData)
		if start < 0 || s < start {
			start = s
		}
		end = max(end, s+c.MetaData.TotalCompressedSize)
	}
	delta := cw.n - start
	if _, err := io.Copy(cw, io.NewSectionReader(r, start, end-start)); err != nil {
		return 0, fmt.Errorf("parquet concat: part %d: copy row group: %w", part, err)
	}
	out := rg
	out.Columns = make([]pformat.ColumnChunk, len(rg.Columns))
	for i, c := range rg.Columns {
		c.FileOffset += delta
		c.MetaData.DataPageOffset += delta
		if c.MetaData.DictionaryPageOffset != 0 {
			c.MetaData.DictionaryPageOffset += delta
		}
		if c.MetaData.IndexPageOffset != 0 {
			c.MetaData.IndexPageOffset += delta
		}
		c.MetaData.BloomFilterOffset, c.MetaData.BloomFilterLength = 0, 0
		c.ColumnIndexOffset, c.ColumnIndexLength, c.OffsetIndexOffset, c.OffsetIndexLength = 0, 0, 0, 0
		out.Columns[i] = c
	}
	if out.FileOffset != 0 {
		out.FileOffset += delta
	}
	out.Ordinal = int16(len(meta.RowGroups))
	meta.RowGroups = append(meta.RowGroups, out)
	meta.NumRows += rg.NumRows
	return delta, nil
}

func chunkStart(m *pformat.ColumnMetaData) int64 {
	if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < m.DataPageOffset {
		return m.DictionaryPageOffset
	}
	return m.DataPageOffset
}

// writePageIndexes writes the column indexes, then the offset indexes (page offsets
// shifted to where their row group now lies), and points each column chunk at them.
// Without a complete set of either, that index is left out: readers treat it as optional.
func writePageIndexes(cw *offsetWriter, meta *pformat.FileMetaData, deltas []int64, colIdx []pformat.ColumnIndex, offIdx []pformat.OffsetIndex) error {
	chunks := 0
	for _, rg := range meta.RowGroups {
		chunks += len(rg.Columns)
	}
	proto := new(thrift.CompactProtocol)
	each := func(fn func(c *pformat.ColumnChunk, delta int64, k int) error) error {
		k := 0
		for r := range meta.RowGroups {
			for c := range meta.RowGroups[r].Columns {
				if err := fn(&meta.RowGroups[r].Columns[c], deltas[r], k); err != nil {
					return err
				}
				k++
			}
		}
		return nil
	}
	if len(colIdx) == chunks {
		err := each(func(c *pformat.ColumnChunk, _ int64, k int) error {
			b, err := thrift.Marshal(proto, &colIdx[k])
			if err != nil {
				return fmt.Errorf("parquet: encode column index: %w", err)
			}
			c.ColumnIndexOffset, c.ColumnIndexLength = cw.n, int32(len(b))
			_, err = cw.Write(b)
			return err
		})
		if err != nil {
			return err
		}
	}
	if len(offIdx) != chunks {
		return nil
	}
	return each(func(c *pformat.ColumnChunk, delta int64, k int) error {
		oi := offIdx[k]
		locs := make([]pformat.PageLocation, len(oi.PageLocations))
		for i, l := range oi.PageLocations {
			l.Offset += delta
			locs[i] = l
		}
		oi.PageLocations = locs
		b, err := thrift.Marshal(proto, &oi)
		if err != nil {
			return fmt.Errorf("parquet: encode offset index: %w", err)
		}
		c.OffsetIndexOffset, c.OffsetIndexLength = cw.n, int32(len(b))
		_, err = cw.Write(b)
		return err
	})
}

// offsetWriter counts the bytes written through it: the offsets of the output file.
type offsetWriter struct {
	w io.Writer
	n int64
}

func (c *offsetWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

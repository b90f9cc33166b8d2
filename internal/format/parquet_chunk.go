package format

import (
	"encoding/binary"
	"fmt"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	pformat "github.com/parquet-go/parquet-go/format"
)

// columnIndexLimit is the longest byte-array bound kept in a column index; longer ones
// are shortened to a prefix (a minimum) or a prefix incremented by one (a maximum), as
// parquet-go and parquet-java do, so free text does not bloat the footer.
const columnIndexLimit = 16

// writeChunk writes the encoded pages of leaf column l for one row group to out and
// returns the column chunk's metadata with its column and offset indexes. The chunk's
// statistics hold its exact bounds; the column index the per-page bounds, shortened.
func writeChunk(out *offsetWriter, l *leafColumn, pages []*encodedPage) (pformat.ColumnChunk, pformat.ColumnIndex, pformat.OffsetIndex, error) {
	md := pformat.ColumnMetaData{
		Type:           l.kind.physical(),
		Encoding:       []pformat.Encoding{pformat.RLE, l.kind.encoding()},
		PathInSchema:   l.path,
		Codec:          pformat.Zstd,
		DataPageOffset: out.n,
		EncodingStats:  []pformat.PageEncodingStats{{PageType: pformat.DataPageV2, Encoding: l.kind.encoding(), Count: int32(len(pages))}},
	}
	ci := pformat.ColumnIndex{
		NullPages:  make([]bool, 0, len(pages)),
		MinValues:  make([][]byte, 0, len(pages)),
		MaxValues:  make([][]byte, 0, len(pages)),
		NullCounts: make([]int64, 0, len(pages)),
	}
	oi := pformat.OffsetIndex{PageLocations: make([]pformat.PageLocation, 0, len(pages))}
	var lo, hi []byte
	var row int64
	for _, ep := range pages {
		if ep.err != nil {
			return pformat.ColumnChunk{}, ci, oi, fmt.Errorf("parquet: column %v: %w", l.path, ep.err)
		}
		oi.PageLocations = append(oi.PageLocations, pformat.PageLocation{Offset: out.n, CompressedPageSize: int32(ep.size), FirstRowIndex: row})
		for _, c := range ep.chunks {
			if _, err := out.Write(c); err != nil {
				return pformat.ColumnChunk{}, ci, oi, fmt.Errorf("parquet: %w", err)
			}
		}
		row += ep.rows
		md.NumValues += ep.values
		md.Statistics.NullCount += ep.nulls
		md.TotalUncompressedSize += ep.headerLen + ep.uncompressed
		md.TotalCompressedSize += ep.size
		ci.NullPages = append(ci.NullPages, len(ep.min) == 0)
		ci.NullCounts = append(ci.NullCounts, ep.nulls)
		if len(ep.min) == 0 {
			ci.MinValues, ci.MaxValues = append(ci.MinValues, nil), append(ci.MaxValues, nil)
			continue
		}
		minV, maxV := ep.min, ep.max
		if l.kind == byteArrayLeaf {
			minV, maxV = shortMin(minV), shortMax(maxV)
		}
		ci.MinValues = append(ci.MinValues, minV)
		ci.MaxValues = append(ci.MaxValues, maxV)
		if lo == nil || compareBounds(l.kind, ep.min, lo) < 0 {
			lo = ep.min
		}
		if hi == nil || compareBounds(l.kind, ep.max, hi) > 0 {
			hi = ep.max
		}
	}
	ci.BoundaryOrder = boundaryOrder(l.kind, ci)
	// The bounds are copied: the pages' buffers are reused once the row group is written.
	md.Statistics.MinValue = append([]byte(nil), lo...)
	md.Statistics.MaxValue = append([]byte(nil), hi...)
	for i := range ci.MinValues {
		ci.MinValues[i] = append([]byte(nil), ci.MinValues[i]...)
		ci.MaxValues[i] = append([]byte(nil), ci.MaxValues[i]...)
	}
	return pformat.ColumnChunk{FileOffset: md.DataPageOffset, MetaData: md}, ci, oi, nil
}

// shortMin returns a byte-array minimum cut to columnIndexLimit bytes: a prefix sorts
// no later than the value.
func shortMin(v []byte) []byte {
	if len(v) <= columnIndexLimit {
		return v
	}
	return v[:columnIndexLimit]
}

// shortMax returns a byte-array maximum cut to columnIndexLimit bytes with its last
// byte that can be incremented incremented, which sorts after every value of the page;
// a prefix of 0xFF bytes cannot be shortened and is kept whole.
func shortMax(v []byte) []byte {
	if len(v) <= columnIndexLimit {
		return v
	}
	out := append([]byte(nil), v[:columnIndexLimit]...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] != 0xFF {
			out[i]++
			return out[:i+1]
		}
	}
	return v
}

// boundaryOrder says whether the pages' bounds (of the pages with values) ascend or
// descend, so readers can binary-search the column index.
func boundaryOrder(k leafKind, ci pformat.ColumnIndex) pformat.BoundaryOrder {
	asc, desc := true, true
	var prevMin, prevMax []byte
	for i, null := range ci.NullPages {
		if null {
			continue
		}
		if prevMin != nil {
			c1 := compareBounds(k, prevMin, ci.MinValues[i])
			c2 := compareBounds(k, prevMax, ci.MaxValues[i])
			asc = asc && c1 <= 0 && c2 <= 0
			desc = desc && c1 >= 0 && c2 >= 0
		}
		prevMin, prevMax = ci.MinValues[i], ci.MaxValues[i]
	}
	switch {
	case asc:
		return pformat.Ascending
	case desc:
		return pformat.Descending
	}
	return pformat.Unordered
}

// writeFooter writes the page indexes and the footer of a file described by meta.
func writeFooter(out *offsetWriter, meta *pformat.FileMetaData, deltas []int64, colIdx []pformat.ColumnIndex, offIdx []pformat.OffsetIndex) error {
	if err := writePageIndexes(out, meta, deltas, colIdx, offIdx); err != nil {
		return err
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), meta)
	if err != nil {
		return fmt.Errorf("parquet: encode footer: %w", err)
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(len(footer)))
	copy(tail[4:], "PAR1")
	if _, err := out.Write(footer); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if _, err := out.Write(tail[:]); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

package format

import (
	"encoding/binary"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	pformat "github.com/parquet-go/parquet-go/format"
)

// columnIndexLimit is the longest byte-array bound kept in a column index; longer ones
// are shortened to a prefix (a minimum) or a prefix incremented by one (a maximum), as
// parquet-go and parquet-java do, so free text does not bloat the footer.
const columnIndexLimit = 16

// writeChunk writes the dictionary page (nil when there is none) and the encoded data
// pages of leaf column l for one row group to out and returns the column chunk's
// metadata with its column and offset indexes. The chunk's statistics hold its exact
// bounds; the column index the per-page bounds, shortened.
func writeChunk(out *offsetWriter, l *leafColumn, dict *encodedPage, pages []*encodedPage) (pformat.ColumnChunk, pformat.ColumnIndex, pformat.OffsetIndex, error) {
	md := pformat.ColumnMetaData{
		Type:         l.kind.physical(),
		PathInSchema: l.path,
		Codec:        pformat.Zstd,
	}
	start := out.n
	if dict != nil {
		if dict.err != nil {
			return pformat.ColumnChunk{}, pformat.ColumnIndex{}, pformat.OffsetIndex{}, fmt.Errorf("parquet: column %v: %w", l.path, dict.err)
		}
		if err := writePage(out, dict); err != nil {
			return pformat.ColumnChunk{}, pformat.ColumnIndex{}, pformat.OffsetIndex{}, err
		}
		md.DictionaryPageOffset = start
		md.TotalUncompressedSize += dict.headerLen + dict.uncompressed
		md.TotalCompressedSize += dict.size
	}
	md.DataPageOffset = out.n
	md.Encoding, md.EncodingStats = chunkEncodings(dict, pages)
	ci := pformat.ColumnIndex{
		NullPages:  make([]bool, 0, len(pages)),
		MinValues:  make([][]byte, 0, len(pages)),
		MaxValues:  make([][]byte, 0, len(pages)),
		NullCounts: make([]int64, 0, len(pages)),
	}
	oi := pformat.OffsetIndex{PageLocations: make([]pformat.PageLocation, 0, len(pages))}
	var lo, hi []byte
	have, exact := false, true // lo and hi hold bounds; every page's bounds were exact
	var row int64
	for _, ep := range pages {
		if ep.err != nil {
			return pformat.ColumnChunk{}, ci, oi, fmt.Errorf("parquet: column %v: %w", l.path, ep.err)
		}
		oi.PageLocations = append(oi.PageLocations, pformat.PageLocation{Offset: out.n, CompressedPageSize: int32(ep.size), FirstRowIndex: row})
		if err := writePage(out, ep); err != nil {
			return pformat.ColumnChunk{}, ci, oi, err
		}
		row += ep.rows
		md.NumValues += ep.values
		md.Statistics.NullCount += ep.nulls
		md.TotalUncompressedSize += ep.headerLen + ep.uncompressed
		md.TotalCompressedSize += ep.size
		ci.NullPages = append(ci.NullPages, !ep.bounded)
		ci.NullCounts = append(ci.NullCounts, ep.nulls)
		if !ep.bounded {
			ci.MinValues, ci.MaxValues = append(ci.MinValues, []byte{}), append(ci.MaxValues, []byte{})
			continue
		}
		ci.MinValues = append(ci.MinValues, ep.idxMin)
		ci.MaxValues = append(ci.MaxValues, ep.idxMax)
		switch {
		case ep.nan:
		case !ep.exact:
			exact = false
		default:
			if !have || compareBounds(l.kind, ep.min, lo) < 0 {
				lo = ep.min
			}
			if !have || compareBounds(l.kind, ep.max, hi) > 0 {
				hi = ep.max
			}
			have = true
		}
	}
	ci.BoundaryOrder = boundaryOrder(l.kind, ci, pages)
	if have && exact {
		// Non-nil even when empty: the empty string is a minimum to write.
		md.Statistics.MinValue = append([]byte{}, lo...)
		md.Statistics.MaxValue = append([]byte{}, hi...)
	}
	return pformat.ColumnChunk{FileOffset: start, MetaData: md}, ci, oi, nil
}

// writePage writes an encoded page to out.
func writePage(out *offsetWriter, ep *encodedPage) error {
	for _, c := range ep.chunks {
		if _, err := out.Write(c); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	return nil
}

// chunkEncodings returns the encodings a column chunk uses (RLE for levels first) and
// how many pages use each, in the order they first appear.
func chunkEncodings(dict *encodedPage, pages []*encodedPage) ([]pformat.Encoding, []pformat.PageEncodingStats) {
	encodings := []pformat.Encoding{pformat.RLE}
	var stats []pformat.PageEncodingStats
	if dict != nil {
		encodings = append(encodings, dict.encoding)
		stats = append(stats, pformat.PageEncodingStats{PageType: pformat.DictionaryPage, Encoding: dict.encoding, Count: 1})
	}
	for _, ep := range pages {
		i := slices.IndexFunc(stats, func(s pformat.PageEncodingStats) bool {
			return s.PageType == pformat.DataPageV2 && s.Encoding == ep.encoding
		})
		if i < 0 {
			i = len(stats)
			stats = append(stats, pformat.PageEncodingStats{PageType: pformat.DataPageV2, Encoding: ep.encoding})
		}
		stats[i].Count++
		if !slices.Contains(encodings, ep.encoding) {
			encodings = append(encodings, ep.encoding)
		}
	}
	return encodings, stats
}

// shortMin returns a byte-array minimum cut to at most columnIndexLimit bytes, at a
// character boundary when the value is UTF-8: a prefix sorts no later than the value,
// and a whole-character prefix is still a valid string.
func shortMin(v []byte) []byte {
	if len(v) <= columnIndexLimit {
		return v
	}
	return v[:runeCut(v, columnIndexLimit)]
}

// shortMax returns a byte-array maximum cut to at most columnIndexLimit bytes with its
// last character incremented, which sorts after every value of the page and stays
// valid UTF-8 (as parquet-java's truncator does). A value that is not UTF-8 has its last
// byte incremented instead. When no character can be incremented (a prefix of
// U+10FFFF or 0xFF bytes) the value is kept whole.
func shortMax(v []byte) []byte {
	if len(v) <= columnIndexLimit {
		return v
	}
	cut := runeCut(v, columnIndexLimit)
	if p := v[:cut]; utf8.Valid(p) {
		for end := len(p); end > 0; {
			r, n := utf8.DecodeLastRune(p[:end])
			end -= n
			if next := nextRune(r); next >= 0 {
				return utf8.AppendRune(append([]byte(nil), p[:end]...), next)
			}
		}
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

// runeCut returns the largest n <= limit such that v[:n] ends at a UTF-8 character
// boundary (limit itself when v[limit] does not continue a character, or when no
// boundary is within the last three bytes, as in text that is not UTF-8).
func runeCut(v []byte, limit int) int {
	for n := limit; n > 0 && n > limit-utf8.UTFMax; n-- {
		if utf8.RuneStart(v[n]) {
			return n
		}
	}
	return limit
}

// nextRune returns the character after r, skipping surrogates, or -1 after U+10FFFF.
func nextRune(r rune) rune {
	switch r++; {
	case r > utf8.MaxRune:
		return -1
	case r >= 0xD800 && r <= 0xDFFF:
		return 0xE000
	}
	return r
}

// boundaryOrder says whether the pages' bounds (of the pages with values) ascend or
// descend, so readers can binary-search the column index. NaN bounds order nothing.
func boundaryOrder(k leafKind, ci pformat.ColumnIndex, pages []*encodedPage) pformat.BoundaryOrder {
	asc, desc, started := true, true, false
	var prevMin, prevMax []byte
	for i, ep := range pages {
		if ep.nan {
			return pformat.Unordered
		}
		if !ep.bounded {
			continue
		}
		if started {
			c1 := compareBounds(k, prevMin, ci.MinValues[i])
			c2 := compareBounds(k, prevMax, ci.MaxValues[i])
			asc = asc && c1 <= 0 && c2 <= 0
			desc = desc && c1 >= 0 && c2 >= 0
		}
		prevMin, prevMax, started = ci.MinValues[i], ci.MaxValues[i], true
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

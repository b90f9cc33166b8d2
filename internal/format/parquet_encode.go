package format

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"

	"github.com/parquet-go/parquet-go/encoding/delta"
	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	pformat "github.com/parquet-go/parquet-go/format"
)

// encodedPage is one finished data page (v2) of a column chunk: its header and body as
// they go to the file, and what the column chunk's metadata and page indexes need.
type encodedPage struct {
	chunks       [][]byte // page header, levels and compressed values, in pageChunk pieces
	size         int64    // bytes in chunks
	headerLen    int64
	uncompressed int64 // the page's size without header before compression
	values       int64 // value slots, nulls included
	nulls        int64
	rows         int64
	encoding     pformat.Encoding // of the values
	// bounded tells that the page holds non-null values; idxMin and idxMax are then
	// their bounds for the column index, plain-encoded (byte arrays shortened).
	bounded        bool
	idxMin, idxMax []byte
	// nan tells that those values are all NaN: the bounds are NaN, which the chunk's
	// statistics and the boundary order leave out.
	nan bool
	// exact tells that min and max hold the page's exact bounds, for the chunk's
	// statistics; false when one is longer than maxStatBytes.
	exact    bool
	min, max []byte
	err      error
}

// maxStatBytes is the longest exact bound kept for a column chunk's statistics: a chunk
// with a longer one among its pages' bounds has no min and max in its statistics (as
// parquet-java drops them), so huge values are not held twice nor copied to the footer.
const maxStatBytes = 4 << 10

// write copies parts, one after the other, into room taken from arena.
func (ep *encodedPage) write(arena *pageArena, parts ...[]byte) {
	n := 0
	for _, b := range parts {
		n += len(b)
	}
	var dst []byte
	for _, b := range parts {
		for len(b) > 0 {
			if len(dst) == 0 {
				dst = arena.take(n)
				ep.chunks = append(ep.chunks, dst)
				ep.size += int64(len(dst))
			}
			k := copy(dst, b)
			dst, b, n = dst[k:], b[k:], n-k
		}
	}
}

// pageEncoder holds the scratch buffers of one goroutine encoding pages.
type pageEncoder struct {
	rep, def, vals, comp []byte
	lo, hi               []byte   // plain-encoded bounds of numbers
	seen                 []uint64 // the dictionary entries a page refers to
	i32, lens            []int32  // int32 values; prefix and suffix lengths
	tmp                  []byte
	proto                thrift.CompactProtocol
}

var (
	deltaInts    delta.BinaryPackedEncoding
	deltaLengths delta.LengthByteArrayEncoding
)

// encode encodes pg, a page of leaf column l, into ep: RLE levels, values in the kind's
// encoding compressed by codec, a CRC over the levels and compressed values (as the
// format defines it for v2 pages), and the page's bounds.
func (e *pageEncoder) encode(l *leafColumn, pg *leafPage, codec *zstdCodec, arena *pageArena, ep *encodedPage) error {
	var err error
	if e.rep, err = appendLevels(e.rep[:0], pg.rep, l.maxRep); err != nil {
		return fmt.Errorf("repetition levels: %w", err)
	}
	if e.def, err = appendLevels(e.def[:0], pg.def, l.maxDef); err != nil {
		return fmt.Errorf("definition levels: %w", err)
	}
	if ep.encoding, err = e.values(l.kind, pg); err != nil {
		return err
	}
	if e.comp, err = codec.Encode(e.comp, e.vals); err != nil {
		return err
	}
	crc := crc32.Update(crc32.Update(crc32.ChecksumIEEE(e.rep), crc32.IEEETable, e.def), crc32.IEEETable, e.comp)
	levels := len(e.rep) + len(e.def)
	h := pformat.PageHeader{
		Type:                 pformat.DataPageV2,
		UncompressedPageSize: int32(levels + len(e.vals)),
		CompressedPageSize:   int32(levels + len(e.comp)),
		CRC:                  int32(crc),
		DataPageHeaderV2: thrift.New(pformat.DataPageHeaderV2{
			NumValues:                  int32(pg.slots()),
			NumNulls:                   int32(pg.nulls),
			NumRows:                    int32(pg.rows),
			Encoding:                   ep.encoding,
			DefinitionLevelsByteLength: int32(len(e.def)),
			RepetitionLevelsByteLength: int32(len(e.rep)),
			IsCompressed:               thrift.New(true),
		}),
	}
	header, err := thrift.Marshal(&e.proto, &h)
	if err != nil {
		return fmt.Errorf("page header: %w", err)
	}
	ep.write(arena, header, e.rep, e.def, e.comp)
	ep.headerLen = int64(len(header))
	ep.uncompressed = int64(levels + len(e.vals))
	ep.values, ep.nulls, ep.rows = int64(pg.slots()), int64(pg.nulls), int64(pg.rows)
	lo, hi, bounded, nan := e.bounds(l.kind, pg)
	ep.bounded, ep.nan = bounded, nan
	if bounded {
		if l.kind != byteArrayLeaf {
			e.lo, e.hi = lo, hi // the scratch grew; byte-array bounds are slices of the page
		}
		idxMin, idxMax := lo, hi
		if l.kind == byteArrayLeaf {
			idxMin, idxMax = shortMin(lo), shortMax(hi)
		}
		// Copies: lo and hi are the encoder's scratch or the page's own bytes.
		ep.idxMin, ep.idxMax = bytes.Clone(idxMin), bytes.Clone(idxMax)
		ep.exact = len(lo) <= maxStatBytes && len(hi) <= maxStatBytes
		if ep.exact {
			ep.min, ep.max = bytes.Clone(lo), bytes.Clone(hi)
		}
	}
	return nil
}

// bounds returns the page's bounds as pageBounds does, reading a dictionary page's
// values through its dictionary.
func (e *pageEncoder) bounds(k leafKind, pg *leafPage) (lo, hi []byte, ok, nan bool) {
	if pg.dict == nil {
		return pageBounds(k, pg, e.lo[:0], e.hi[:0])
	}
	var l, h string
	l, h, ok, e.seen = dictBounds(pg, e.seen)
	return []byte(l), []byte(h), ok, false
}

// appendLevels appends levels RLE-encoded at the bit width of maxLevel, without the
// length prefix of v1 pages; nothing when the column has no such levels (maxLevel 0).
func appendLevels(dst, levels []byte, maxLevel byte) ([]byte, error) {
	if maxLevel == 0 {
		return dst, nil
	}
	enc := rle.Encoding{BitWidth: bits.Len8(maxLevel)}
	return enc.EncodeLevels(dst, levels)
}

// values encodes the page's non-null values into e.vals and returns their encoding:
// the kind's, or for byte arrays RLE_DICTIONARY indexes (a dictionary page) or
// DELTA_BYTE_ARRAY (values that share prefixes).
func (e *pageEncoder) values(k leafKind, pg *leafPage) (pformat.Encoding, error) {
	var err error
	enc := k.encoding()
	e.vals = e.vals[:0]
	switch {
	case pg.dict != nil:
		enc = pformat.RLEDictionary
		e.vals, err = dictIndexes.EncodeInt32(e.vals, pg.idx)
	case k == byteArrayLeaf:
		var shared int
		if e.i32, shared = prefixLengths(pg, e.i32[:0]); shared > 0 && 4*shared >= len(pg.data) {
			enc = pformat.DeltaByteArray
			err = e.deltaByteArray(pg)
		} else {
			e.vals, err = deltaLengths.EncodeByteArray(e.vals, pg.data, pg.offs)
		}
	case k == int64Leaf:
		e.vals, err = deltaInts.EncodeInt64(e.vals, pg.ints)
	case k == int32Leaf:
		e.i32 = e.i32[:0]
		for _, v := range pg.ints {
			e.i32 = append(e.i32, int32(v))
		}
		e.vals, err = deltaInts.EncodeInt32(e.vals, e.i32)
	case k == doubleLeaf:
		for _, f := range pg.floats {
			e.vals = binary.LittleEndian.AppendUint64(e.vals, math.Float64bits(f))
		}
	case k == boolLeaf:
		e.vals = appendBits(e.vals, pg.bools)
	}
	if err != nil {
		return enc, fmt.Errorf("values: %w", err)
	}
	return enc, nil
}

// prefixLengths appends to dst how many bytes each byte-array value of pg shares with
// the value before it, and returns their sum. DELTA_BYTE_ARRAY stores each value's
// suffix after that prefix, which pays for sorted ids, URLs and timestamps written as
// text (a quarter of the bytes or more), and not for free text.
func prefixLengths(pg *leafPage, dst []int32) ([]int32, int) {
	shared := 0
	for i := 1; i < len(pg.offs); i++ {
		p := 0
		if i > 1 {
			p = commonPrefix(pg.data[pg.offs[i-2]:pg.offs[i-1]], pg.data[pg.offs[i-1]:pg.offs[i]])
		}
		dst = append(dst, int32(p))
		shared += p
	}
	return dst, shared
}

// deltaByteArray encodes the values of pg as DELTA_BYTE_ARRAY into e.vals, their
// prefix lengths being in e.i32: the prefix lengths and the suffix lengths
// DELTA_BINARY_PACKED, then the suffixes.
func (e *pageEncoder) deltaByteArray(pg *leafPage) error {
	var err error
	if e.vals, err = deltaInts.EncodeInt32(e.vals, e.i32); err != nil {
		return err
	}
	e.lens = e.lens[:0]
	for i, p := range e.i32 {
		e.lens = append(e.lens, int32(pg.offs[i+1]-pg.offs[i])-p)
	}
	if e.tmp, err = deltaInts.EncodeInt32(e.tmp, e.lens); err != nil {
		return err
	}
	e.vals = append(e.vals, e.tmp...)
	for i, p := range e.i32 {
		e.vals = append(e.vals, pg.data[pg.offs[i]+uint32(p):pg.offs[i+1]]...)
	}
	return nil
}

// commonPrefix returns the length of the longest common prefix of a and b, comparing
// eight bytes at a time.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// appendBits appends bs bit-packed, least significant bit first (PLAIN booleans).
func appendBits(dst []byte, bs []bool) []byte {
	for i := 0; i < len(bs); i += 8 {
		var b byte
		for j, v := range bs[i:min(i+8, len(bs))] {
			if v {
				b |= 1 << j
			}
		}
		dst = append(dst, b)
	}
	return dst
}

// pageBounds returns the smallest and largest non-null values of pg in the column's sort
// order (signed integers, floats, unsigned bytes), plain-encoded: byte arrays as slices of
// the page, numbers appended to lo and hi. ok is false for a page of nulls. NaN is left
// out of the bounds; a page whose only values are NaN has NaN bounds and nan set. A zero
// minimum is -0.0 and a zero maximum +0.0, as the format asks of floating-point bounds.
func pageBounds(k leafKind, pg *leafPage, lo, hi []byte) (minB, maxB []byte, ok, nan bool) {
	switch k {
	case byteArrayLeaf:
		n := len(pg.offs) - 1
		if n <= 0 {
			return nil, nil, false, false
		}
		// Values are compared by their first eight bytes first, as big-endian numbers,
		// and in full only when those are equal.
		value := func(i int) []byte { return pg.data[pg.offs[i]:pg.offs[i+1]] }
		minV, maxV := value(0), value(0)
		minK, maxK := prefix8(minV), prefix8(maxV)
		for i := 1; i < n; i++ {
			v := value(i)
			k := prefix8(v)
			if k < minK || k == minK && string(v) < string(minV) {
				minV, minK = v, k
			} else if k > maxK || k == maxK && string(v) > string(maxV) {
				maxV, maxK = v, k
			}
		}
		return minV, maxV, true, false
	case int64Leaf, int32Leaf:
		if len(pg.ints) == 0 {
			return nil, nil, false, false
		}
		minV, maxV := pg.ints[0], pg.ints[0]
		for _, v := range pg.ints[1:] {
			minV, maxV = min(minV, v), max(maxV, v)
		}
		if k == int32Leaf {
			return binary.LittleEndian.AppendUint32(lo, uint32(int32(minV))), binary.LittleEndian.AppendUint32(hi, uint32(int32(maxV))), true, false
		}
		return binary.LittleEndian.AppendUint64(lo, uint64(minV)), binary.LittleEndian.AppendUint64(hi, uint64(maxV)), true, false
	case doubleLeaf:
		if len(pg.floats) == 0 {
			return nil, nil, false, false
		}
		seen := false
		var minV, maxV float64
		for _, f := range pg.floats {
			switch {
			case math.IsNaN(f):
			case !seen:
				minV, maxV, seen = f, f, true
			default:
				minV, maxV = min(minV, f), max(maxV, f)
			}
		}
		if !seen {
			minV, maxV, nan = math.NaN(), math.NaN(), true
		}
		if minV == 0 {
			minV = math.Copysign(0, -1)
		}
		if maxV == 0 {
			maxV = 0
		}
		return binary.LittleEndian.AppendUint64(lo, math.Float64bits(minV)), binary.LittleEndian.AppendUint64(hi, math.Float64bits(maxV)), true, nan
	case boolLeaf:
		if len(pg.bools) == 0 {
			return nil, nil, false, false
		}
		minV, maxV := byte(1), byte(0)
		for _, b := range pg.bools {
			if b {
				maxV = 1
			} else {
				minV = 0
			}
		}
		return append(lo, minV), append(hi, maxV), true, false
	}
	return nil, nil, false, false
}

// prefix8 returns the first eight bytes of v as a big-endian number, zero-padded: it
// orders values as their bytes do, except that values equal in it may still differ.
func prefix8(v []byte) uint64 {
	if len(v) >= 8 {
		return binary.BigEndian.Uint64(v)
	}
	var b [8]byte
	copy(b[:], v)
	return binary.BigEndian.Uint64(b[:])
}

// compareBounds compares two plain-encoded values of kind k in the column's sort order.
func compareBounds(k leafKind, a, b []byte) int {
	switch k {
	case int64Leaf:
		x, y := int64(binary.LittleEndian.Uint64(a)), int64(binary.LittleEndian.Uint64(b))
		return cmp.Compare(x, y)
	case int32Leaf:
		x, y := int32(binary.LittleEndian.Uint32(a)), int32(binary.LittleEndian.Uint32(b))
		return cmp.Compare(x, y)
	case doubleLeaf:
		x, y := math.Float64frombits(binary.LittleEndian.Uint64(a)), math.Float64frombits(binary.LittleEndian.Uint64(b))
		return cmp.Compare(x, y)
	}
	return cmp.Compare(string(a), string(b))
}

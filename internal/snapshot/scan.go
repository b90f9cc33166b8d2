package snapshot

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/zeebo/xxh3"
)

// entry is what the comparison knows of one row: the 128-bit hash of its key, its
// content hash and its ordinal in the file. Keys are identified by their xxh3-128 hash,
// the same assurance the content hash gives for equal records.
type entry struct {
	hi, lo uint64 // key hash
	sum    [16]byte
	ord    int64
}

// entrySize is the encoded size of an entry: its memory layout, which has no padding.
const entrySize = int(unsafe.Sizeof(entry{}))

// appendEntry appends e to dst in its memory layout. Blocks of entries are only ever
// read back by the same process, so they need no portable encoding.
func appendEntry(dst []byte, e *entry) []byte {
	n := len(dst)
	dst = slices.Grow(dst, entrySize)[:n+entrySize]
	*(*entry)(unsafe.Pointer(&dst[n])) = *e
	return dst
}

// entriesOf returns the entries stored in b (built by appendEntry, starting at an
// 8-byte aligned address), without copying.
func entriesOf(b []byte) []entry {
	if len(b) < entrySize {
		return nil
	}
	return unsafe.Slice((*entry)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/entrySize)
}

// keyHash returns the 128-bit hash identifying a key text.
func keyHash(key string) (hi, lo uint64) {
	h := xxh3.HashString128(key)
	return h.Hi, h.Lo
}

// scanner reads the _key and _hash columns of row groups into bucketed entries. One
// scanner belongs to one worker.
type scanner struct {
	shift uint // bucket = key hash hi >> shift
	hex   *hexTable
	keys  [][2]uint64
	out   map[*side]*bucketBuffers
}

// scanRowGroup reads row group g of s and appends one entry per row to the buckets.
func (sc *scanner) scanRowGroup(s *side, g int) error {
	rg := s.f.RowGroups()[g]
	first := s.rgFirst[g]
	n := int(rg.NumRows())
	if cap(sc.keys) < n {
		sc.keys = make([][2]uint64, n)
	}
	keys := sc.keys[:n]
	chunks := rg.ColumnChunks()
	err := eachRequired(chunks[s.keyLeaf], s.leaves[s.keyLeaf].maxDef, KeyColumn, first, n, func(row int, p *pageView, vi int) error {
		keys[row][0], keys[row][1] = keyHash(p.stringAt(vi))
		return nil
	})
	if err != nil {
		return err
	}
	buf := sc.out[s]
	return eachRequired(chunks[s.hashLeaf], s.leaves[s.hashLeaf].maxDef, HashColumn, first, n, func(row int, p *pageView, vi int) error {
		en := entry{hi: keys[row][0], lo: keys[row][1], ord: first + int64(row)}
		if !sc.hex.decode16(&en.sum, p.bytesAt(vi)) {
			return fmt.Errorf("row %d: %s %q is not 32 hex digits", en.ord, HashColumn, p.bytesAt(vi))
		}
		b := int(en.hi >> sc.shift)
		return buf.done(b, appendEntry(buf.buf(b), &en))
	})
}

// eachRequired calls fn with every value of a column chunk that must hold one non-null
// value per row of its n-row group (the group's first row is first): the row, the page
// and the value's index in it. name words the errors.
func eachRequired(chunk parquet.ColumnChunk, maxDef byte, name string, first int64, n int, fn func(row int, p *pageView, vi int) error) error {
	row := 0
	err := walkPages(chunk, maxDef, func(p *pageView) error {
		vi := 0
		for e := 0; e < p.n; e++ {
			if row >= n {
				return fmt.Errorf("column %s has more values than rows", name)
			}
			if !p.defined(e) {
				return fmt.Errorf("row %d: null %s", first+int64(row), name)
			}
			if err := fn(row, p, vi); err != nil {
				return err
			}
			vi++
			row++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if row != n {
		return fmt.Errorf("column %s has %d values for %d rows", name, row, n)
	}
	return nil
}

// hexTable maps two ASCII bytes, loaded little-endian, to the byte their hex digits
// encode (the first digit high), or to invalidPair when either is not a hex digit.
type hexTable [1 << 16]uint16

// invalidPair marks a pair of bytes that are not two hex digits.
const invalidPair = 0x100

// newHexTable returns the table, built once and shared (it is only read).
func newHexTable() *hexTable { return hexPairs() }

var hexPairs = sync.OnceValue(func() *hexTable {
	var digit [256]int
	for i := range digit {
		digit[i] = -1
	}
	for i, c := range "0123456789abcdef" {
		digit[c] = i
	}
	for i, c := range "ABCDEF" {
		digit[c] = 10 + i
	}
	t := new(hexTable)
	for i := range t {
		hi, lo := digit[byte(i)], digit[byte(i>>8)]
		if hi < 0 || lo < 0 {
			t[i] = invalidPair
		} else {
			t[i] = uint16(hi<<4 | lo)
		}
	}
	return t
})

// decode16 decodes 32 hex digits into dst, reporting whether s was exactly that.
func (t *hexTable) decode16(dst *[16]byte, s []byte) bool {
	if len(s) != 32 {
		return false
	}
	s = s[:32]
	var bad uint16
	for i := range dst {
		v := t[binary.LittleEndian.Uint16(s[2*i:])]
		bad |= v
		dst[i] = byte(v)
	}
	return bad&invalidPair == 0
}

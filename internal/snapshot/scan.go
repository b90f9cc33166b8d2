package snapshot

import (
	"encoding/binary"
	"fmt"
	"slices"

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

// entrySize is the encoded size of an entry.
const entrySize = 40

func appendEntry(dst []byte, e *entry) []byte {
	n := len(dst)
	dst = slices.Grow(dst, entrySize)[:n+entrySize]
	b := dst[n : n+entrySize]
	binary.LittleEndian.PutUint64(b, e.hi)
	binary.LittleEndian.PutUint64(b[8:], e.lo)
	copy(b[16:32], e.sum[:])
	binary.LittleEndian.PutUint64(b[32:], uint64(e.ord))
	return dst
}

func decodeEntries(dst []entry, b []byte) []entry {
	dst = dst[:0]
	for ; len(b) >= entrySize; b = b[entrySize:] {
		e := entry{
			hi:  binary.LittleEndian.Uint64(b),
			lo:  binary.LittleEndian.Uint64(b[8:]),
			ord: int64(binary.LittleEndian.Uint64(b[32:])),
		}
		copy(e.sum[:], b[16:32])
		dst = append(dst, e)
	}
	return dst
}

// keyHash returns the 128-bit hash identifying a key text.
func keyHash(key []byte) (hi, lo uint64) {
	h := xxh3.Hash128(key)
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
	row := 0
	err := walkPages(chunks[s.keyLeaf], s.leaves[s.keyLeaf].maxDef, func(p *pageView) error {
		vi := 0
		for e := 0; e < p.n; e++ {
			if row >= n {
				return fmt.Errorf("column %s has more values than rows", KeyColumn)
			}
			if !p.defined(e) {
				return fmt.Errorf("row %d: null %s", first+int64(row), KeyColumn)
			}
			keys[row][0], keys[row][1] = keyHash(p.bytesAt(vi))
			vi++
			row++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if row != n {
		return fmt.Errorf("column %s has %d values for %d rows", KeyColumn, row, n)
	}
	buf := sc.out[s]
	row = 0
	err = walkPages(chunks[s.hashLeaf], s.leaves[s.hashLeaf].maxDef, func(p *pageView) error {
		vi := 0
		for e := 0; e < p.n; e++ {
			if row >= n {
				return fmt.Errorf("column %s has more values than rows", HashColumn)
			}
			if !p.defined(e) {
				return fmt.Errorf("row %d: null %s", first+int64(row), HashColumn)
			}
			en := entry{hi: keys[row][0], lo: keys[row][1], ord: first + int64(row)}
			if !sc.hex.decode16(&en.sum, p.bytesAt(vi)) {
				return fmt.Errorf("row %d: %s %q is not 32 hex digits", en.ord, HashColumn, p.bytesAt(vi))
			}
			b := int(en.hi >> sc.shift)
			if err := buf.done(b, appendEntry(buf.buf(b), &en)); err != nil {
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
		return fmt.Errorf("column %s has %d values for %d rows", HashColumn, row, n)
	}
	return nil
}

// decodeHex8 decodes 8 lower-case hex digits (loaded little-endian) into 4 bytes, eight
// digits at a time; ok is false when any byte is not a lower-case hex digit.
func decodeHex8(x uint64) (uint32, bool) {
	const (
		low  = 0x0f0f0f0f0f0f0f0f
		one  = 0x0101010101010101
		high = 0x8080808080808080
	)
	// '0'-'9' have bit 6 clear and their value in the low nibble; 'a'-'f' have it set
	// and their value minus 9.
	v := x&low + (x>>6&one)*9
	if (v+0x7070707070707070)&high != 0 {
		return 0, false // a nibble above 15
	}
	// Encoding the nibbles back must give x: that rules out every other byte.
	above9 := (v + 0x0606060606060606) >> 4 & one
	if v+0x3030303030303030+above9*39 != x {
		return 0, false
	}
	// Pair the nibbles of each 16-bit lane (first digit high), then pack the lanes.
	t := (v&0x00ff00ff00ff00ff)<<4 | (v>>8)&0x00ff00ff00ff00ff
	t = (t | t>>8) & 0x0000ffff0000ffff
	t = (t | t>>16) & 0xffffffff
	return uint32(t), true
}

// hexTable maps an ASCII byte to its hex digit value, or 0xff.
type hexTable [256]byte

func newHexTable() *hexTable {
	var t hexTable
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = byte(10 + i)
	}
	return &t
}

// decode16 decodes 32 hex digits into dst, reporting whether s was exactly that.
func (t *hexTable) decode16(dst *[16]byte, s []byte) bool {
	if len(s) != 32 {
		return false
	}
	s = s[:32]
	ok := true
	for i := 0; i < 4 && ok; i++ {
		var w uint32
		w, ok = decodeHex8(binary.LittleEndian.Uint64(s[8*i:]))
		binary.LittleEndian.PutUint32(dst[4*i:], w)
	}
	if ok {
		return true
	}
	// Upper-case digits, or not hex at all: the table decides.
	var bad byte
	for i := range dst {
		h, l := t[s[2*i]], t[s[2*i+1]]
		bad |= h | l
		dst[i] = h<<4 | l
	}
	return bad&0xf0 == 0
}

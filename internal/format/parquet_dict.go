package format

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	pformat "github.com/parquet-go/parquet-go/format"
)

// A byte-array column chunk starts out dictionary-encoded, as parquet-java and Arrow
// write them: each distinct value is stored once, in a dictionary page at the head of
// the chunk, and data pages hold RLE_DICTIONARY indexes. Columns of repeated values
// (statuses, languages, handles, tags) shrink to a few bits a value, and their pages
// compress in a fraction of the time. A chunk stops using its dictionary, and writes
// plain pages (DELTA_LENGTH_BYTE_ARRAY or DELTA_BYTE_ARRAY) from then on, when
//
//   - its first page with values is cut and the dictionary plus the page's indexes are
//     not smaller than the page's values would be plain (free text, ids, hashes), or
//   - a new value would take the dictionary past maxDictBytes or maxDictValues.
//
// Either way the open page's indexes are turned back into values, so every page is in
// one encoding; pages written before keep theirs. Pages of nulls are dictionary pages
// while the dictionary is on and has entries, so a chunk that keeps its dictionary has
// only dictionary pages (readers such as parquet-java filter such chunks by it). Each
// row group starts a new dictionary.

// maxDictBytes bounds a dictionary's PLAIN-encoded size (four bytes of length and the
// bytes of each value), the size of its page before compression; maxDictValues bounds
// its entries. Together they bound a dictionary's memory to about 1.5 MiB.
const (
	maxDictBytes  = 512 << 10
	maxDictValues = 32 << 10
)

// dictStoreChunk is the allocation unit of a dictionary's value bytes.
const dictStoreChunk = 64 << 10

// dictionary holds the distinct values of one byte-array column chunk. Values are
// added by the writer's goroutine; the pages being encoded elsewhere read entries by
// index through a slice of vals taken when they were cut. Entries never change nor
// move once added (their bytes live in chunks that are never reallocated), so those
// reads need no lock. A dictionary is reset only once every page that uses it has been
// encoded.
type dictionary struct {
	seed   maphash.Seed
	slots  []uint64 // open addressing: the hash's high half << 32 | index+1; 0 is empty
	vals   []string // the entries, by index; their bytes live in chunks
	chunks [][]byte // storage, in use up to used; kept for the next row group
	used   int
	room   []byte // the unused end of chunks[used-1]
	plain  int    // PLAIN-encoded size of vals
	limit  int    // maxDictBytes, lowered by tests
	on     bool   // the chunk still uses the dictionary
	tested bool   // a page with values was cut: worth decided whether the dictionary pays
	pages  int    // pages of the chunk cut while on
}

func newDictionary() *dictionary {
	return &dictionary{seed: maphash.MakeSeed(), slots: make([]uint64, 256), limit: maxDictBytes, on: true}
}

// reset empties d for the next column chunk, keeping its memory.
func (d *dictionary) reset() {
	clear(d.slots)
	clear(d.vals)
	d.vals, d.used, d.room, d.plain, d.on, d.tested, d.pages = d.vals[:0], 0, nil, 0, true, false, 0
}

// index returns the index of s, adding it when new; false when adding it would take the
// dictionary past its limit.
func (d *dictionary) index(s string) (int32, bool) {
	h := maphash.String(d.seed, s)
	tag := h &^ (1<<32 - 1)
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := d.slots[i]
		if e == 0 {
			if d.plain+4+len(s) > d.limit || len(d.vals) == maxDictValues {
				return 0, false
			}
			d.vals = append(d.vals, d.store(s))
			d.plain += 4 + len(s)
			d.slots[i] = tag | uint64(len(d.vals))
			if 2*len(d.vals) > len(d.slots) {
				d.grow()
			}
			return int32(len(d.vals) - 1), true
		}
		if e&^(1<<32-1) == tag && d.vals[uint32(e)-1] == s {
			return int32(uint32(e) - 1), true
		}
	}
}

// grow doubles the table and places every entry again.
func (d *dictionary) grow() {
	d.slots = make([]uint64, 2*len(d.slots))
	mask := uint64(len(d.slots) - 1)
	for k, v := range d.vals {
		h := maphash.String(d.seed, v)
		i := h & mask
		for d.slots[i] != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = h&^(1<<32-1) | uint64(k+1)
	}
}

// store copies s into the dictionary's storage and returns the copy.
func (d *dictionary) store(s string) string {
	if len(s) > len(d.room) {
		if len(s) > dictStoreChunk {
			return strings.Clone(s) // a chunk of its own
		}
		if d.used == len(d.chunks) {
			d.chunks = append(d.chunks, make([]byte, dictStoreChunk))
		}
		d.room = d.chunks[d.used]
		d.used++
	}
	if len(s) == 0 {
		return ""
	}
	n := copy(d.room, s)
	v := unsafe.String(&d.room[0], n) // never written again before reset
	d.room = d.room[n:]
	return v
}

// bitWidth returns the bit width of the indexes of a dictionary of n entries.
func bitWidth(n int) int { return bits.Len(uint(max(n, 1) - 1)) }

// worth tells whether the first page with values cut from the chunk, pg, is smaller as
// dictionary indexes plus the dictionary than as plain values (parquet-java's test).
func (d *dictionary) worth(pg *leafPage) bool {
	plain := pg.size - int64(pg.nulls)
	return int64(d.plain)+int64(len(pg.idx)*bitWidth(len(d.vals))/8) < plain
}

// drop stops the chunk's use of d and turns the indexes of its open page pg back into
// values, so the page is plain like the chunk's pages from now on.
func (d *dictionary) drop(pg *leafPage) {
	d.on = false
	for _, k := range pg.idx {
		pg.data = append(pg.data, d.vals[k]...)
		pg.offs = append(pg.offs, uint32(len(pg.data)))
	}
	pg.idx = pg.idx[:0]
}

// dictBounds returns the smallest and largest value a dictionary page refers to,
// comparing each distinct entry once (seen marks them, one bit per entry).
func dictBounds(pg *leafPage, seen []uint64) (lo, hi string, ok bool, _ []uint64) {
	if len(pg.idx) == 0 {
		return "", "", false, seen
	}
	words := (len(pg.dict) + 63) / 64
	if cap(seen) < words {
		seen = make([]uint64, words)
	}
	seen = seen[:words]
	clear(seen)
	for _, k := range pg.idx {
		seen[k/64] |= 1 << (k % 64)
	}
	first := true
	for w, m := range seen {
		for ; m != 0; m &= m - 1 {
			v := pg.dict[w*64+bits.TrailingZeros64(m)]
			switch {
			case first:
				lo, hi, first = v, v, false
			case v < lo:
				lo = v
			case v > hi:
				hi = v
			}
		}
	}
	return lo, hi, true, seen
}

// encodeDict encodes dictionary d of a column chunk as the chunk's PLAIN dictionary
// page, compressed by codec, into ep.
func (e *pageEncoder) encodeDict(d *dictionary, codec *zstdCodec, arena *pageArena, ep *encodedPage) error {
	e.vals = e.vals[:0]
	for _, v := range d.vals {
		e.vals = binary.LittleEndian.AppendUint32(e.vals, uint32(len(v)))
		e.vals = append(e.vals, v...)
	}
	var err error
	if e.comp, err = codec.Encode(e.comp, e.vals); err != nil {
		return err
	}
	h := pformat.PageHeader{
		Type:                 pformat.DictionaryPage,
		UncompressedPageSize: int32(len(e.vals)),
		CompressedPageSize:   int32(len(e.comp)),
		CRC:                  int32(crc32.ChecksumIEEE(e.comp)),
		DictionaryPageHeader: thrift.New(pformat.DictionaryPageHeader{NumValues: int32(len(d.vals)), Encoding: pformat.Plain}),
	}
	header, err := thrift.Marshal(&e.proto, &h)
	if err != nil {
		return fmt.Errorf("dictionary page header: %w", err)
	}
	ep.write(arena, header, e.comp)
	ep.headerLen, ep.uncompressed = int64(len(header)), int64(len(e.vals))
	ep.encoding = pformat.Plain
	return nil
}

// dictIndexes encodes a dictionary page's indexes: their bit width in one byte, then
// the RLE/bit-packed hybrid.
var dictIndexes rle.DictionaryEncoding

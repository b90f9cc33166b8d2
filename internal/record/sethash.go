package record

import (
	"encoding/binary"
	"encoding/hex"
	"math/bits"

	"github.com/zeebo/xxh3"
)

// SetHash is an order-independent digest of a multiset of record hashes: the sum of the
// 128-bit hashes modulo 2^128 and their count. The same records added in any order, or
// split across parts that are merged, give the same String. The zero value is the empty
// set.
type SetHash struct {
	hi, lo uint64
	n      uint64
}

// Add adds one record hash (as returned by Hasher.Sum).
func (h *SetHash) Add(sum [16]byte) {
	var carry uint64
	h.lo, carry = bits.Add64(h.lo, binary.BigEndian.Uint64(sum[8:]), 0)
	h.hi, _ = bits.Add64(h.hi, binary.BigEndian.Uint64(sum[:8]), carry)
	h.n++
}

// Merge adds every hash of other, as if each had been added to h.
func (h *SetHash) Merge(other SetHash) {
	var carry uint64
	h.lo, carry = bits.Add64(h.lo, other.lo, 0)
	h.hi, _ = bits.Add64(h.hi, other.hi, carry)
	h.n += other.n
}

// Count returns how many hashes were added.
func (h SetHash) Count() uint64 { return h.n }

// String returns the digest as 32 lower-case hex digits: xxh3-128 of the 16-byte
// big-endian sum followed by the 8-byte big-endian count.
func (h SetHash) String() string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[0:], h.hi)
	binary.BigEndian.PutUint64(b[8:], h.lo)
	binary.BigEndian.PutUint64(b[16:], h.n)
	sum := xxh3.Hash128(b[:]).Bytes()
	return hex.EncodeToString(sum[:])
}

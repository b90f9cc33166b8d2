package keyset

import (
	"cmp"
	"encoding/binary"
)

// keyBytes is the size of a key, in memory and on disk.
const keyBytes = 16

// Odd multipliers: multiplying by one is a bijection on uint64.
const (
	mulX = 0x9e3779b97f4a7c15
	mulY = 0xc2b2ae3d27d4eb4f
	mulG = 0xff51afd7ed558ccd
)

// hkey is a key in the Set's internal form. With x and y the little-endian halves of
// the 16-byte key, h = (x ^ y·mulY)·mulX: for a fixed y this is a bijection of x, so
// (h, y) is a bijection of the key and equality is exact. The multiplications spread
// every bit of the key into the top bits of h, which pick the table slot and the
// filter block, so a non-uniform key cannot cluster. Runs are sorted by (h, y).
// The zero key maps to the zero hkey and no other key does.
type hkey struct{ h, y uint64 }

func toHKey(k [16]byte) hkey {
	x := binary.LittleEndian.Uint64(k[:8])
	y := binary.LittleEndian.Uint64(k[8:])
	return hkey{h: (x ^ y*mulY) * mulX, y: y}
}

func (a hkey) isZero() bool { return a.h|a.y == 0 }

func (a hkey) less(b hkey) bool { return a.h < b.h || a.h == b.h && a.y < b.y }

func compareHKeys(a, b hkey) int {
	if c := cmp.Compare(a.h, b.h); c != 0 {
		return c
	}
	return cmp.Compare(a.y, b.y)
}

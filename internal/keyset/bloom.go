package keyset

import "math/bits"

// Filter sizing. A filter is built for growth times the keys it must hold, at
// bloomBitsPerKey bits per key of that capacity, and rebuilt larger when the spilled
// keys outgrow the capacity: it costs between bloomBitsPerKey and
// bloomBitsPerKey·growth bits per spilled key (2–3 bytes), and its false-positive rate
// is about 0.1% at most (at capacity; see TestBloom). Each false positive costs a read
// from the spill file, so the filter is sized for few of them.
const (
	bloomBitsPerKey = 16
	bloomGrowthNum  = 3 // growth = 3/2
	bloomGrowthDen  = 2
	blockWords      = 8 // 512 bits, one cache line
)

// bloom is a split-block Bloom filter: a key selects one 64-byte block and sets one bit
// in each of its eight words, so every lookup touches one cache line.
type bloom struct {
	words []uint64
	nb    uint64 // blocks
	cap   int64  // keys it was sized for
}

// newBloom returns an empty filter with room for growth times n keys.
func newBloom(n int64) *bloom {
	c := max(n*bloomGrowthNum/bloomGrowthDen, 1)
	nb := uint64(c*bloomBitsPerKey+blockWords*64-1) / (blockWords * 64)
	return &bloom{words: make([]uint64, nb*blockWords), nb: nb, cap: c}
}

// block returns k's block and the hash whose top 48 bits pick the bits to test or set.
// The block comes from the top of h, so keys added in ascending order sweep the filter
// front to back.
func (f *bloom) block(k hkey) (*[blockWords]uint64, uint64) {
	hi, _ := bits.Mul64(k.h, f.nb)
	i := hi * blockWords
	return (*[blockWords]uint64)(f.words[i : i+blockWords]), (k.y ^ k.h) * mulG
}

func (f *bloom) add(k hkey) {
	b, g := f.block(k)
	for w := range b {
		b[w] |= 1 << (g >> (16 + 6*w) & 63)
	}
}

// has reports whether k may have been added; false means it was not.
func (f *bloom) has(k hkey) bool {
	b, g := f.block(k)
	for w := range b {
		if b[w]&(1<<(g>>(16+6*w)&63)) == 0 {
			return false
		}
	}
	return true
}

// addRun adds the keys of r to f, streaming them from disk in order, so the filter is
// swept front to back.
func (f *bloom) addRun(r *run) error {
	rr, ok, err := r.reader()
	for ok {
		for _, k := range rr.buf {
			f.add(k)
		}
		ok, err = rr.fill()
	}
	return err
}

// bytes is the filter's memory.
func (f *bloom) bytes() int64 { return int64(len(f.words)) * 8 }

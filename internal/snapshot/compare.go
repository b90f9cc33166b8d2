package snapshot

import (
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/sluice-dev/sluice/internal/record"
)

// change is one changed key found by the comparison. Ordinals are -1 on the side where
// the key does not exist.
type change struct {
	kind            Change
	hi, lo          uint64
	prevOrd, curOrd int64
	prevSum, curSum [16]byte
}

// changeSize is the encoded size of a change.
const changeSize = 1 + 16 + 16 + 32

func kindCode(k Change) byte {
	switch k {
	case Added:
		return 'A'
	case Modified:
		return 'M'
	}
	return 'D'
}

func kindOf(c byte) Change {
	switch c {
	case 'A':
		return Added
	case 'M':
		return Modified
	}
	return Deleted
}

func appendChange(dst []byte, c *change) []byte {
	dst = append(dst, kindCode(c.kind))
	dst = binary.LittleEndian.AppendUint64(dst, c.hi)
	dst = binary.LittleEndian.AppendUint64(dst, c.lo)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(c.prevOrd))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(c.curOrd))
	dst = append(dst, c.prevSum[:]...)
	return append(dst, c.curSum[:]...)
}

func decodeChanges(dst []change, b []byte) []change {
	dst = slices.Grow(dst[:0], len(b)/changeSize)
	for ; len(b) >= changeSize; b = b[changeSize:] {
		c := change{
			kind:    kindOf(b[0]),
			hi:      binary.LittleEndian.Uint64(b[1:]),
			lo:      binary.LittleEndian.Uint64(b[9:]),
			prevOrd: int64(binary.LittleEndian.Uint64(b[17:])),
			curOrd:  int64(binary.LittleEndian.Uint64(b[25:])),
		}
		copy(c.prevSum[:], b[33:49])
		copy(c.curSum[:], b[49:65])
		dst = append(dst, c)
	}
	return dst
}

// bucketResult is what comparing one bucket found.
type bucketResult struct {
	changes                  []change
	prevDups, curDups        int64
	prevKept, curKept        int64
	added, modified, deleted int64
	unchanged                int64
	prevHash, curHash        record.SetHash
}

// slot is one cell of the comparison's hash table: 1 + the index of the winning entry
// of the key on each side, 0 for none.
type slot struct{ p, c int32 }

// comparer matches the entries of one bucket by key. One comparer belongs to one
// worker; its buffers are reused across buckets.
type comparer struct {
	prev, cur []entry
	table     []slot
	res       bucketResult
}

// compare classifies the keys of prev and cur (the entries of one bucket). For a key
// repeated within one side the entry with the lowest ordinal (the first in file order)
// wins and the others count as duplicates. The changes come out ordered by key hash.
func (w *comparer) compare() *bucketResult {
	w.res = bucketResult{changes: w.res.changes[:0]}
	// At most two thirds full when every key is on one side only; a third when, as
	// usual, most keys are on both.
	size := max(16, 1<<bits.Len(uint(len(w.prev)+len(w.cur))*3/2))
	if cap(w.table) < size {
		w.table = make([]slot, size)
	}
	w.table = w.table[:size]
	clear(w.table)
	mask := uint64(size - 1)
	w.res.prevDups = w.insert(w.prev, false, mask)
	w.res.curDups = w.insert(w.cur, true, mask)
	for _, s := range w.table {
		w.classify(s)
	}
	slices.SortFunc(w.res.changes, func(a, b change) int {
		if c := cmp.Compare(a.hi, b.hi); c != 0 {
			return c
		}
		return cmp.Compare(a.lo, b.lo)
	})
	return &w.res
}

// insert records the entries of one side (cur: the current file's) in the table. For a
// key repeated within the side the entry with the lowest ordinal wins; it returns how
// many entries lost.
func (w *comparer) insert(es []entry, cur bool, mask uint64) (dups int64) {
	for i := range es {
		e := &es[i]
		s := w.find(e.hi, e.lo, mask)
		at := &s.p
		if cur {
			at = &s.c
		}
		switch {
		case *at == 0:
			*at = int32(i + 1)
		case e.ord < es[*at-1].ord:
			*at = int32(i + 1)
			dups++
		default:
			dups++
		}
	}
	return dups
}

// find returns the slot of key (hi, lo): its own, or the empty one where it belongs.
func (w *comparer) find(hi, lo, mask uint64) *slot {
	for i := lo & mask; ; i = (i + 1) & mask {
		s := &w.table[i]
		var e *entry
		switch {
		case s.p != 0:
			e = &w.prev[s.p-1]
		case s.c != 0:
			e = &w.cur[s.c-1]
		default:
			return s
		}
		if e.hi == hi && e.lo == lo {
			return s
		}
	}
}

func (w *comparer) classify(s slot) {
	r := &w.res
	switch {
	case s.p == 0 && s.c == 0:
		return
	case s.p == 0:
		c := &w.cur[s.c-1]
		r.curKept++
		r.curHash.Add(c.sum)
		r.added++
		r.changes = append(r.changes, change{kind: Added, hi: c.hi, lo: c.lo, prevOrd: -1, curOrd: c.ord, curSum: c.sum})
	case s.c == 0:
		p := &w.prev[s.p-1]
		r.prevKept++
		r.prevHash.Add(p.sum)
		r.deleted++
		r.changes = append(r.changes, change{kind: Deleted, hi: p.hi, lo: p.lo, prevOrd: p.ord, curOrd: -1, prevSum: p.sum})
	default:
		p, c := &w.prev[s.p-1], &w.cur[s.c-1]
		r.prevKept++
		r.curKept++
		r.prevHash.Add(p.sum)
		r.curHash.Add(c.sum)
		if p.sum == c.sum {
			r.unchanged++
			return
		}
		r.modified++
		r.changes = append(r.changes, change{kind: Modified, hi: p.hi, lo: p.lo, prevOrd: p.ord, curOrd: c.ord, prevSum: p.sum, curSum: c.sum})
	}
}

package keyset

import (
	"math/bits"
	"slices"
)

// tablePad is how many slots follow the last home slot. Probes never wrap around: a
// probe that runs off the end reports the table full, and the Set spills early.
const tablePad = 64

// table is an open-addressed hash table of non-zero hkeys with linear probing. A key's
// home slot is the top bits of its h, and probes never wrap, so the slots hold the keys
// in nearly ascending order and sorted sorts them in close to linear time. The zero
// hkey marks an empty slot; the Set tracks the zero key itself.
type table struct {
	slots []hkey
	shift uint // 64 - log2(number of home slots)
	n     int  // keys held
}

// minTableKeys is the capacity of a new table: a Set starts small, so a partition of a
// few records costs a few kilobytes, and doubles its table up to MemKeys.
const minTableKeys = 512

// newTable returns a table for up to maxKeys keys at a load of at most one half.
func newTable(maxKeys int) *table {
	b := bits.Len(uint(2*maxKeys - 1)) // 1<<b >= 2*maxKeys
	return &table{slots: make([]hkey, 1<<b+tablePad), shift: uint(64 - b)}
}

// capacity is how many keys the table holds at a load of one half.
func (t *table) capacity() int { return (len(t.slots) - tablePad) / 2 }

// grow returns a table of twice the capacity holding t's keys, or false if one of them
// would probe off its end (the caller then spills instead).
func (t *table) grow() (*table, bool) {
	g := newTable(2 * t.capacity())
	for _, k := range t.slots {
		if k.isZero() {
			continue
		}
		i, _ := g.find(k)
		if i < 0 {
			return nil, false
		}
		g.put(i, k)
	}
	return g, true
}

// find returns the slot holding k and true, or the empty slot where k belongs and
// false; the slot is -1 if the probe ran off the end of the table.
func (t *table) find(k hkey) (int, bool) {
	for i := int(k.h >> t.shift); i < len(t.slots); i++ {
		switch s := t.slots[i]; {
		case s == k:
			return i, true
		case s.isZero():
			return i, false
		}
	}
	return -1, false
}

// put stores k in the empty slot i returned by find.
func (t *table) put(i int, k hkey) {
	t.slots[i] = k
	t.n++
}

// sorted moves the keys to the front of the slots, sorts them and returns them. The
// table is unusable until reset; the returned slice is valid until then.
func (t *table) sorted() []hkey {
	j := 0
	for _, s := range t.slots {
		if !s.isZero() {
			t.slots[j] = s
			j++
		}
	}
	ks := t.slots[:j]
	sortNearly(ks)
	return ks
}

// reset empties the table.
func (t *table) reset() {
	clear(t.slots)
	t.n = 0
}

// sortNearly sorts keys that are nearly in order, as a table's slots are: insertion
// sort, falling back to a general sort if the keys turn out to be far from sorted.
func sortNearly(ks []hkey) {
	budget := 8 * len(ks) // element moves allowed before giving up on insertion sort
	for i := 1; i < len(ks); i++ {
		k := ks[i]
		j := i
		for j > 0 && k.less(ks[j-1]) {
			ks[j] = ks[j-1]
			j--
		}
		ks[j] = k
		if budget -= i - j; budget < 0 {
			slices.SortFunc(ks, compareHKeys)
			return
		}
	}
}

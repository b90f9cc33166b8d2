// Package keyset is an exact set of 16-byte keys whose memory stays bounded as it
// grows, for de-duplicating records by the xxh3-128 hash of their primary key.
//
// Keys go to an in-memory open-addressed table. When it holds MemKeys keys they are
// sorted and appended as a run to one spill file in Options.Dir. Runs are merged like
// the digits of a binary counter, so there are at most log2(spilled/MemKeys)+1 of
// them and a key is rewritten about log2(spilled/MemKeys)/2 times. One split-block
// Bloom filter covers every spilled key; a key missing from the table is looked up on
// disk only when the filter says it may be there (a duplicate, or a false positive for
// at most about 0.1% of new keys): per run, largest first, a binary search of the run's
// sparse index, then one 2 KiB read.
//
// Memory, bounded by MemKeys and the spilled key count:
//   - table: 16·(2^⌈log2(2·MemKeys)⌉+64) bytes, 4 MiB at the default MemKeys of 1<<17;
//     it starts at 16 KiB and doubles as keys arrive, so a small set stays small;
//   - filter: 2 to 3 bytes per spilled key (16 to 24 bits), rebuilt from the
//     runs, 1.5 times larger, when the spilled keys outgrow it;
//   - sparse indexes: 8 bytes per 128 spilled keys, 0.0625 bytes per key;
//   - buffers: 2 KiB for lookups; during a merge 64 KiB per merged run plus one for
//     the output, and during a filter rebuild 64 KiB.
//
// At 10M keys that is about 4 + 23 + 0.6 MiB, against some 300 MiB for a
// map[[16]byte]struct{}. Disk use is 16 bytes per spilled key, twice that at most
// during a merge where the file system can punch holes (Linux: ext4, xfs, tmpfs, ...),
// else up to the total written. Add allocates nothing except when it spills.
package keyset

import (
	"errors"
	"os"
)

// Options tunes a Set. Zero values select the defaults.
type Options struct {
	Dir     string // where spill files go (default os.TempDir()); the Set creates its files there and removes them on Close
	MemKeys int    // keys kept in the in-memory table before it is spilled (default 1<<17)
}

// DefaultMemKeys is the default Options.MemKeys.
const DefaultMemKeys = 1 << 17

// errClosed is returned by Add after Close.
var errClosed = errors.New("keyset: set is closed")

// Set is an exact set of 16-byte keys that spills to disk to bound its memory. It is
// not safe for concurrent use.
type Set struct {
	memKeys int
	file    spillFile
	tab     *table
	zero    bool   // the zero key was added; the table cannot hold it
	runs    []*run // oldest and largest first
	filter  *bloom // covers every key in runs; nil until the first spill
	spilled int64  // keys in runs
	n       int64  // distinct keys added
	buf     []hkey // one block, for lookups in runs
	err     error  // sticky: the first spill error, or errClosed
}

// New returns an empty Set. It creates no file until the first spill.
func New(opt Options) *Set {
	if opt.Dir == "" {
		opt.Dir = os.TempDir()
	}
	if opt.MemKeys <= 0 {
		opt.MemKeys = DefaultMemKeys
	}
	return &Set{memKeys: opt.MemKeys, file: spillFile{dir: opt.Dir}, tab: newTable(min(opt.MemKeys, minTableKeys))}
}

// Add inserts k unless it is present and reports whether it was absent (new). It is
// exact: it never reports a new key present. An error comes from spill file I/O and
// names the file; after one, and after Close, Add returns an error every time.
func (s *Set) Add(k [16]byte) (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	hk := toHKey(k)
	if hk.isZero() {
		if s.zero {
			return false, nil
		}
		s.zero = true
		s.n++
		return true, nil
	}
	i, found := s.tab.find(hk)
	if found {
		return false, nil
	}
	if s.filter != nil && s.filter.has(hk) {
		in, err := s.inRuns(hk)
		if err != nil {
			return false, s.fail(err)
		}
		if in {
			return false, nil
		}
	}
	if i < 0 { // the probe ran off the end of the table: grow it, or spill early
		if err := s.makeRoom(); err != nil {
			return false, s.fail(err)
		}
		i, _ = s.tab.find(hk)
	}
	s.tab.put(i, hk)
	s.n++
	if s.tab.n >= min(s.memKeys, s.tab.capacity()) {
		if err := s.makeRoom(); err != nil {
			return false, s.fail(err)
		}
	}
	return true, nil
}

// makeRoom doubles the table while it is below MemKeys keys, else spills it.
func (s *Set) makeRoom() error {
	if s.tab.capacity() < s.memKeys {
		if g, ok := s.tab.grow(); ok {
			s.tab = g
			return nil
		}
	}
	return s.spill()
}

// Len is the number of distinct keys added.
func (s *Set) Len() int64 { return s.n }

// Close removes the spill files and releases the memory. The Set is unusable
// afterwards. Closing it again does nothing and returns nil.
func (s *Set) Close() error {
	if s.err == errClosed {
		return nil
	}
	err := s.file.remove()
	*s = Set{err: errClosed, n: s.n}
	return err
}

func (s *Set) fail(err error) error {
	s.err = err
	return err
}

// inRuns reports whether a run holds k.
func (s *Set) inRuns(k hkey) (bool, error) {
	if s.buf == nil {
		s.buf = make([]hkey, blockKeys)
	}
	for _, r := range s.runs {
		if in, err := r.contains(k, s.buf); in || err != nil {
			return in, err
		}
	}
	return false, nil
}

// spill writes the table's keys as a new run, adds them to the filter (rebuilding it
// larger if the spilled keys outgrew it), empties the table and merges runs.
func (s *Set) spill() error {
	ks := s.tab.sorted()
	defer s.tab.reset()
	r, err := s.file.writeRun(ks)
	if err != nil {
		return err
	}
	s.runs = append(s.runs, r)
	s.spilled += r.n
	if s.filter == nil || s.spilled > s.filter.cap {
		s.filter = nil // let the old filter go before the new one is allocated
		f := newBloom(s.spilled)
		for _, old := range s.runs[:len(s.runs)-1] {
			if err := f.addRun(old); err != nil {
				return err
			}
		}
		s.filter = f
	}
	for _, k := range ks {
		s.filter.add(k)
	}
	j := mergeFrom(s.runs)
	if j == len(s.runs)-1 {
		return nil
	}
	m, err := mergeRuns(&s.file, s.runs[j:])
	if m != nil {
		s.runs = append(s.runs[:j], m)
	}
	return err
}

package snapshot

import (
	"fmt"
	"os"
	"sync"
)

// partStore holds byte blocks appended to numbered buckets. Blocks stay in memory while
// the store's memory use is below its limit, and are written to a temporary file in
// dir after that, so a store's memory is bounded whatever it is given. Methods are safe
// for concurrent use.
type partStore struct {
	name  string
	dir   string
	limit int64

	mu     sync.Mutex
	file   *os.File
	off    int64
	used   int64
	mem    [][][]byte // per bucket: blocks kept in memory
	spans  [][]span   // per bucket: blocks in the file
	spills int
	free   [][]byte // spilled blocks, handed back to bucketBuffers for reuse
}

// maxFree bounds the spilled blocks a store keeps for reuse.
const maxFree = 64

type span struct{ off, n int64 }

func newPartStore(name, dir string, buckets int, limit int64) *partStore {
	return &partStore{name: name, dir: dir, limit: limit, mem: make([][][]byte, buckets), spans: make([][]span, buckets)}
}

// add appends block to bucket b. The store takes ownership of block. Blocks added
// concurrently are written to the file concurrently, each at its own offset; a phase
// reads a store only after every add to it has returned.
func (s *partStore) add(b int, block []byte) error {
	if len(block) == 0 {
		return nil
	}
	file, off, err := s.place(b, block)
	if file == nil || err != nil {
		return err
	}
	if _, err := file.WriteAt(block, off); err != nil {
		return fmt.Errorf("spill %s: %w", s.name, err)
	}
	s.mu.Lock()
	if len(s.free) < maxFree {
		s.free = append(s.free, block[:0])
	}
	s.mu.Unlock()
	return nil
}

// place keeps block in bucket b's memory when the limit allows, returning a nil file;
// otherwise it reserves the block's span in the file and returns where to write it.
func (s *partStore) place(b int, block []byte) (*os.File, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used+int64(len(block)) <= s.limit {
		s.used += int64(len(block))
		s.mem[b] = append(s.mem[b], block)
		return nil, 0, nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "sluice-diff-"+s.name+"-*")
		if err != nil {
			return nil, 0, fmt.Errorf("spill %s: %w", s.name, err)
		}
		s.file = f
	}
	off := s.off
	s.spans[b] = append(s.spans[b], span{off: off, n: int64(len(block))})
	s.off += int64(len(block))
	s.spills++
	return s.file, off, nil
}

// block returns an empty block of capacity at least size: a spilled one when the
// store has one, else a new one.
func (s *partStore) block(size int) []byte {
	s.mu.Lock()
	for len(s.free) > 0 {
		b := s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
		if cap(b) >= size {
			s.mu.Unlock()
			return b
		}
	}
	s.mu.Unlock()
	return make([]byte, 0, size)
}

// read returns the blocks of bucket b concatenated into buf (reused when large enough).
func (s *partStore) read(b int, buf []byte) ([]byte, error) {
	s.mu.Lock()
	mem, spans, file := s.mem[b], s.spans[b], s.file
	s.mu.Unlock()
	n := 0
	for _, m := range mem {
		n += len(m)
	}
	for _, sp := range spans {
		n += int(sp.n)
	}
	if cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	buf = buf[:0]
	for _, m := range mem {
		buf = append(buf, m...)
	}
	for _, sp := range spans {
		at := len(buf)
		buf = buf[:at+int(sp.n)]
		if _, err := file.ReadAt(buf[at:], sp.off); err != nil {
			return nil, fmt.Errorf("read spill %s: %w", s.name, err)
		}
	}
	return buf, nil
}

// drop releases bucket b's memory; its file blocks are reclaimed by close.
func (s *partStore) drop(b int) {
	s.mu.Lock()
	for _, m := range s.mem[b] {
		s.used -= int64(len(m))
	}
	s.mem[b] = nil
	s.spans[b] = nil
	s.mu.Unlock()
}

// spilled reports how many blocks went to the file.
func (s *partStore) spilled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spills
}

// close removes the store's file.
func (s *partStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem, s.spans, s.free = nil, nil, nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	s.file = nil
	return err
}

// bucketBuffers is one worker's pending block per bucket of a store. Blocks are handed
// to the store when they reach the block size and by flush. A block has room for a
// quarter more than the block size, so the record that fills it rarely regrows it.
type bucketBuffers struct {
	store *partStore
	size  int
	bufs  [][]byte
}

func newBucketBuffers(s *partStore, buckets, size int) *bucketBuffers {
	return &bucketBuffers{store: s, size: size, bufs: make([][]byte, buckets)}
}

// buf returns bucket b's block for appending; call done after appending.
func (w *bucketBuffers) buf(b int) []byte {
	if w.bufs[b] == nil {
		w.bufs[b] = w.store.block(w.size + w.size/4)
	}
	return w.bufs[b]
}

// done stores the appended block of bucket b, handing it over when full.
func (w *bucketBuffers) done(b int, block []byte) error {
	if len(block) < w.size {
		w.bufs[b] = block
		return nil
	}
	w.bufs[b] = nil
	return w.store.add(b, block)
}

// flush hands every pending block to the store.
func (w *bucketBuffers) flush() error {
	for b, block := range w.bufs {
		w.bufs[b] = nil
		if err := w.store.add(b, block); err != nil {
			return err
		}
	}
	return nil
}

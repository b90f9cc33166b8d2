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
}

type span struct{ off, n int64 }

func newPartStore(name, dir string, buckets int, limit int64) *partStore {
	return &partStore{name: name, dir: dir, limit: limit, mem: make([][][]byte, buckets), spans: make([][]span, buckets)}
}

// add appends block to bucket b. The store takes ownership of block.
func (s *partStore) add(b int, block []byte) error {
	if len(block) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used+int64(len(block)) <= s.limit {
		s.used += int64(len(block))
		s.mem[b] = append(s.mem[b], block)
		return nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "sluice-diff-"+s.name+"-*")
		if err != nil {
			return fmt.Errorf("spill %s: %w", s.name, err)
		}
		s.file = f
	}
	if _, err := s.file.WriteAt(block, s.off); err != nil {
		return fmt.Errorf("spill %s: %w", s.name, err)
	}
	s.spans[b] = append(s.spans[b], span{off: s.off, n: int64(len(block))})
	s.off += int64(len(block))
	s.spills++
	return nil
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
	s.mem, s.spans = nil, nil
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
// to the store when they reach the block size and by flush.
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
		w.bufs[b] = make([]byte, 0, w.size)
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

package snapshot

import (
	"encoding/hex"
	"sync"
	"unsafe"

	"github.com/sluice-dev/sluice/internal/record"
)

// valueSlab hands out value slices carved from large blocks, so that many small slices
// cost one allocation. Its blocks come from pool when it has one, and go back there
// when the slab is released; without a pool they are left to the garbage collector.
// Values from a reused block are not cleared: callers set every value they take.
type valueSlab struct {
	buf  []record.Value
	pool *slabPool
	used [][]record.Value // the blocks taken from pool
}

// slabBlock is the number of values in a valueSlab block.
const slabBlock = 16 << 10

// take returns n values for the caller to set.
func (s *valueSlab) take(n int) []record.Value {
	if cap(s.buf)-len(s.buf) < n {
		if s.pool != nil && n <= slabBlock {
			s.buf = s.pool.get()
			s.used = append(s.used, s.buf)
		} else {
			s.buf = make([]record.Value, 0, max(n, slabBlock))
		}
	}
	i := len(s.buf)
	s.buf = s.buf[:i+n]
	return s.buf[i : i+n : i+n]
}

// release ends the slab's use of its blocks and returns those taken from its pool, to
// be put back once nothing uses their values. The next take starts a new block.
func (s *valueSlab) release() [][]record.Value {
	used := s.used
	s.buf, s.used = nil, nil
	return used
}

// slabPool holds value blocks for reuse. It is safe for concurrent use.
type slabPool struct {
	mu   sync.Mutex
	free [][]record.Value
}

// get returns an empty block of capacity slabBlock.
func (p *slabPool) get() []record.Value {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return make([]record.Value, 0, slabBlock)
}

// put keeps blocks for reuse. Until then their stale values pin what they reference,
// at most the rows of the buckets in flight.
func (p *slabPool) put(blocks [][]record.Value) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range blocks {
		p.free = append(p.free, b[:0])
	}
}

// textArena copies short texts into large blocks and returns them as strings aliasing
// the block, so that many small strings cost one allocation. A block is never reused.
type textArena struct{ buf []byte }

// arenaBlock is the size of a textArena block.
const arenaBlock = 256 << 10

// str returns a copy of b.
func (a *textArena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	n := a.reserve(len(b))
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[n], len(b))
}

// hex returns the lower-case hex digits of b.
func (a *textArena) hex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	n := a.reserve(2 * len(b))
	a.buf = hex.AppendEncode(a.buf, b)
	return unsafe.String(&a.buf[n], 2*len(b))
}

// reserve makes room for n more bytes in the current block and returns where they
// will start.
func (a *textArena) reserve(n int) int {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(n, arenaBlock))
	}
	return len(a.buf)
}

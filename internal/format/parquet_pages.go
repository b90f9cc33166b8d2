package format

import "sync"

// pagePool keeps the buffers of a writer for reuse: open pages, encoded pages and the
// scratch space of the goroutines that encode them. Every garbage collection empties a
// sync.Pool, so a writer in a busy process would otherwise reallocate them over and
// over. The pool holds at most the pages of the largest row group written so far, plus
// about two open pages and one dictionary per column; a page grown far past the usual
// size by huge values is dropped rather than kept. Open pages are kept per column, so a
// page's buffers keep the shape of one column's values instead of growing to fit every
// column's.
type pagePool struct {
	mu       sync.Mutex
	pages    [][]*leafPage // per column: a page keeps the shape of its column's values
	dicts    []*dictionary // per byte-array column: its dictionary's memory, for the next writer
	encoders []*pageEncoder
	chunks   [][]byte // unused chunks of pageChunk bytes for encoded pages
}

// pageChunk is the allocation unit of encoded pages: large enough that few pages span
// two chunks, small enough that the last chunk of a row group wastes little. Fixed
// chunks, unlike buffers that grow, keep the pool at the size of a row group's pages.
const pageChunk = 64 << 10

// maxKeptPage is the largest buffer capacity a page keeps when it goes back to the pool.
const maxKeptPage = 4 << 20

// page returns an empty open page for column i.
func (p *pagePool) page(i int) *leafPage {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < len(p.pages) {
		if pg, ok := pop(&p.pages[i]); ok {
			return pg
		}
	}
	pg := &leafPage{}
	pg.reset()
	return pg
}

// putPage takes back an open page of column i once it has been encoded.
func (p *pagePool) putPage(i int, pg *leafPage) {
	if pg.capBytes() > maxKeptPage {
		return
	}
	pg.reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.pages) <= i {
		p.pages = append(p.pages, nil)
	}
	p.pages[i] = append(p.pages[i], pg)
}

// dict returns an empty dictionary for column i.
func (p *pagePool) dict(i int) *dictionary {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < len(p.dicts) && p.dicts[i] != nil {
		d := p.dicts[i]
		p.dicts[i] = nil
		return d
	}
	return newDictionary()
}

// putDict takes back the dictionary of column i once its writer is closed.
func (p *pagePool) putDict(i int, d *dictionary) {
	d.reset()
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.dicts) <= i {
		p.dicts = append(p.dicts, nil)
	}
	p.dicts[i] = d
}

// chunk returns a chunk of pageChunk bytes.
func (p *pagePool) chunk() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := pop(&p.chunks); ok {
		return c
	}
	return make([]byte, pageChunk)
}

// putChunks takes back chunks whose pages are written.
func (p *pagePool) putChunks(cs [][]byte) {
	p.mu.Lock()
	p.chunks = append(p.chunks, cs...)
	p.mu.Unlock()
}

// pageArena hands out the room for one writer's encoded pages, in order, from chunks of
// its pool: pages of every column share a chunk, so a page of a few hundred bytes takes
// a few hundred bytes. The chunks of a row group go back to the pool together once it
// is written. The arena belongs to its writer, so the pages of a writer abandoned while
// encoding never land in chunks another writer uses.
type pageArena struct {
	pool *pagePool
	mu   sync.Mutex // the writer's encoding goroutines take room at the same time
	used [][]byte   // chunks holding pages of the current row group
	room []byte     // the unused end of the last chunk in used
}

// take returns room for up to n bytes (at least one) in the current chunk or a new one.
func (a *pageArena) take(n int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.room) == 0 {
		c := a.pool.chunk()
		a.used = append(a.used, c)
		a.room = c
	}
	k := min(n, len(a.room))
	b := a.room[:k:k]
	a.room = a.room[k:]
	return b
}

// release gives every chunk taken so far back to the pool: their pages are written.
func (a *pageArena) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pool.putChunks(a.used)
	clear(a.used)
	a.used, a.room = a.used[:0], nil
}

// encoder returns the scratch space for encoding one page.
func (p *pagePool) encoder() *pageEncoder {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := pop(&p.encoders); ok {
		return e
	}
	return &pageEncoder{}
}

// putEncoder takes back an encoder's scratch space.
func (p *pagePool) putEncoder(e *pageEncoder) {
	if cap(e.rep)+cap(e.def)+cap(e.vals)+cap(e.comp)+cap(e.tmp)+4*(cap(e.i32)+cap(e.lens)) > maxKeptPage {
		return
	}
	p.mu.Lock()
	p.encoders = append(p.encoders, e)
	p.mu.Unlock()
}

// pop removes the last item of a free list and returns it; false when the list is empty.
func pop[T any](list *[]T) (T, bool) {
	var zero T
	n := len(*list)
	if n == 0 {
		return zero, false
	}
	v := (*list)[n-1]
	(*list)[n-1] = zero
	*list = (*list)[:n-1]
	return v, true
}

package format

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/parquet-go/parquet-go"
)

// pageChunk is the allocation unit of page buffers: small enough that a column's last,
// partly filled chunk wastes little, large enough to keep the chunk lists short.
const pageChunk = 64 << 10

// pagePool holds the compressed pages of the current row group, one pageBuffer per
// column, in fixed-size chunks. Released chunks are kept for the next row group: the
// default pool hands them to a sync.Pool, which every garbage collection empties, so a
// writer in a busy process reallocated its whole row group of pages over and over. The
// pool belongs to one writer and is freed with it; it holds at most the chunks of the
// largest row group written so far.
type pagePool struct {
	mu   sync.Mutex // parquet.BufferPool must be safe for concurrent use
	free [][]byte
}

var _ parquet.BufferPool = (*pagePool)(nil)

// GetBuffer returns an empty page buffer.
func (p *pagePool) GetBuffer() io.ReadWriteSeeker { return &pageBuffer{pool: p} }

// PutBuffer takes back the chunks of a buffer obtained from GetBuffer.
func (p *pagePool) PutBuffer(rws io.ReadWriteSeeker) {
	b, ok := rws.(*pageBuffer)
	if !ok {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, b.chunks...)
	p.mu.Unlock()
	*b = pageBuffer{}
}

func (p *pagePool) chunk() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		c := p.free[n-1]
		p.free = p.free[:n-1]
		return c[:0]
	}
	return make([]byte, 0, pageChunk)
}

// pageBuffer is an append-only byte buffer made of chunks: the writer appends a column's
// pages to it, then seeks to the start and copies it to the file.
type pageBuffer struct {
	pool   *pagePool
	chunks [][]byte // every chunk but the last is full
	size   int64
	off    int64 // read offset
}

var errPageWrite = errors.New("page buffer: writes must append")

// Write appends p. Writes are accepted only at the end of the buffer, where the writer
// always makes them.
func (b *pageBuffer) Write(p []byte) (int, error) {
	if b.off != b.size {
		return 0, errPageWrite
	}
	n := len(p)
	for len(p) > 0 {
		last := len(b.chunks) - 1
		if last < 0 || len(b.chunks[last]) == pageChunk {
			b.chunks = append(b.chunks, b.pool.chunk())
			last++
		}
		c := b.chunks[last]
		k := copy(c[len(c):pageChunk], p)
		b.chunks[last] = c[:len(c)+k]
		p = p[k:]
	}
	b.size += int64(n)
	b.off = b.size
	return n, nil
}

// Read reads from the read offset.
func (b *pageBuffer) Read(p []byte) (int, error) {
	if b.off >= b.size {
		return 0, io.EOF
	}
	c := b.chunks[b.off/pageChunk][b.off%pageChunk:]
	n := copy(p, c)
	b.off += int64(n)
	return n, nil
}

// WriteTo writes the buffer from the read offset to w, chunk by chunk, without copying.
func (b *pageBuffer) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for b.off < b.size {
		c := b.chunks[b.off/pageChunk][b.off%pageChunk:]
		n, err := w.Write(c)
		total += int64(n)
		b.off += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Seek moves the read offset; the next Write must come at the end of the buffer.
func (b *pageBuffer) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.off
	case io.SeekEnd:
		offset += b.size
	}
	if offset < 0 || offset > b.size {
		return b.off, fmt.Errorf("page buffer: seek to %d of %d bytes", offset, b.size)
	}
	b.off = offset
	return offset, nil
}

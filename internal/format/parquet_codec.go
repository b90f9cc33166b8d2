package format

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	pformat "github.com/parquet-go/parquet-go/format"
)

// zstdCodec is the page codec of one Parquet writer: zstd encoders created once and
// reused for every page, one per page worker compressing at the same time.
// parquet-go's own zstd.Codec keeps its encoders in a sync.Pool, which every garbage
// collection empties, so a busy process kept building new encoders (each with a fresh
// history buffer of a megabyte or more). Encode is safe for concurrent use; Decode is
// not (readers decode from one goroutine).
//
// A page that zstd cannot shrink (its fastest level stores blocks without matches raw,
// as happens with random hex such as the _hash column) is encoded again as
// Huffman-coded literals only, which halves hex and costs no match search.
type zstdCodec struct {
	mu   sync.Mutex
	free []*pageCompressor
	opts []zstd.EOption
	dec  *zstd.Decoder // created on first Decode; writers never decode
}

// pageCompressor is what one goroutine compresses a page with.
type pageCompressor struct {
	enc *zstd.Encoder
	lit literalEncoder
	buf []byte
}

var _ compress.Codec = (*zstdCodec)(nil)

// newZstdCodec returns a codec tuned for pages of about pageSize bytes: the fastest
// level, no checksum (Parquet pages carry their own CRC), no extra goroutines, and a
// window no larger than a page, since every page is compressed on its own.
func newZstdCodec(pageSize int) (*zstdCodec, error) {
	c := &zstdCodec{opts: []zstd.EOption{
		zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(false),
		zstd.WithZeroFrames(true),
		zstd.WithWindowSize(windowFor(pageSize)),
	}}
	enc, err := zstd.NewWriter(nil, c.opts...)
	if err != nil {
		return nil, fmt.Errorf("zstd encoder: %w", err)
	}
	c.free = append(c.free, &pageCompressor{enc: enc})
	return c, nil
}

// windowFor returns the smallest valid zstd window (a power of two from 1 KiB) that
// holds a page of n bytes plus the overshoot of the last batch written to it.
func windowFor(n int) int {
	n += n / 4
	w := 1 << bits.Len(uint(n-1))
	return min(max(w, zstd.MinWindowSize), zstd.MaxWindowSize)
}

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() pformat.CompressionCodec { return pformat.Zstd }

// Encode compresses src as one zstd frame, appended to dst[:0].
func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	pc, _ := pop(&c.free)
	c.mu.Unlock()
	if pc == nil {
		enc, err := zstd.NewWriter(nil, c.opts...)
		if err != nil {
			return nil, fmt.Errorf("zstd encoder: %w", err)
		}
		pc = &pageCompressor{enc: enc}
	}
	out := pc.enc.EncodeAll(src, dst[:0])
	if len(out) >= len(src) {
		pc.buf = pc.lit.encode(pc.buf, src)
		if len(pc.buf) < len(out) {
			out = append(out[:0], pc.buf...)
		}
	}
	if cap(pc.buf) > maxKeptPage {
		pc.buf = nil // a huge page's frame is not kept for the next
	}
	c.mu.Lock()
	c.free = append(c.free, pc)
	c.mu.Unlock()
	return out, nil
}

// Decode decompresses src into dst[:0].
func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	if c.dec == nil {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd decoder: %w", err)
		}
		c.dec = d
	}
	return c.dec.DecodeAll(src, dst[:0])
}

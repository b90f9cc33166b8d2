package format

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/klauspost/compress/huff0"
)

// Zstandard frame and block constants (RFC 8878).
const (
	// zstdBlockMax is the largest block content size, Block_Maximum_Size.
	zstdBlockMax = 128 << 10
	// zstdBlockHeaderLen is the size of a block header.
	zstdBlockHeaderLen = 3
	// zstdFrameHeaderMax is the size of the largest frame header written here:
	// magic, descriptor and an 8-byte Frame_Content_Size.
	zstdFrameHeaderMax = 4 + 1 + 8

	zstdBlockRaw        = 0 // Block_Type Raw_Block
	zstdBlockRLE        = 1 // Block_Type RLE_Block
	zstdBlockCompressed = 2 // Block_Type Compressed_Block

	// zstdLitCompressed is Literals_Block_Type Compressed_Literals_Block.
	zstdLitCompressed = 2

	// zstdSingleStreamMax is the largest literal section that may be coded
	// as one Huffman stream: Size_Format 00 holds 10-bit sizes.
	zstdSingleStreamMax = 1023
)

// literalEncoder builds zstd frames that hold their input as Huffman-coded
// literals only: every block has an empty sequences section, so no match
// search is done. Blocks that do not shrink are stored raw, and blocks of a
// single repeated byte are stored as RLE blocks.
//
// The zero value is ready to use. A literalEncoder keeps Huffman scratch
// space between calls and must not be used by several goroutines at once.
type literalEncoder struct {
	huff huff0.Scratch
}

// encode appends to dst[:0] one complete zstd frame holding src, and returns
// it. dst must not overlap src. The frame is single-segment, records
// len(src) as its content size, and has no checksum or dictionary.
func (e *literalEncoder) encode(dst, src []byte) []byte {
	nBlocks := (len(src) + zstdBlockMax - 1) / zstdBlockMax
	if nBlocks == 0 {
		nBlocks = 1
	}
	// Every block is at most as large as a raw block, so this bound holds.
	dst = slices.Grow(dst[:0], zstdFrameHeaderMax+len(src)+nBlocks*zstdBlockHeaderLen)
	dst = appendZstdFrameHeader(dst, uint64(len(src)))
	if len(src) == 0 {
		return appendZstdBlockHeader(dst, true, zstdBlockRaw, 0)
	}
	for len(src) > 0 {
		n := min(len(src), zstdBlockMax)
		dst = e.appendBlock(dst, src[:n], n == len(src))
		src = src[n:]
	}
	return dst
}

// appendBlock appends one block holding b, which must hold 1 to zstdBlockMax
// bytes. It writes a compressed block with Huffman literals when that is
// smaller than a raw block, an RLE block when b is one repeated byte, and a
// raw block otherwise.
func (e *literalEncoder) appendBlock(dst, b []byte, last bool) []byte {
	out, err := e.compressLiterals(b)
	switch {
	case errors.Is(err, huff0.ErrUseRLE):
		dst = appendZstdBlockHeader(dst, last, zstdBlockRLE, len(b))
		return append(dst, b[0])
	case err != nil:
		return appendZstdRawBlock(dst, b, last)
	}
	single := len(b) <= zstdSingleStreamMax
	lh, lhLen := zstdLiteralsHeader(len(b), len(out), single)
	size := lhLen + len(out) + 1 // literals section, then Number_of_Sequences
	if lhLen == 0 || size >= len(b) {
		return appendZstdRawBlock(dst, b, last)
	}
	dst = appendZstdBlockHeader(dst, last, zstdBlockCompressed, size)
	for i := range lhLen {
		dst = append(dst, byte(lh>>(8*i)))
	}
	dst = append(dst, out...)
	return append(dst, 0) // Number_of_Sequences = 0
}

// errHuffTableReused reports that huff0 reused an earlier table, which a
// Compressed_Literals_Block cannot express.
var errHuffTableReused = errors.New("huffman table reused")

// compressLiterals Huffman-codes b with a fresh table, as one stream when b
// fits a single-stream literals header and as four streams otherwise. The
// result is the tree description followed by the streams, and aliases the
// encoder's scratch space until the next call.
func (e *literalEncoder) compressLiterals(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, huff0.ErrIncompressible
	}
	s := &e.huff
	s.Reuse = huff0.ReusePolicyNone // each block carries its own tree
	var (
		out    []byte
		reused bool
		err    error
	)
	if len(b) <= zstdSingleStreamMax {
		out, reused, err = huff0.Compress1X(b, s)
	} else {
		out, reused, err = huff0.Compress4X(b, s)
	}
	if err == nil && reused {
		err = errHuffTableReused
	}
	return out, err
}

// zstdLiteralsHeader packs the Literals_Section_Header of a
// Compressed_Literals_Block with the given regenerated and compressed sizes,
// and returns it with its length in bytes. Size_Format 00 (one stream,
// 10-bit sizes, 3 bytes) is used when single is set; otherwise four streams
// with Size_Format 01 (10-bit sizes, 3 bytes), 10 (14-bit sizes, 4 bytes) or
// 11 (18-bit sizes, 5 bytes), the smallest that fits. The length is 0 when
// the sizes fit no format.
func zstdLiteralsHeader(regen, comp int, single bool) (uint64, int) {
	var sizeFormat uint64
	var sizeBits, n int
	switch {
	case regen < 0 || comp < 0:
		return 0, 0
	case single:
		sizeFormat, sizeBits, n = 0, 10, 3
	case regen < 1<<10 && comp < 1<<10:
		sizeFormat, sizeBits, n = 1, 10, 3
	case regen < 1<<14 && comp < 1<<14:
		sizeFormat, sizeBits, n = 2, 14, 4
	default:
		sizeFormat, sizeBits, n = 3, 18, 5
	}
	if regen >= 1<<sizeBits || comp >= 1<<sizeBits {
		return 0, 0
	}
	h := zstdLitCompressed | sizeFormat<<2 | uint64(regen)<<4 | uint64(comp)<<(4+sizeBits)
	return h, n
}

// appendZstdFrameHeader appends a single-segment frame header with no checksum
// and no dictionary id, whose Frame_Content_Size field holds size in the
// smallest form that fits.
func appendZstdFrameHeader(dst []byte, size uint64) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, 0xFD2FB528) // magic
	const singleSegment = 1 << 5
	switch {
	case size < 256:
		return append(dst, 0<<6|singleSegment, byte(size))
	case size < 256+1<<16:
		return binary.LittleEndian.AppendUint16(append(dst, 1<<6|singleSegment), uint16(size-256))
	case size < 1<<32:
		return binary.LittleEndian.AppendUint32(append(dst, 2<<6|singleSegment), uint32(size))
	default:
		return binary.LittleEndian.AppendUint64(append(dst, 3<<6|singleSegment), size)
	}
}

// appendZstdBlockHeader appends a 3-byte block header: Last_Block in bit 0,
// Block_Type in bits 1-2 and Block_Size in bits 3-23.
func appendZstdBlockHeader(dst []byte, last bool, blockType, size int) []byte {
	h := uint32(blockType)<<1 | uint32(size)<<3
	if last {
		h |= 1
	}
	return append(dst, byte(h), byte(h>>8), byte(h>>16))
}

// appendZstdRawBlock appends b as a Raw_Block.
func appendZstdRawBlock(dst, b []byte, last bool) []byte {
	dst = appendZstdBlockHeader(dst, last, zstdBlockRaw, len(b))
	return append(dst, b...)
}

package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// litHex returns n random lowercase hex digits from a fixed seed.
func litHex(n int, seed uint64) []byte {
	const digits = "0123456789abcdef"
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return b
}

// litRandom returns n uniformly random bytes from a fixed seed.
func litRandom(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// litFrame is a frame parsed by parseLitFrame.
type litFrame struct {
	contentSize uint64
	blocks      []string // one entry per block, as "raw:N", "rle:N", "huf1:N" or "huf4/F:N"
}

// parseLitFrame parses a frame written by literalEncoder: it checks the
// header fields and the block layout, and describes each block by type,
// literal stream count, Size_Format and regenerated size.
func parseLitFrame(frame []byte) (litFrame, error) {
	var f litFrame
	if len(frame) < 6 || binary.LittleEndian.Uint32(frame) != 0xFD2FB528 {
		return f, fmt.Errorf("bad magic in % x", frame[:min(len(frame), 4)])
	}
	fhd := frame[4]
	if fhd&0x3f != 1<<5 {
		return f, fmt.Errorf("descriptor %#08b: want single segment only", fhd)
	}
	p := frame[5:]
	fcsLen := [4]int{1, 2, 4, 8}[fhd>>6]
	if len(p) < fcsLen {
		return f, fmt.Errorf("short Frame_Content_Size")
	}
	switch fcsLen {
	case 1:
		f.contentSize = uint64(p[0])
	case 2:
		f.contentSize = uint64(binary.LittleEndian.Uint16(p)) + 256
	case 4:
		f.contentSize = uint64(binary.LittleEndian.Uint32(p))
	case 8:
		f.contentSize = binary.LittleEndian.Uint64(p)
	}
	p = p[fcsLen:]
	for {
		if len(p) < 3 {
			return f, fmt.Errorf("short block header")
		}
		h := uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16
		last, typ, size := h&1 == 1, h>>1&3, int(h>>3)
		p = p[3:]
		if size > zstdBlockMax {
			return f, fmt.Errorf("block size %d over the maximum", size)
		}
		switch typ {
		case zstdBlockRaw:
			if len(p) < size {
				return f, fmt.Errorf("short raw block")
			}
			f.blocks = append(f.blocks, fmt.Sprintf("raw:%d", size))
			p = p[size:]
		case zstdBlockRLE:
			if len(p) < 1 {
				return f, fmt.Errorf("short RLE block")
			}
			f.blocks = append(f.blocks, fmt.Sprintf("rle:%d", size))
			p = p[1:]
		case zstdBlockCompressed:
			if len(p) < size || size < 1 {
				return f, fmt.Errorf("short compressed block")
			}
			b := p[:size]
			p = p[size:]
			if b[0]&3 != zstdLitCompressed {
				return f, fmt.Errorf("literals block type %d", b[0]&3)
			}
			sizeFormat := b[0] >> 2 & 3
			hdrLen, sizeBits := [4]int{3, 3, 4, 5}[sizeFormat], [4]uint{10, 10, 14, 18}[sizeFormat]
			if len(b) < hdrLen {
				return f, fmt.Errorf("short literals header")
			}
			var v uint64
			for i := range hdrLen {
				v |= uint64(b[i]) << (8 * i)
			}
			regen := int(v >> 4 & (1<<sizeBits - 1))
			comp := int(v >> (4 + sizeBits) & (1<<sizeBits - 1))
			if hdrLen+comp+1 != size || b[size-1] != 0 {
				return f, fmt.Errorf("block of %d bytes: literals header %d + %d, then %#x", size, hdrLen, comp, b[size-1])
			}
			if sizeFormat == 0 {
				f.blocks = append(f.blocks, fmt.Sprintf("huf1:%d", regen))
			} else {
				f.blocks = append(f.blocks, fmt.Sprintf("huf4/%d:%d", sizeFormat, regen))
			}
		default:
			return f, fmt.Errorf("reserved block type")
		}
		if last {
			break
		}
	}
	if len(p) != 0 {
		return f, fmt.Errorf("%d bytes after the last block", len(p))
	}
	return f, nil
}

// checkLitRoundTrip encodes src with e, checks the frame's layout, size
// bound and content size, and checks that dec restores src exactly. It
// returns the frame.
func checkLitRoundTrip(t testing.TB, e *literalEncoder, dec *zstd.Decoder, dst, src []byte) []byte {
	t.Helper()
	frame := e.encode(dst, src)
	f, err := parseLitFrame(frame)
	if err != nil {
		t.Fatalf("len %d: parse frame: %v", len(src), err)
	}
	if f.contentSize != uint64(len(src)) {
		t.Fatalf("Frame_Content_Size = %d, want %d", f.contentSize, len(src))
	}
	blocks := max(1, (len(src)+zstdBlockMax-1)/zstdBlockMax)
	if bound := zstdFrameHeaderMax + len(src) + 3*blocks; len(frame) > bound {
		t.Fatalf("frame of %d bytes over the bound %d", len(frame), bound)
	}
	got, err := dec.DecodeAll(frame, nil)
	if err != nil {
		t.Fatalf("len %d: decode: %v", len(src), err)
	}
	if !bytes.Equal(got, src) {
		t.Fatalf("len %d: round trip differs (got %d bytes)", len(src), len(got))
	}
	return frame
}

// newLitDecoder returns a zstd decoder closed at the end of the test.
func newLitDecoder(t testing.TB) *zstd.Decoder {
	t.Helper()
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dec.Close)
	return dec
}

func TestLiteralEncoderRoundTrip(t *testing.T) {
	const k = 1 << 10
	mixed := append(litRandom(zstdBlockMax, 7), litHex(50*k, 8)...)
	tests := []struct {
		name   string
		src    []byte
		blocks []string
	}{
		{"empty", nil, []string{"raw:0"}},
		{"1 byte", []byte("x"), []string{"raw:1"}},
		{"7 bytes", litHex(7, 1), []string{"raw:7"}},
		{"300 bytes", litHex(300, 2), []string{"huf1:300"}},
		{"1023 bytes", litHex(1023, 3), []string{"huf1:1023"}},
		{"1024 bytes", litHex(1024, 4), []string{"huf4/2:1024"}},
		{"1025 bytes", litHex(1025, 5), []string{"huf4/2:1025"}},
		{"16383 bytes", litHex(16383, 6), []string{"huf4/2:16383"}},
		{"16384 bytes", litHex(16384, 6), []string{"huf4/3:16384"}},
		{"128 KiB", litHex(128*k, 9), []string{"huf4/3:131072"}},
		{"128 KiB + 1", litHex(128*k+1, 10), []string{"huf4/3:131072", "raw:1"}},
		{"300 KiB", litHex(300*k, 11), []string{"huf4/3:131072", "huf4/3:131072", "huf4/3:45056"}},
		{"random bytes", litRandom(200*k, 12), []string{"raw:131072", "raw:73728"}},
		{"random 300 bytes", litRandom(300, 13), []string{"raw:300"}},
		{"repeated byte", bytes.Repeat([]byte{'z'}, 300*k), []string{"rle:131072", "rle:131072", "rle:45056"}},
		{"repeated 2 bytes", []byte("zz"), []string{"rle:2"}},
		{"random then hex", mixed, []string{"raw:131072", "huf4/3:51200"}},
		{"hex 112 KiB", litHex(112*k, 14), []string{"huf4/3:114688"}},
	}
	dec := newLitDecoder(t)
	var e literalEncoder
	var dst []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Start from stale output to check that dst is overwritten.
			dst = append(dst[:0], "stale"...)
			dst = checkLitRoundTrip(t, &e, dec, dst, tt.src)
			f, err := parseLitFrame(dst)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.blocks, tt.blocks) {
				t.Errorf("blocks = %q, want %q", f.blocks, tt.blocks)
			}
		})
	}
}

func TestLiteralEncoderHexRatio(t *testing.T) {
	src := litHex(112<<10, 42)
	var e literalEncoder
	frame := checkLitRoundTrip(t, &e, newLitDecoder(t), nil, src)
	ratio := float64(len(frame)) / float64(len(src))
	t.Logf("%d bytes of hex -> %d bytes (%.2f%%)", len(src), len(frame), 100*ratio)
	if ratio >= 0.60 {
		t.Errorf("ratio %.4f, want < 0.60", ratio)
	}
}

func TestLiteralEncoderContentSize(t *testing.T) {
	dec := newLitDecoder(t)
	var e literalEncoder
	// Each size is at or next to a Frame_Content_Size field boundary.
	for _, n := range []int{0, 1, 255, 256, 257, 65791, 65792, 65793, 262144} {
		frame := checkLitRoundTrip(t, &e, dec, nil, litHex(n, uint64(n)))
		var h zstd.Header
		if err := h.Decode(frame); err != nil {
			t.Fatalf("len %d: header: %v", n, err)
		}
		if !h.SingleSegment || !h.HasFCS || h.FrameContentSize != uint64(n) || h.HasCheckSum || h.DictionaryID != 0 {
			t.Errorf("len %d: header %+v", n, h)
		}
		wantHeader := 4 + 1 + 1 // magic, descriptor, 1-byte size
		switch {
		case n >= 65792:
			wantHeader = 4 + 1 + 4
		case n >= 256:
			wantHeader = 4 + 1 + 2
		}
		if h.HeaderSize != wantHeader {
			t.Errorf("len %d: header size %d, want %d", n, h.HeaderSize, wantHeader)
		}
	}
	// Sizes too large to encode here check the field encoding alone.
	for _, n := range []uint64{1<<32 - 1, 1 << 32, 1 << 40, 1<<64 - 1} {
		hdr := appendZstdFrameHeader(nil, n)
		frame := appendZstdBlockHeader(hdr, true, zstdBlockRaw, 0)
		f, err := parseLitFrame(frame)
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		wantLen := 9
		if n >= 1<<32 {
			wantLen = 13
		}
		if f.contentSize != n || len(hdr) != wantLen {
			t.Errorf("size %d: header % x decodes to %d", n, hdr, f.contentSize)
		}
	}
}

func TestLiteralEncoderAllocs(t *testing.T) {
	src := litHex(300<<10, 3)
	var e literalEncoder
	dst := e.encode(nil, src)
	allocs := testing.AllocsPerRun(20, func() {
		dst = e.encode(dst, src)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per call, want 0", allocs)
	}
}

func FuzzLiteralEncoderRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("a"))
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"))
	f.Add(litHex(33, 1))
	f.Add(litHex(2000, 2))
	f.Add(litRandom(1500, 3))
	f.Add(append(bytes.Repeat([]byte{0}, 1000), 1, 2, 3))
	dec, err := zstd.NewReader(nil)
	if err != nil {
		f.Fatal(err)
	}
	defer dec.Close()
	var e literalEncoder
	var dst []byte
	f.Fuzz(func(t *testing.T, src []byte) {
		dst = checkLitRoundTrip(t, &e, dec, dst, src)
	})
}

func BenchmarkLiteralEncoder(b *testing.B) {
	src := litHex(112<<10, 42)
	report := func(b *testing.B, out []byte) {
		b.ReportMetric(float64(len(out)), "out-bytes/op")
		b.ReportMetric(100*float64(len(out))/float64(len(src)), "%size")
	}
	b.Run("literals", func(b *testing.B) {
		var e literalEncoder
		var out []byte
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			out = e.encode(out, src)
		}
		report(b, out)
	})
	for _, level := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault} {
		b.Run("zstd-"+level.String(), func(b *testing.B) {
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1),
				zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true))
			if err != nil {
				b.Fatal(err)
			}
			defer enc.Close()
			var out []byte
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				out = enc.EncodeAll(src, out[:0])
			}
			report(b, out)
		})
	}
}

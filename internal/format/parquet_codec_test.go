package format

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestWindowFor(t *testing.T) {
	cases := []struct {
		name     string
		pageSize int
		want     int
	}{
		{"tiny page gets the minimum window", 100, zstd.MinWindowSize},
		{"default page", pageSize, 256 << 10},
		{"page whose overshoot fits a power of two", 96 << 10, 128 << 10},
		{"page just past it", 103 << 10, 256 << 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := windowFor(tc.pageSize); got != tc.want {
				t.Errorf("windowFor(%d) = %d, want %d", tc.pageSize, got, tc.want)
			}
		})
	}
}

func TestZstdCodecRoundTrip(t *testing.T) {
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog 0123456789 "), 40_000)
	noise := make([]byte, 300<<10)
	for i := range noise {
		noise[i] = byte(mix(uint64(i)))
	}
	hex := make([]byte, pageSize)
	for i := range hex {
		hex[i] = "0123456789abcdef"[mix(uint64(i))%16]
	}
	// maxSize is the largest encoding accepted, as a fraction of the input: zstd's own
	// for text, Huffman-coded literals (4 bits a hex digit) for hex, and raw blocks
	// with a few bytes of framing for noise.
	cases := []struct {
		name    string
		src     []byte
		maxSize float64
	}{
		{"empty page", nil, 0},
		{"one byte", []byte{7}, 0},
		{"page of text", text[:pageSize], 0.01},
		{"larger than the window", text, 0.01},
		{"incompressible", noise, 1.001},
		{"random hex", hex, 0.51},
	}
	c, err := newZstdCodec(pageSize)
	if err != nil {
		t.Fatal(err)
	}
	var enc, dec []byte
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Reusing dst buffers across calls is how parquet-go calls the codec.
			enc, err = c.Encode(enc, tc.src)
			if err != nil {
				t.Fatal(err)
			}
			dec, err = c.Decode(dec, enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec, tc.src) {
				t.Fatalf("decoded %d bytes, want the %d bytes encoded", len(dec), len(tc.src))
			}
			if tc.maxSize > 0 && float64(len(enc)) > tc.maxSize*float64(len(tc.src)) {
				t.Fatalf("encoded %d bytes into %d, more than %.3f of them", len(tc.src), len(enc), tc.maxSize)
			}
		})
	}
	if c.String() != "ZSTD" || c.CompressionCodec().String() != "ZSTD" {
		t.Errorf("codec names %q, %q, want ZSTD", c.String(), c.CompressionCodec().String())
	}
}

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
	cases := []struct {
		name string
		src  []byte
	}{
		{"empty page", nil},
		{"one byte", []byte{7}},
		{"page of text", text[:pageSize]},
		{"larger than the window", text},
		{"incompressible", noise},
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
		})
	}
	if c.String() != "ZSTD" || c.CompressionCodec().String() != "ZSTD" {
		t.Errorf("codec names %q, %q, want ZSTD", c.String(), c.CompressionCodec().String())
	}
}

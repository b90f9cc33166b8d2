package format

import (
	"bytes"
	"io"
	"testing"
)

func TestPageBuffer(t *testing.T) {
	data := make([]byte, 3*pageChunk+123)
	for i := range data {
		data[i] = byte(mix(uint64(i)))
	}
	cases := []struct {
		name   string
		writes []int // sizes of successive writes
		seek   int64 // read offset before reading back
	}{
		{"empty", nil, 0},
		{"within one chunk", []int{10, 20}, 0},
		{"exactly one chunk", []int{pageChunk}, 0},
		{"across chunks in odd sizes", []int{1, pageChunk - 2, 3, 2 * pageChunk, 121}, 0},
		{"read from the middle of a chunk", []int{2*pageChunk + 7}, pageChunk + 5},
	}
	var pool pagePool
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := pool.GetBuffer()
			if _, err := b.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, w := range tc.writes {
				k, err := b.Write(data[n : n+w])
				if err != nil || k != w {
					t.Fatalf("write %d bytes: %d, %v", w, k, err)
				}
				n += w
			}
			if end, err := b.Seek(0, io.SeekCurrent); err != nil || end != int64(n) {
				t.Fatalf("offset after writes %d, %v, want %d", end, err, n)
			}
			if _, err := b.Seek(tc.seek, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var viaWriteTo bytes.Buffer
			if _, err := io.Copy(&viaWriteTo, b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(viaWriteTo.Bytes(), data[tc.seek:n]) {
				t.Errorf("WriteTo gave %d bytes, want the %d written after %d", viaWriteTo.Len(), int64(n)-tc.seek, tc.seek)
			}
			if _, err := b.Seek(tc.seek, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			viaRead, err := io.ReadAll(struct{ io.Reader }{b})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(viaRead, data[tc.seek:n]) {
				t.Errorf("Read gave %d bytes, want the %d written after %d", len(viaRead), int64(n)-tc.seek, tc.seek)
			}
			pool.PutBuffer(b)
		})
	}
	// Each buffer reuses the chunks released before it: the pool ends up with those of
	// the largest buffer only.
	if got, want := len(pool.free), 4; got != want {
		t.Errorf("pool keeps %d chunks, want %d", got, want)
	}
}

func TestPageBufferErrors(t *testing.T) {
	var pool pagePool
	b := pool.GetBuffer()
	if _, err := b.Write([]byte("abcdef")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		op   func() error
		want string
	}{
		{"seek past the end", func() error { _, err := b.Seek(1, io.SeekEnd); return err }, "page buffer: seek to 7 of 6 bytes"},
		{"seek before the start", func() error { _, err := b.Seek(-7, io.SeekCurrent); return err }, "page buffer: seek to -1 of 6 bytes"},
		{"write before the end", func() error {
			if _, err := b.Seek(2, io.SeekStart); err != nil {
				return err
			}
			_, err := b.Write([]byte("x"))
			return err
		}, "page buffer: writes must append"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

package store_test

import (
	"bytes"
	"fmt"
	"testing"
)

func BenchmarkLocalCreateSmall(b *testing.B) {
	l, err := newLocalB(b)
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 1024)
	for i := 0; b.Loop(); i++ {
		if _, err := l.Create(b.Context(), fmt.Sprintf("bench/%08d", i), bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalSwap(b *testing.B) {
	l, err := newLocalB(b)
	if err != nil {
		b.Fatal(err)
	}
	obj, err := l.Swap(b.Context(), "state/manifest.json", []byte("v0"), "")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if obj, err = l.Swap(b.Context(), "state/manifest.json", fmt.Appendf(nil, "v%d", i+1), obj.ETag); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalCreate24MiB(b *testing.B) {
	l, err := newLocalB(b)
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 24<<20/16)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		if _, err := l.Create(b.Context(), fmt.Sprintf("big/%04d", i), bytes.NewReader(data), int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

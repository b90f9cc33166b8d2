package spec

import (
	"os"
	"testing"
)

// BenchmarkParse measures loading and validating a full example spec.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../../examples/specs/instagram.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "instagram.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

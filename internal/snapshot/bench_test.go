package snapshot

import (
	"context"
	"io"
	"testing"
)

// BenchmarkDiff measures the diff core on 200,000 generated records per side (1%
// deleted, 5% modified, 1% added), in memory and with every bucket spilled.
func BenchmarkDiff(b *testing.B) {
	base := genSnap(200_000, 5)
	next, _ := mutate(base, 6, 0.01, 0.05, 0.01)
	base.groupRows, next.groupRows = 128*1024, 128*1024
	prev, cur := base.file(b, "prev"), next.file(b, "cur")
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"memory", Options{}},
		{"spill", Options{MemoryBudget: 1 << 20}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.opt.TempDir = b.TempDir()
			b.SetBytes(prev.Size + cur.Size)
			for b.Loop() {
				if _, err := Diff(context.Background(), prev, cur, io.Discard, bc.opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(base.rows)+len(next.rows)), "ns/record")
		})
	}
}

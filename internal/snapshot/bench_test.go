package snapshot

import (
	"context"
	"io"
	"os"
	"path/filepath"
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

// BenchmarkDiffFiles diffs prev.parquet and cur.parquet from the directory in
// SLUICE_BENCH_DIFF_DIR (as bench/diff leaves them with -dir), with the default options;
// it is skipped when the variable is unset.
func BenchmarkDiffFiles(b *testing.B) {
	dir := os.Getenv("SLUICE_BENCH_DIFF_DIR")
	if dir == "" {
		b.Skip("SLUICE_BENCH_DIFF_DIR is not set")
	}
	var files [2]File
	for i, name := range []string{"prev.parquet", "cur.parquet"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		files[i] = File{Name: name, R: f, Size: info.Size()}
	}
	b.SetBytes(files[0].Size + files[1].Size)
	for b.Loop() {
		if _, err := Diff(context.Background(), files[0], files[1], io.Discard, Options{TempDir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
}

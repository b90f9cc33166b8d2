package snapshot

import (
	"math/bits"
	"os"
	"runtime"

	"github.com/sluice-dev/sluice/internal/format"
)

// DefaultMemoryBudget is the memory Diff keeps buckets and fetched rows in before it
// spills them to temporary files. With it, a diff of two 10-million-row snapshots
// peaks under 1 GB of resident memory.
const DefaultMemoryBudget = 512 << 20

// Options tunes Diff. Zero values select the defaults.
type Options struct {
	// TempDir is where spill files go (default os.TempDir()). Diff creates a private
	// directory inside and removes it before returning, also on error or cancellation.
	TempDir string
	// MemoryBudget bounds the bytes of buckets and fetched rows held in memory (default
	// DefaultMemoryBudget); beyond it they go to disk. The process also holds per
	// worker buffers and the largest bucket being compared.
	MemoryBudget int64
	// Buckets is the number of key-hash buckets, rounded up to a power of two (default:
	// at least 256, more when a bucket would not fit the budget). The diff file does not
	// depend on it.
	Buckets int
	// Workers is the number of goroutines comparing buckets and reading row groups
	// (default runtime.NumCPU()).
	Workers int
	// Parquet tunes the diff file's writer.
	Parquet format.ParquetOptions
	// Sample is how many changes, in output order, Summary.Sample lists.
	Sample int
}

func (o Options) withDefaults(rows int64) Options {
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.MemoryBudget <= 0 {
		o.MemoryBudget = DefaultMemoryBudget
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Buckets <= 0 {
		// A bucket being compared costs about 80 bytes per row (entries and table);
		// every worker holds one.
		per := max(o.MemoryBudget/int64(4*o.Workers)/80, 1)
		o.Buckets = max(256, int((rows+per-1)/per))
	}
	o.Buckets = min(1<<bits.Len(uint(o.Buckets-1)), 1<<20)
	return o
}

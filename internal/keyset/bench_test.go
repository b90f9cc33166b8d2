package keyset

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// keyStream yields keys like record keys: uniform random bits, with dupPct percent of
// them repeating a uniformly chosen earlier key.
type keyStream struct {
	r        *rand.Rand
	dupPct   int
	distinct uint64
}

func newKeyStream(dupPct int) *keyStream {
	return &keyStream{r: rand.New(rand.NewPCG(7, 7)), dupPct: dupPct}
}

func (s *keyStream) next() [16]byte {
	if s.distinct > 0 && s.r.IntN(100) < s.dupPct {
		return streamKey(s.r.Uint64N(s.distinct))
	}
	s.distinct++
	return streamKey(s.distinct - 1)
}

// streamKey is the i-th distinct key of every stream.
func streamKey(i uint64) (k [16]byte) {
	binary.LittleEndian.PutUint64(k[:8], splitmix(2*i))
	binary.LittleEndian.PutUint64(k[8:], splitmix(2*i+1))
	return k
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// heapAfterGC is the live heap.
func heapAfterGC() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// measured is the cost of n Adds to one set.
type measured struct {
	ns   time.Duration
	heap int64 // live heap held by the set
}

func benchKeyset(b *testing.B, n, dupPct int) (measured, *Set) {
	base := heapAfterGC()
	s := New(Options{Dir: b.TempDir()})
	ks := newKeyStream(dupPct)
	start := time.Now()
	for range n {
		if _, err := s.Add(ks.next()); err != nil {
			b.Fatal(err)
		}
	}
	m := measured{ns: time.Since(start)}
	m.heap = heapAfterGC() - base
	return m, s
}

func benchMap(n, dupPct int) measured {
	base := heapAfterGC()
	set := map[[16]byte]struct{}{}
	ks := newKeyStream(dupPct)
	start := time.Now()
	for range n {
		k := ks.next()
		if _, dup := set[k]; !dup {
			set[k] = struct{}{}
		}
	}
	m := measured{ns: time.Since(start)}
	m.heap = heapAfterGC() - base
	runtime.KeepAlive(set)
	return m
}

// BenchmarkAdd compares n Adds to a Set with the same keys put in a
// map[[16]byte]struct{}, run alternately so both see the same machine load.
// ns/op is the Set's time per Add; ratio-ns is Set/map; heapB/key is live heap per
// distinct key; spilledB/key is the Set's heap beyond its table per spilled key.
func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		for _, mix := range []struct {
			name   string
			dupPct int
		}{{"new", 0}, {"dup1pct", 1}} {
			b.Run(fmt.Sprintf("keys=%dM/%s", n/1_000_000, mix.name), func(b *testing.B) {
				var set, base measured
				var distinct, spilled, table int64
				iters := 0
				for b.Loop() {
					s, sm := benchKeyset(b, n, mix.dupPct)
					distinct, spilled, table = sm.Len(), sm.spilled, int64(len(sm.tab.slots))*keyBytes
					if err := sm.Close(); err != nil {
						b.Fatal(err)
					}
					m := benchMap(n, mix.dupPct)
					set.ns += s.ns
					set.heap = max(set.heap, s.heap)
					base.ns += m.ns
					base.heap = max(base.heap, m.heap)
					iters++
				}
				perAdd := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(iters*n) }
				b.ReportMetric(perAdd(set.ns), "ns/op")
				b.ReportMetric(perAdd(base.ns), "map-ns/op")
				b.ReportMetric(perAdd(set.ns)/perAdd(base.ns), "ratio-ns")
				b.ReportMetric(float64(set.heap)/float64(distinct), "heapB/key")
				b.ReportMetric(float64(base.heap)/float64(distinct), "map-heapB/key")
				if spilled > 0 {
					b.ReportMetric(float64(set.heap-table)/float64(spilled), "spilledB/key")
				}
			})
		}
	}
}

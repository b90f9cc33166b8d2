package snapshot

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
)

// TestBucketBuffersSpill appends entries from several goroutines into a store that
// keeps some blocks in memory and spills the others (whose blocks are then reused), and
// reads every bucket back.
func TestBucketBuffersSpill(t *testing.T) {
	const (
		buckets = 8
		workers = 4
		perW    = 5000
	)
	for _, limit := range []int64{0, 40 * 3000, 1 << 30} {
		s := newPartStore("entries", t.TempDir(), buckets, limit)
		want := make([][]entry, buckets)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(uint64(w), 1))
				bb := newBucketBuffers(s, buckets, 512)
				var mine []entry
				for i := range perW {
					e := entry{hi: r.Uint64(), lo: r.Uint64(), ord: int64(w*perW + i)}
					e.sum[0], e.sum[15] = byte(i), byte(w)
					b := int(e.hi >> 61)
					if err := bb.done(b, appendEntry(bb.buf(b), &e)); err != nil {
						t.Error(err)
						return
					}
					mine = append(mine, e)
				}
				if err := bb.flush(); err != nil {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, e := range mine {
					want[e.hi>>61] = append(want[e.hi>>61], e)
				}
			})
		}
		wg.Wait()
		if spilled := s.spilled() > 0; spilled != (limit < 1<<30) {
			t.Errorf("limit %d: spilled %v", limit, spilled)
		}
		var buf []byte
		for b := range buckets {
			var err error
			if buf, err = s.read(b, buf); err != nil {
				t.Fatal(err)
			}
			got := slices.Clone(entriesOf(buf))
			byOrd := func(a, b entry) int { return cmp.Compare(a.ord, b.ord) }
			slices.SortFunc(got, byOrd)
			slices.SortFunc(want[b], byOrd)
			if !slices.Equal(got, want[b]) {
				t.Errorf("limit %d: bucket %d: got %d entries, want %d (or different ones)", limit, b, len(got), len(want[b]))
			}
		}
		if err := s.close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCountDefined(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		maxDef := byte(r.IntN(4))
		defs := make([]byte, r.IntN(40))
		for i := range defs {
			defs[i] = byte(r.IntN(int(maxDef) + 1))
		}
		want := 0
		for _, d := range defs {
			if d == maxDef {
				want++
			}
		}
		if got := countDefined(defs, maxDef); got != want {
			t.Fatalf("countDefined(%v, %d) = %d, want %d", defs, maxDef, got, want)
		}
	}
}

// TestArenas checks that strings and value slices stay intact as their arenas move to
// new blocks.
func TestArenas(t *testing.T) {
	var a textArena
	var vs valueSlab
	var strs, want []string
	var taken [][]record.Value
	for i := range 3000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%300)
		strs = append(strs, a.str([]byte(s)))
		want = append(want, s)
		v := vs.take(i % 7)
		clear(v)
		if len(v) != i%7 || cap(v) != i%7 {
			t.Fatalf("take(%d): len %d cap %d", i%7, len(v), cap(v))
		}
		for j := range v {
			v[j].I = int64(i)
		}
		taken = append(taken, v)
	}
	for i := range strs {
		if strs[i] != want[i] {
			t.Fatalf("string %d changed", i)
		}
		for _, v := range taken[i] {
			if v.I != int64(i) {
				t.Fatalf("values %d changed", i)
			}
		}
	}
	if h := a.hex([]byte{0x01, 0xab}); h != "01ab" {
		t.Errorf("hex = %q", h)
	}
}

// TestSlabPool checks that a released slab's blocks are reused by the next one.
func TestSlabPool(t *testing.T) {
	pool := &slabPool{}
	vs := valueSlab{pool: pool}
	first := vs.take(10)
	first[0].I = 7
	big := vs.take(slabBlock + 1) // too large for a pool block: allocated on its own
	if len(big) != slabBlock+1 {
		t.Fatalf("take: len %d", len(big))
	}
	blocks := vs.release()
	if len(blocks) != 1 {
		t.Fatalf("release: %d blocks, want 1", len(blocks))
	}
	pool.put(blocks)
	again := vs.take(3)
	if &again[0] != &first[0] {
		t.Error("the released block was not reused")
	}
	if got := vs.release(); len(got) != 1 {
		t.Errorf("release: %d blocks, want 1", len(got))
	}
}

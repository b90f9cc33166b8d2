package keyset

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// fromHKey returns the key whose internal form is k, inverting toHKey.
func fromHKey(k hkey) (raw [16]byte) {
	inv := uint64(mulX) // Newton's iteration for the inverse of mulX mod 2^64
	for range 5 {
		inv *= 2 - mulX*inv
	}
	binary.LittleEndian.PutUint64(raw[:8], k.h*inv^k.y*mulY)
	binary.LittleEndian.PutUint64(raw[8:], k.y)
	return raw
}

func TestHKeyRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 3))
	for range 1000 {
		k := randKey(r)
		if got := fromHKey(toHKey(k)); got != k {
			t.Fatalf("fromHKey(toHKey(%x)) = %x", k, got)
		}
	}
	if !toHKey(zeroKey).isZero() {
		t.Fatal("the zero key does not map to the zero hkey")
	}
}

// TestEarlySpill adds keys that share the last home slot of the table, so a probe runs
// off its end and the Set spills before the table holds MemKeys keys.
func TestEarlySpill(t *testing.T) {
	const memKeys = 1 << 10
	s := New(Options{Dir: t.TempDir(), MemKeys: memKeys})
	defer s.Close()
	last := uint64(2*memKeys-1) << s.tab.shift
	var steps []step
	for i := range uint64(3 * tablePad) {
		steps = append(steps, step{fromHKey(hkey{h: last | i, y: i}), true})
	}
	for i, st := range repeated(steps) {
		got, err := s.Add(st.key)
		if err != nil || got != st.isNew {
			t.Fatalf("step %d: Add = %v, %v; want %v", i, got, err, st.isNew)
		}
	}
	if len(s.runs) == 0 {
		t.Fatal("no early spill")
	}
	if got := s.Len(); got != 3*tablePad {
		t.Errorf("Len = %d, want %d", got, 3*tablePad)
	}
}

func TestSortNearly(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	random := make([]hkey, 1000)
	for i := range random {
		random[i] = hkey{h: r.Uint64() % 50, y: r.Uint64()}
	}
	nearly := slices.Clone(random)
	slices.SortFunc(nearly, compareHKeys)
	for i := 0; i+3 < len(nearly); i += 7 {
		nearly[i], nearly[i+3] = nearly[i+3], nearly[i]
	}
	reversed := slices.Clone(random)
	slices.SortFunc(reversed, func(a, b hkey) int { return compareHKeys(b, a) })
	for _, c := range []struct {
		name string
		ks   []hkey
	}{{"random", random}, {"nearly sorted", nearly}, {"reversed", reversed}, {"empty", nil}} {
		t.Run(c.name, func(t *testing.T) {
			ks := slices.Clone(c.ks)
			sortNearly(ks)
			want := slices.Clone(c.ks)
			slices.SortFunc(want, compareHKeys)
			if !slices.Equal(ks, want) {
				t.Fatal("not sorted")
			}
		})
	}
}

func TestMergeFrom(t *testing.T) {
	for _, c := range []struct {
		name  string
		sizes []int64
		want  int
	}{
		{"one run", []int64{4}, 0},
		{"carry through every run", []int64{8, 4, 2, 1, 1}, 0},
		{"carry through two", []int64{8, 2, 1, 1}, 1},
		{"no carry", []int64{2, 1}, 1},
		{"larger newest run after an early spill", []int64{4, 1, 3}, 0},
		{"early spill, no carry", []int64{9, 1, 3}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var runs []*run
			for _, n := range c.sizes {
				runs = append(runs, &run{n: n})
			}
			if got := mergeFrom(runs); got != c.want {
				t.Errorf("mergeFrom(%v) = %d, want %d", c.sizes, got, c.want)
			}
		})
	}
}

// TestBloom checks that the filter has no false negatives and, filled to its capacity,
// a false-positive rate under 2% (a deterministic count for these keys).
func TestBloom(t *testing.T) {
	const n = 100_000
	f := newBloom(n * bloomGrowthDen / bloomGrowthNum)
	r := rand.New(rand.NewPCG(3, 3))
	added := make([]hkey, f.cap)
	for i := range added {
		added[i] = toHKey(randKey(r))
		f.add(added[i])
	}
	for _, k := range added {
		if !f.has(k) {
			t.Fatalf("false negative for %v", k)
		}
	}
	fp := 0
	for range n {
		if f.has(toHKey(randKey(r))) {
			fp++
		}
	}
	if rate := float64(fp) / n; rate > 0.002 {
		t.Errorf("false-positive rate %.4f at capacity, want < 0.002", rate)
	}
	t.Logf("false-positive rate at capacity: %.4f, %.2f bits per key", float64(fp)/n, float64(f.bytes()*8)/float64(f.cap))
}

// TestReadErrorNamesFile closes the spill file under the Set, so the lookup of a
// spilled key fails.
func TestReadErrorNamesFile(t *testing.T) {
	s := New(Options{Dir: t.TempDir(), MemKeys: 4})
	defer s.Close()
	keys := fresh(14, 8)
	for _, st := range keys {
		if _, err := s.Add(st.key); err != nil {
			t.Fatal(err)
		}
	}
	name := s.file.f.Name()
	if err := s.file.f.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Add(keys[0].key)
	if err == nil || !strings.Contains(err.Error(), name) {
		t.Fatalf("Add of a spilled key from a closed file: error %v, want one naming %s", err, name)
	}
}

func TestDefaults(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	if s.memKeys != DefaultMemKeys || s.file.dir != os.TempDir() {
		t.Errorf("New(Options{}): MemKeys %d, Dir %q; want %d, %q", s.memKeys, s.file.dir, DefaultMemKeys, os.TempDir())
	}
}

// TestAddAllocates checks that Adds that do not spill allocate nothing, lookups of
// spilled keys included.
func TestAddAllocates(t *testing.T) {
	s := New(Options{Dir: t.TempDir(), MemKeys: 1 << 12})
	defer s.Close()
	keys := fresh(16, 6000)
	for _, st := range keys[:5000] {
		if _, err := s.Add(st.key); err != nil {
			t.Fatal(err)
		}
	}
	i := 5000
	allocs := testing.AllocsPerRun(100, func() {
		isNew, err := s.Add(keys[i].key)
		dupNew, dupErr := s.Add(keys[i-5000].key) // spilled
		if !isNew || err != nil || dupNew || dupErr != nil {
			t.Fatalf("Add: %v, %v; Add of a spilled key: %v, %v", isNew, err, dupNew, dupErr)
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Add", allocs)
	}
}

// TestTableGrows checks that a Set starts with a small table and doubles it up to
// MemKeys before it spills anything.
func TestTableGrows(t *testing.T) {
	s := New(Options{Dir: t.TempDir(), MemKeys: 5000})
	defer s.Close()
	steps := []struct {
		keys     int // keys added in total
		capacity int // table capacity after them
	}{
		{0, minTableKeys},
		{minTableKeys - 1, minTableKeys},
		{minTableKeys, 2 * minTableKeys},
		{4000, 8 * minTableKeys},
	}
	keys := fresh(21, 4000)
	added := 0
	for _, st := range steps {
		for ; added < st.keys; added++ {
			if _, err := s.Add(keys[added].key); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.tab.capacity(); got != st.capacity {
			t.Fatalf("after %d keys: capacity %d, want %d", st.keys, got, st.capacity)
		}
		if len(s.runs) != 0 {
			t.Fatalf("after %d keys: %d runs spilled, want none below MemKeys", st.keys, len(s.runs))
		}
	}
	if s.Len() != 4000 {
		t.Fatalf("Len = %d, want 4000", s.Len())
	}
}

package keyset

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// step is one Add and its expected result.
type step struct {
	key   [16]byte
	isNew bool
}

func randKey(r *rand.Rand) (k [16]byte) {
	for i := range k {
		k[i] = byte(r.Uint32())
	}
	return k
}

// fresh returns n distinct random non-zero keys, all new.
func fresh(seed uint64, n int) []step {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := map[[16]byte]bool{{}: true}
	steps := make([]step, 0, n)
	for len(steps) < n {
		k := randKey(r)
		if !seen[k] {
			seen[k] = true
			steps = append(steps, step{k, true})
		}
	}
	return steps
}

// withDups returns n fresh keys with the step at each position in dups replaced by a
// repeat of the key at the position it maps to, which must be earlier.
func withDups(seed uint64, n int, dups map[int]int) []step {
	steps := fresh(seed, n)
	for at, of := range dups {
		if of >= at {
			panic("a duplicate must repeat an earlier step")
		}
	}
	for at := range n { // in order, so a duplicate may repeat a duplicate
		if of, ok := dups[at]; ok {
			steps[at] = step{steps[of].key, false}
		}
	}
	return steps
}

// repeated returns the steps followed by their keys again, all present by then.
func repeated(steps []step) []step {
	out := append([]step(nil), steps...)
	for _, st := range steps {
		out = append(out, step{st.key, false})
	}
	return out
}

// oneBit returns a random key and the 128 keys that differ from it in one bit.
func oneBit(seed uint64) []step {
	base := fresh(seed, 1)[0].key
	steps := []step{{base, true}}
	for i := range 128 {
		k := base
		k[i/8] ^= 1 << (i % 8)
		steps = append(steps, step{k, true})
	}
	return steps
}

func concat(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var zeroKey [16]byte

func TestAdd(t *testing.T) {
	long := fresh(10, 3000)
	cases := []struct {
		name    string
		memKeys int
		steps   []step
	}{
		{"duplicates of keys spilled long ago", 7, withDups(1, 5000, map[int]int{4000: 0, 4500: 3, 4800: 6, 4999: 1000})},
		{"duplicates of keys in the current table", 7, withDups(2, 100, map[int]int{9: 8, 10: 7, 16: 15, 50: 49})},
		{"duplicates within an unspilled table", 1 << 10, withDups(3, 500, map[int]int{100: 99, 200: 0, 499: 250})},
		{"duplicate of a duplicate", 4, withDups(4, 300, map[int]int{50: 1, 51: 50, 299: 51})},
		{"immediate repeat", 4, []step{{long[0].key, true}, {long[0].key, false}, {long[0].key, false}}},
		{"zero key", 4, concat(
			[]step{{zeroKey, true}, {zeroKey, false}},
			fresh(5, 100),
			[]step{{zeroKey, false}},
		)},
		{"zero key after spills", 4, concat(fresh(6, 100), []step{{zeroKey, true}}, fresh(7, 50), []step{{zeroKey, false}})},
		{"keys differing in one bit, in the table", 1 << 10, repeated(oneBit(8))},
		{"keys differing in one bit, spilled", 4, repeated(oneBit(9))},
		{"every key again after many merges", 4, repeated(long)},
		{"every key again, memKeys 7", 7, repeated(long)},
		{"memKeys 1", 1, repeated(fresh(11, 200))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := New(Options{Dir: dir, MemKeys: c.memKeys})
			var want int64
			for i, st := range c.steps {
				got, err := s.Add(st.key)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got != st.isNew {
					t.Fatalf("step %d: Add(%x) = %v, want %v", i, st.key, got, st.isNew)
				}
				if st.isNew {
					want++
				}
			}
			if got := s.Len(); got != want {
				t.Errorf("Len = %d, want %d", got, want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			assertEmpty(t, dir)
		})
	}
}

// TestAddAgainstMap cross-checks random adds, a third of them repeats, with a map.
func TestAddAgainstMap(t *testing.T) {
	for _, c := range []struct {
		name    string
		memKeys int
		ops     int
	}{
		{"memKeys 4", 4, 100_000},
		{"memKeys 7", 7, 200_000},
		{"memKeys 1000", 1000, 50_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(c.memKeys), 2))
			s := New(Options{Dir: t.TempDir(), MemKeys: c.memKeys})
			defer s.Close()
			seen := map[[16]byte]struct{}{}
			var keys [][16]byte
			for i := range c.ops {
				k := randKey(r)
				if len(keys) > 0 && r.IntN(3) == 0 {
					k = keys[r.IntN(len(keys))]
				}
				_, dup := seen[k]
				got, err := s.Add(k)
				if err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
				if got == dup {
					t.Fatalf("op %d: Add(%x) = %v, want %v", i, k, got, !dup)
				}
				if !dup {
					seen[k] = struct{}{}
					keys = append(keys, k)
				}
			}
			if got, want := s.Len(), int64(len(seen)); got != want {
				t.Errorf("Len = %d, want %d", got, want)
			}
		})
	}
}

func TestCloseRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	s := New(Options{Dir: dir, MemKeys: 4})
	for _, st := range fresh(12, 1000) {
		if _, err := s.Add(st.key); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) == 0 {
		t.Fatal("no spill file before Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	assertEmpty(t, dir)
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Add(zeroKey); err == nil {
		t.Fatal("Add after Close succeeded")
	}
	if got := s.Len(); got != 1000 {
		t.Errorf("Len after Close = %d, want 1000", got)
	}
}

func TestCloseUnspilled(t *testing.T) {
	s := New(Options{Dir: filepath.Join(t.TempDir(), "missing")})
	if _, err := s.Add(zeroKey); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestUnwritableDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	s := New(Options{Dir: dir, MemKeys: 4})
	defer s.Close()
	keys := fresh(13, 4)
	for _, st := range keys[:3] {
		if _, err := s.Add(st.key); err != nil {
			t.Fatalf("Add before the first spill: %v", err)
		}
	}
	_, err := s.Add(keys[3].key)
	if err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Add at the first spill: error %v, want one naming %s", err, dir)
	}
	if _, again := s.Add(keys[0].key); again != err {
		t.Errorf("Add after an error: %v, want %v", again, err)
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
}

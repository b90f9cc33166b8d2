package keyset

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMergedRunsFreeDisk checks that the spill file's allocated blocks track the live
// runs, not everything written, on a file system that can punch holes.
func TestMergedRunsFreeDisk(t *testing.T) {
	dir := t.TempDir()
	probe, err := os.Create(filepath.Join(dir, "probe"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := probe.Write(make([]byte, 1<<16)); err != nil {
		t.Fatal(err)
	}
	ferr := syscall.Fallocate(int(probe.Fd()), fallocKeepSize|fallocPunchHole, 0, 1<<16)
	probe.Close()
	os.Remove(probe.Name())
	if ferr != nil {
		t.Skipf("the file system cannot punch holes: %v", ferr)
	}

	s := New(Options{Dir: dir, MemKeys: 1 << 10})
	defer s.Close()
	for _, st := range fresh(15, 100_000) {
		if _, err := s.Add(st.key); err != nil {
			t.Fatal(err)
		}
	}
	var st syscall.Stat_t
	if err := syscall.Stat(s.file.f.Name(), &st); err != nil {
		t.Fatal(err)
	}
	live := s.spilled * keyBytes
	if alloc := st.Blocks * 512; alloc > live+int64(len(s.runs))*8<<10 || s.file.end < 2*live {
		t.Errorf("spill file: %d bytes allocated, %d written, %d live in %d runs", alloc, s.file.end, live, len(s.runs))
	} else {
		t.Logf("spill file: %d bytes allocated, %d written, %d live in %d runs", alloc, s.file.end, live, len(s.runs))
	}
}

package keyset

import (
	"errors"
	"fmt"
	"os"
)

// spillFile is the one file that holds every run, each a span of it. New runs, merged
// ones included, are appended; a run's span is released when the run is merged away,
// by punching a hole where the file system supports it, so the disk holds only live
// runs and the run being written.
type spillFile struct {
	dir string
	f   *os.File // nil until the first run
	end int64    // where the next run starts
}

// open creates the file if need be.
func (sf *spillFile) open() error {
	if sf.f != nil {
		return nil
	}
	f, err := os.CreateTemp(sf.dir, "keyset-*.spill")
	if err != nil {
		return fmt.Errorf("keyset: create spill file: %w", err)
	}
	sf.f = f
	return nil
}

// writeRun appends the sorted keys ks as a new run, in one write.
func (sf *spillFile) writeRun(ks []hkey) (*run, error) {
	if err := sf.open(); err != nil {
		return nil, err
	}
	r := &run{f: sf.f, off: sf.end, n: int64(len(ks)), first: make([]uint64, 0, (len(ks)+blockKeys-1)/blockKeys)}
	for i := 0; i < len(ks); i += blockKeys {
		r.first = append(r.first, ks[i].h)
	}
	if _, err := sf.f.WriteAt(asBytes(ks), r.off); err != nil {
		return nil, fileErr("write", sf.f.Name(), err)
	}
	sf.commit(r)
	return r, nil
}

// writer returns a writer of a new run of about n keys at the end of the file; commit
// the run once written.
func (sf *spillFile) writer(n int64) (*runWriter, error) {
	if err := sf.open(); err != nil {
		return nil, err
	}
	return newRunWriter(sf.f, sf.end, n), nil
}

// commit marks the run r, just written at the end of the file, as part of it.
func (sf *spillFile) commit(r *run) { sf.end = r.off + r.n*keyBytes }

// holeAlign is the granularity of punched holes: a file system block (or page) is
// freed only when the hole covers all of it, so smaller spans are not punched.
const holeAlign = 4 << 10

// release gives back the disk space of a run that is no longer used.
func (sf *spillFile) release(r *run) error {
	from := (r.off + holeAlign - 1) &^ (holeAlign - 1)
	to := (r.off + r.n*keyBytes) &^ (holeAlign - 1)
	if to <= from {
		return nil
	}
	if err := punchHole(sf.f, from, to-from); err != nil {
		return fileErr("punch hole in", sf.f.Name(), err)
	}
	return nil
}

// remove closes and deletes the file. Calling it again does nothing.
func (sf *spillFile) remove() error {
	if sf.f == nil {
		return nil
	}
	name := sf.f.Name()
	err := sf.f.Close()
	if rerr := os.Remove(name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	sf.f = nil
	if err != nil {
		return fmt.Errorf("keyset: remove spill file: %w", err)
	}
	return nil
}

// fileErr wraps err from an operation on the file named name so that it names the file.
func fileErr(op, name string, err error) error {
	if pe := (*os.PathError)(nil); errors.As(err, &pe) && pe.Path == name {
		return fmt.Errorf("keyset: %w", err)
	}
	return fmt.Errorf("keyset: %s %s: %w", op, name, err)
}

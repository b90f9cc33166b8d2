package keyset

import (
	"os"
	"slices"
	"unsafe"
)

const (
	// blockKeys is how many keys share one sparse-index entry: a lookup reads one block
	// of blockKeys keys, and the index costs 8/blockKeys bytes per key.
	blockKeys = 128
	// streamKeys is the buffer size, in keys, of each stream reading or writing a run.
	streamKeys = 4096
)

// run is a sorted run of distinct keys: a span of the spill file holding n keys in
// ascending (h, y) order from offset off, and in memory the h of the first key of each
// block of blockKeys keys.
type run struct {
	f     *os.File
	off   int64
	n     int64
	first []uint64
}

// asBytes is the memory of ks. The spill file is private to the process, so keys are
// stored as they lie in memory, and runs are read and written without encoding.
func asBytes(ks []hkey) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(ks))), len(ks)*keyBytes)
}

// readAt fills ks from the keys at byte offset off of the run's file.
func (r *run) readAt(ks []hkey, off int64) error {
	if _, err := r.f.ReadAt(asBytes(ks), off); err != nil {
		return fileErr("read", r.f.Name(), err)
	}
	return nil
}

// contains reports whether the run holds k. buf must hold blockKeys keys.
func (r *run) contains(k hkey, buf []hkey) (bool, error) {
	// Block b holds keys with h in [first[b], first[b+1]], so k may be in the block
	// before the first block starting at or after k.h, and in any block starting at k.h.
	lo, _ := slices.BinarySearch(r.first, k.h)
	hi := lo
	for hi < len(r.first) && r.first[hi] == k.h {
		hi++
	}
	for b := max(lo-1, 0); b < hi; b++ {
		i := int64(b) * blockKeys
		blk := buf[:min(blockKeys, r.n-i)]
		if err := r.readAt(blk, r.off+i*keyBytes); err != nil {
			return false, err
		}
		if _, ok := slices.BinarySearchFunc(blk, k, compareHKeys); ok {
			return true, nil
		}
	}
	return false, nil
}

// runWriter writes a new run in ascending key order, through a buffer of its own.
type runWriter struct {
	r   *run
	buf []hkey
	at  int64 // file offset of buf
}

// newRunWriter returns a writer of a run of about n keys at offset off of f.
func newRunWriter(f *os.File, off, n int64) *runWriter {
	return &runWriter{r: &run{f: f, off: off}, buf: make([]hkey, 0, min(max(n, 1), streamKeys)), at: off}
}

// add appends k, which must be greater than every key added before.
func (w *runWriter) add(k hkey) error {
	if len(w.buf) == cap(w.buf) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if w.r.n%blockKeys == 0 {
		w.r.first = append(w.r.first, k.h)
	}
	w.r.n++
	w.buf = append(w.buf, k)
	return nil
}

func (w *runWriter) flush() error {
	if _, err := w.r.f.WriteAt(asBytes(w.buf), w.at); err != nil {
		return fileErr("write", w.r.f.Name(), err)
	}
	w.at += int64(len(w.buf)) * keyBytes
	w.buf = w.buf[:0]
	return nil
}

// finish flushes the run and returns it.
func (w *runWriter) finish() (*run, error) {
	if err := w.flush(); err != nil {
		return nil, err
	}
	w.r.first = slices.Clip(w.r.first)
	return w.r, nil
}

// runReader streams a run's keys in order, through a buffer of its own.
type runReader struct {
	r    *run
	next int64 // index in the run of the key after buf
	buf  []hkey
	pos  int // index in buf of the current key
}

// reader returns a reader at the run's first key; ok is false for an empty run.
func (r *run) reader() (rr *runReader, ok bool, err error) {
	rr = &runReader{r: r, buf: make([]hkey, 0, min(max(r.n, 1), streamKeys))}
	ok, err = rr.fill()
	return rr, ok, err
}

// cur is the current key.
func (rr *runReader) cur() hkey { return rr.buf[rr.pos] }

// advance moves to the next key and reports whether there is one.
func (rr *runReader) advance() (bool, error) {
	if rr.pos++; rr.pos < len(rr.buf) {
		return true, nil
	}
	return rr.fill()
}

// fill reads the keys after buf into it.
func (rr *runReader) fill() (bool, error) {
	m := min(int64(cap(rr.buf)), rr.r.n-rr.next)
	rr.buf, rr.pos = rr.buf[:m], 0
	if m == 0 {
		return false, nil
	}
	if err := rr.r.readAt(rr.buf, rr.r.off+rr.next*keyBytes); err != nil {
		return false, err
	}
	rr.next += m
	return true, nil
}

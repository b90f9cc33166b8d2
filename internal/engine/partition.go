package engine

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/record"
)

// Counts are the record counts of one partition.
type Counts struct {
	// Fetched records that belong to this partition, before de-duplication.
	Fetched int64 `json:"fetched"`
	// Duplicates dropped because their key was already written to this partition.
	Duplicates int64 `json:"duplicates_dropped"`
	// Written rows in the data file.
	Written int64 `json:"written"`
}

// encodeBatch is how many rows travel to the encoder goroutine at once.
const encodeBatch = 256

// partWriter stages one partition's rows in a local temp file while the window is
// extracted. It de-duplicates by key and accumulates the order-independent content hash;
// a goroutine of its own encodes, so encoding overlaps extraction.
type partWriter struct {
	part   layout.Partition
	shape  *shape
	dir    string
	format format.Format

	keys   map[[16]byte]struct{}
	set    record.SetHash
	counts Counts

	file    *os.File
	buf     *bufio.Writer
	sha     hash.Hash
	size    int64
	enc     format.Writer
	pend    []*prepared
	rows    chan []*prepared
	encoded chan struct{} // closed when the encoder goroutine ends
	encErr  error         // set by the encoder goroutine; read after encoded is closed
}

func newPartWriter(p layout.Partition, s *shape, dir string, f format.Format) *partWriter {
	return &partWriter{part: p, shape: s, dir: dir, format: f, keys: map[[16]byte]struct{}{}}
}

// add writes one prepared record unless its key was already written, and reports whether
// it was new.
func (w *partWriter) add(r *prepared) (bool, error) {
	w.counts.Fetched++
	if _, dup := w.keys[r.key]; dup {
		w.counts.Duplicates++
		r.release()
		return false, nil
	}
	w.keys[r.key] = struct{}{}
	w.set.Add(r.sum)
	if w.enc == nil {
		if err := w.open(); err != nil {
			return false, err
		}
	}
	w.pend = append(w.pend, r)
	if len(w.pend) == encodeBatch {
		w.rows <- w.pend
		w.pend = make([]*prepared, 0, encodeBatch)
	}
	w.counts.Written++
	return true, nil
}

func (w *partWriter) open() error {
	f, err := os.CreateTemp(w.dir, "sluice-part-*."+w.format.Ext())
	if err != nil {
		return fmt.Errorf("%s: temp file: %w", w.part, err)
	}
	w.file = f
	w.sha = sha256.New()
	w.buf = bufio.NewWriterSize(io.MultiWriter(f, w.sha, (*countWriter)(&w.size)), 256<<10)
	enc, err := format.New(w.format, w.buf, w.shape.out)
	if err != nil {
		w.discard()
		return fmt.Errorf("%s: %w", w.part, err)
	}
	w.enc = enc
	w.pend = make([]*prepared, 0, encodeBatch)
	w.rows = make(chan []*prepared, 4)
	w.encoded = make(chan struct{})
	go w.encode(w.rows)
	return nil
}

// encode runs in its own goroutine until rows is closed.
func (w *partWriter) encode(rows <-chan []*prepared) {
	defer close(w.encoded)
	for batch := range rows {
		for _, r := range batch {
			if w.encErr == nil {
				if err := w.enc.Write(r.row); err != nil {
					w.encErr = fmt.Errorf("%s: encode: %w", w.part, err)
				}
			}
			r.release()
		}
	}
}

// stop hands the last rows to the encoder and waits for it to end.
func (w *partWriter) stop() error {
	if w.rows == nil {
		return nil
	}
	if len(w.pend) > 0 {
		w.rows <- w.pend
		w.pend = nil
	}
	close(w.rows)
	w.rows = nil
	<-w.encoded
	return w.encErr
}

// finish flushes the file. It returns the staged file (with no path when the partition is
// empty).
func (w *partWriter) finish() (*staged, error) {
	if w.enc == nil {
		return &staged{counts: w.counts, contentHash: w.set.String()}, nil
	}
	err := w.stop()
	if err == nil {
		err = w.enc.Close()
	}
	if err == nil {
		err = w.buf.Flush()
	}
	if err == nil {
		err = w.file.Sync()
	}
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.discard()
		return nil, fmt.Errorf("%s: finish data file: %w", w.part, err)
	}
	name := w.file.Name()
	w.file = nil
	return &staged{
		path: name, size: w.size, sha256: fmt.Sprintf("%x", w.sha.Sum(nil)),
		counts: w.counts, contentHash: w.set.String(),
	}, nil
}

// discard stops the encoder and removes the temp file.
func (w *partWriter) discard() {
	_ = w.stop() // the partition is being dropped; its encoding error no longer matters
	if w.file != nil {
		w.file.Close()
		os.Remove(w.file.Name())
		w.file = nil
	}
}

// staged is a finished partition file waiting to be committed.
type staged struct {
	path        string // "" when the partition has no records
	size        int64
	sha256      string
	counts      Counts
	contentHash string
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

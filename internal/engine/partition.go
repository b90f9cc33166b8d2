package engine

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/store"
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

	// A checkpoint cuts the rows written so far into a finished segment (staged in the
	// store); the data file is the concatenation of the segments and the open file.
	segs    []segment
	segKeys [][16]byte     // keys of the open file's rows
	segSet  record.SetHash // content hash of the open file's rows

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
	w.segSet.Add(r.sum)
	w.segKeys = append(w.segKeys, r.key)
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
	var enc format.Writer
	if isSnapshot(w.shape.st) {
		enc, err = newSnapshotEncoder(w.buf, w.shape)
	} else {
		enc, err = format.New(w.format, w.buf, w.shape.out)
	}
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

// closeFile ends the open file: the encoder's last rows, the format's footer, fsync.
// It returns the finished segment and leaves the writer ready to open a new file.
func (w *partWriter) closeFile() (segment, error) {
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
		return segment{}, fmt.Errorf("%s: finish data file: %w", w.part, err)
	}
	seg := segment{path: w.file.Name(), size: w.size, sha256: fmt.Sprintf("%x", w.sha.Sum(nil)), records: int64(len(w.segKeys)), set: w.segSet}
	w.file, w.enc, w.size = nil, nil, 0
	w.segSet = record.SetHash{}
	return seg, nil
}

// cut ends the open file as a segment for a checkpoint and returns it with the keys of
// its rows; ok is false when no row was written since the last cut.
func (w *partWriter) cut() (seg segment, keys [][16]byte, ok bool, err error) {
	if w.enc == nil {
		return segment{}, nil, false, nil
	}
	seg, err = w.closeFile()
	if err != nil {
		return segment{}, nil, false, err
	}
	keys, w.segKeys = w.segKeys, nil
	return seg, keys, true, nil
}

// finish ends the partition's data. It returns the staged file (with no path when the
// partition is empty): the open file itself, or the concatenation of the checkpointed
// segments and the open file (segments staged by an earlier run are fetched from the
// store).
func (w *partWriter) finish(ctx context.Context, st store.Store) (*staged, error) {
	if w.enc != nil {
		seg, err := w.closeFile()
		if err != nil {
			return nil, err
		}
		w.segs = append(w.segs, seg)
		w.segKeys = nil
	}
	out := &staged{counts: w.counts, contentHash: w.set.String()}
	switch {
	case len(w.segs) == 0:
		return out, nil
	case len(w.segs) == 1 && w.segs[0].path != "":
		seg := w.segs[0]
		w.segs = nil
		out.path, out.size, out.sha256 = seg.path, seg.size, seg.sha256
		return out, nil
	}
	if err := w.concat(ctx, st, out); err != nil {
		w.discard()
		return nil, fmt.Errorf("%s: %w", w.part, err)
	}
	return out, nil
}

// concat joins the segments into one data file.
func (w *partWriter) concat(ctx context.Context, st store.Store, out *staged) error {
	for i := range w.segs {
		if w.segs[i].path != "" {
			continue
		}
		path, err := fetchPart(ctx, st, w.segs[i].part.Key, w.dir)
		if err != nil {
			return err
		}
		w.segs[i].path = path
	}
	f, err := os.CreateTemp(w.dir, "sluice-part-*."+w.format.Ext())
	if err != nil {
		return fmt.Errorf("temp file: %w", err)
	}
	sha := sha256.New()
	var size countWriter
	buf := bufio.NewWriterSize(io.MultiWriter(f, sha, &size), 256<<10)
	err = joinSegments(buf, w.segs, w.format)
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("join %d segments: %w", len(w.segs), err)
	}
	w.removeSegments()
	out.path, out.size, out.sha256 = f.Name(), int64(size), fmt.Sprintf("%x", sha.Sum(nil))
	return nil
}

// removeSegments deletes the local copies of the segments (staged copies stay until the
// window's checkpoint is deleted).
func (w *partWriter) removeSegments() {
	for _, seg := range w.segs {
		if seg.path != "" {
			os.Remove(seg.path)
		}
	}
	w.segs = nil
}

// discard stops the encoder and removes the temp files.
func (w *partWriter) discard() {
	_ = w.stop() // the partition is being dropped; its encoding error no longer matters
	if w.file != nil {
		w.file.Close()
		os.Remove(w.file.Name())
		w.file = nil
	}
	w.removeSegments()
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

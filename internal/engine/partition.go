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
	"github.com/sluice-dev/sluice/internal/keyset"
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

	keys   *keyset.Set // keys written so far; bounded memory, spills to dir
	set    record.SetHash
	counts Counts

	// A checkpoint cuts the rows written so far into a finished segment (staged in the
	// store); the data file is the concatenation of the segments and the open file.
	segs     []segment      // finished segments not yet handed to join
	join     *joiner        // joins staged segments into the data file; nil until needed
	segKeys  []byte         // keys of the open file's rows, 16 bytes each, kept only when checkpoints stage them
	segRows  int64          // rows of the open file
	keepKeys bool           // checkpoints are on: record segKeys
	segSet   record.SetHash // content hash of the open file's rows

	bufs format.ParquetBuffers // page buffers and encoders, kept from one segment's file to the next

	file    *os.File
	buf     *bufio.Writer
	sha     hash.Hash // of the open file, when it is the partition's first (see open)
	size    int64
	enc     format.Writer
	pend    []*prepared
	rows    chan []*prepared
	encoded chan struct{} // closed when the encoder goroutine ends
	encErr  error         // set by the encoder goroutine; read after encoded is closed
}

func newPartWriter(p layout.Partition, s *shape, dir string, f format.Format) *partWriter {
	return &partWriter{part: p, shape: s, dir: dir, format: f, keys: keyset.New(keyset.Options{Dir: dir})}
}

// add writes one prepared record unless its key was already written, and reports whether
// it was new.
func (w *partWriter) add(r *prepared) (bool, error) {
	w.counts.Fetched++
	fresh, err := w.keys.Add(r.key)
	if err != nil {
		r.release()
		return false, fmt.Errorf("%s: de-duplication: %w", w.part, err)
	}
	if !fresh {
		w.counts.Duplicates++
		r.release()
		return false, nil
	}
	w.set.Add(r.sum)
	w.segSet.Add(r.sum)
	w.segRows++
	if w.keepKeys {
		w.segKeys = append(w.segKeys, r.key[:]...)
	}
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
	// Only the partition's first file can become its data file as it stands: once a
	// checkpoint has cut one, every file is joined, and the joined file has its own
	// checksum.
	w.sha = nil
	dst := io.MultiWriter(f, (*countWriter)(&w.size))
	if len(w.segs) == 0 && w.join == nil {
		w.sha = sha256.New()
		dst = io.MultiWriter(f, w.sha, (*countWriter)(&w.size))
	}
	w.buf = bufio.NewWriterSize(dst, 256<<10)
	var enc format.Writer
	if isSnapshot(w.shape.st) {
		enc, err = newSnapshotEncoder(w.buf, w.shape)
	} else {
		enc, err = format.New(w.format, w.buf, w.shape.out, format.ParquetOptions{Buffers: &w.bufs})
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

// closeFile ends the open file: the encoder's last rows, the format's footer. The file
// is local scratch, never fsynced: the store makes its own durable copy when the file
// is staged or committed, and a crash before then starts from the last checkpoint.
// It returns the finished segment and leaves the writer ready to open a new file.
func (w *partWriter) closeFile() (segment, error) {
	err := w.stop()
	if err == nil {
		err = w.enc.Close()
	}
	if err == nil {
		err = w.buf.Flush()
	}
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.discard()
		return segment{}, fmt.Errorf("%s: finish data file: %w", w.part, err)
	}
	seg := segment{path: w.file.Name(), size: w.size, records: w.segRows, set: w.segSet}
	if w.sha != nil {
		seg.sha256 = fmt.Sprintf("%x", w.sha.Sum(nil))
	}
	w.file, w.enc, w.size, w.segRows = nil, nil, 0, 0
	w.segSet = record.SetHash{}
	return seg, nil
}

// cut ends the open file as a segment for a checkpoint and returns it with the keys of
// its rows (16 bytes each; see reuseKeys); ok is false when no row was written since the
// last cut.
func (w *partWriter) cut() (seg segment, keys []byte, ok bool, err error) {
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

// reuseKeys gives back the keys cut returned, once they are stored, as the buffer for
// the next segment's keys.
func (w *partWriter) reuseKeys(keys []byte) {
	if w.segKeys == nil {
		w.segKeys = keys[:0]
	}
}

// finish ends the partition's data. It returns the staged file (with no path when the
// partition is empty): the open file itself, or the joined segments (checkpointed ones,
// fetched from the store when an earlier run staged them, then the open file).
func (w *partWriter) finish(ctx context.Context, st store.Store) (*staged, error) {
	if w.enc != nil {
		seg, err := w.closeFile()
		if err != nil {
			return nil, err
		}
		w.segs = append(w.segs, seg)
		w.segKeys = nil
	}
	_ = w.keys.Close() // no record is added after finish; a leftover spill file goes with the run's temp dir
	out := &staged{counts: w.counts, contentHash: w.set.String()}
	if w.join == nil {
		switch {
		case len(w.segs) == 0:
			return out, nil
		case len(w.segs) == 1 && w.segs[0].path != "":
			seg := w.segs[0]
			w.segs = nil
			out.path, out.size, out.sha256 = seg.path, seg.size, seg.sha256
			return out, nil
		}
	}
	if err := w.joinSegments(ctx, st); err != nil {
		return nil, fmt.Errorf("%s: %w", w.part, err)
	}
	j := w.join
	w.join = nil
	path, size, sha, err := j.finish()
	if err != nil {
		w.discard()
		return nil, fmt.Errorf("%s: %w", w.part, err)
	}
	out.path, out.size, out.sha256 = path, size, sha
	return out, nil
}

// joinSegments hands the finished segments to the joiner, starting it if need be.
func (w *partWriter) joinSegments(ctx context.Context, st store.Store) error {
	if w.join == nil {
		j, err := startJoin(ctx, st, w.dir, w.format)
		if err != nil {
			return err
		}
		w.join = j
	}
	w.join.add(w.segs...)
	w.segs = nil
	return nil
}

// removeSegments deletes the local copies of the segments not handed to the joiner
// (staged copies stay until the window's checkpoint is deleted).
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
	_ = w.stop()       // the partition is being dropped; its encoding error no longer matters
	_ = w.keys.Close() // best effort, as for the other scratch files
	if w.join != nil {
		w.join.abort()
		w.join = nil
	}
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

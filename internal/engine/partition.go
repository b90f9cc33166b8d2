package engine

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
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
	// Rejected records that could not be turned into rows (see metadata errors).
	Rejected int64 `json:"rejected"`
	// Written rows in the data file.
	Written int64 `json:"written"`
}

// partWriter stages one partition's rows in a local temp file while the window is
// extracted. It de-duplicates by key and accumulates the order-independent content hash.
type partWriter struct {
	part   layout.Partition
	shape  *shape
	dir    string
	format format.Format

	file   *os.File
	buf    *bufio.Writer
	sha    hash.Hash
	size   int64
	enc    format.Writer
	keys   map[[16]byte]struct{}
	set    record.SetHash
	counts Counts
	hasher record.Hasher
	row    record.Row
}

func newPartWriter(p layout.Partition, s *shape, dir string, f format.Format) *partWriter {
	return &partWriter{part: p, shape: s, dir: dir, format: f, keys: map[[16]byte]struct{}{}}
}

// add writes one extracted row (its declared and parent columns filled) unless its key
// was already written. It appends the system columns itself.
func (w *partWriter) add(row record.Row) error {
	w.counts.Fetched++
	sch := w.shape.out
	n := len(sch.Fields) - 2 // without _key and _hash
	dataSchema := sch
	dataSchema.Fields = sch.Fields[:n]
	key := w.hasher.Key(dataSchema, row[:n], w.shape.pk)
	if _, dup := w.keys[key]; dup {
		w.counts.Duplicates++
		return nil
	}
	w.keys[key] = struct{}{}
	sum := w.hasher.Sum(dataSchema, row[:n])
	w.set.Add(sum)
	if w.enc == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	w.row = append(append(w.row[:0], row[:n]...),
		record.Value{Kind: record.String, S: w.hasher.KeyText(dataSchema, row[:n], w.shape.pk)},
		record.Value{Kind: record.String, S: hex.EncodeToString(sum[:])})
	if err := w.enc.Write(w.row); err != nil {
		return fmt.Errorf("%s: encode: %w", w.part, err)
	}
	w.counts.Written++
	return nil
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
	return nil
}

// finish flushes the file. It returns the staged file (nil when the partition is empty).
func (w *partWriter) finish() (*staged, error) {
	if w.enc == nil {
		return &staged{counts: w.counts, contentHash: w.set.String()}, nil
	}
	err := w.enc.Close()
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
		path: name, size: w.size, sha256: hex.EncodeToString(w.sha.Sum(nil)),
		counts: w.counts, contentHash: w.set.String(),
	}, nil
}

// discard removes the temp file.
func (w *partWriter) discard() {
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

package snapshot

import (
	"encoding/hex"
	"fmt"
	"io"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// Writer streams the records of one capture into a snapshot file. It is not safe for
// concurrent use.
type Writer struct {
	w      format.Writer
	data   schema.Schema
	row    record.Row
	paths  []string
	absent []record.Value
	rows   int64
	set    record.SetHash
}

// NewWriter returns a Writer of a snapshot file of records shaped by data, written to w
// as zstd Parquet with opt. The file's schema is data followed by the system columns
// _key, _hash and _absent. It fails when a data column is named like a system column.
func NewWriter(w io.Writer, data schema.Schema, opt format.ParquetOptions) (*Writer, error) {
	if err := checkDataSchema(data); err != nil {
		return nil, err
	}
	fw, err := format.NewParquet(w, FileSchema(data), opt)
	if err != nil {
		return nil, fmt.Errorf("snapshot writer: %w", err)
	}
	n := len(data.Fields)
	return &Writer{w: fw, data: data, row: make(record.Row, n+3)}, nil
}

// FileSchema returns the schema of a snapshot file whose data columns are data.
func FileSchema(data schema.Schema) schema.Schema {
	fields := make([]schema.Field, 0, len(data.Fields)+3)
	fields = append(fields, data.Fields...)
	fields = append(fields,
		schema.Field{Name: KeyColumn, Type: schema.String},
		schema.Field{Name: HashColumn, Type: schema.String},
		schema.Field{Name: AbsentColumn, Type: schema.List, Items: &schema.Field{Type: schema.String}})
	return schema.Schema{Fields: fields}
}

// checkDataSchema rejects data columns named like a system column of a snapshot or a
// diff file.
func checkDataSchema(data schema.Schema) error {
	for _, f := range data.Fields {
		if isSystemColumn(f.Name) {
			return fmt.Errorf("snapshot schema: column %q collides with a system column", f.Name)
		}
	}
	return nil
}

func isSystemColumn(name string) bool {
	switch name {
	case KeyColumn, HashColumn, AbsentColumn, ChangeColumn, PrevHashColumn, ChangedColumn:
		return true
	}
	return false
}

// Write appends one record: row aligned with the data schema, its key text and its
// content hash (as record.Hasher.Identify gives them). Absent values are recorded in _absent
// by dotted path. Write copies what it keeps, as format.Writer.Write does.
func (w *Writer) Write(row record.Row, key string, hash [16]byte) error {
	if len(row) != len(w.data.Fields) {
		return fmt.Errorf("snapshot write: row has %d values, schema has %d fields", len(row), len(w.data.Fields))
	}
	n := copy(w.row, row)
	w.row[n] = record.Value{Kind: record.String, S: key}
	var hx [32]byte
	hex.Encode(hx[:], hash[:])
	w.row[n+1] = record.Value{Kind: record.String, S: string(hx[:])}
	w.paths = appendAbsent(w.paths[:0], w.data.Fields, row, "")
	if len(w.paths) == 0 {
		w.row[n+2] = record.Value{Kind: record.Null}
	} else {
		w.absent = w.absent[:0]
		for _, p := range w.paths {
			w.absent = append(w.absent, record.Value{Kind: record.String, S: p})
		}
		w.row[n+2] = record.Value{Kind: record.List, L: w.absent}
	}
	if err := w.w.Write(w.row); err != nil {
		return fmt.Errorf("snapshot write: %w", err)
	}
	w.rows++
	w.set.Add(hash)
	return nil
}

// Close flushes the file's last row group and footer. It does not close the io.Writer.
func (w *Writer) Close() error {
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("snapshot close: %w", err)
	}
	return nil
}

// Rows returns how many records were written.
func (w *Writer) Rows() int64 { return w.rows }

// ContentHash returns the order-independent digest of the written records' content
// hashes (record.SetHash), as 32 hex digits.
func (w *Writer) ContentHash() string { return w.set.String() }

// Package format encodes and decodes the data files sluice writes: Parquet (zstd) and
// JSON Lines, streaming, in bounded memory, from rows typed by a schema.
package format

import (
	"fmt"
	"io"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// Format names a file format.
type Format string

// The formats sluice writes.
const (
	Parquet Format = "parquet"
	JSONL   Format = "jsonl"
)

// Parse returns the Format named s ("parquet", "jsonl" or "json").
func Parse(s string) (Format, error) {
	switch s {
	case "parquet":
		return Parquet, nil
	case "jsonl", "json":
		return JSONL, nil
	}
	return "", fmt.Errorf("unknown format %q (use parquet or jsonl)", s)
}

// Ext returns the file extension without the dot: "parquet" or "jsonl".
func (f Format) Ext() string { return string(f) }

// Writer encodes rows of one schema to an io.Writer.
type Writer interface {
	// Write appends one row, its values aligned with the schema's fields. Write copies
	// what it keeps: once it returns, the caller may reuse the row and release or
	// overwrite any memory the row references, including the bytes behind its strings
	// (which may point into a pooled response body).
	Write(row record.Row) error
	// Close flushes buffered rows and the file footer. It does not close the io.Writer.
	Close() error
}

// New returns a Writer of format f for rows of s: Parquet with opt, or JSON Lines (which
// has no options).
func New(f Format, w io.Writer, s schema.Schema, opt ParquetOptions) (Writer, error) {
	switch f {
	case Parquet:
		return NewParquet(w, s, opt)
	case JSONL:
		return NewJSONL(w, s), nil
	}
	return nil, fmt.Errorf("unknown format %q (use parquet or jsonl)", f)
}

package snapshot

import (
	"encoding/hex"
	"fmt"
	"io"
	"iter"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// Record is one record of a snapshot file.
type Record struct {
	// Row holds the data values aligned with the data schema, with Absent restored
	// from _absent.
	Row record.Row
	// Key is the _key text.
	Key string
	// Hash is the decoded _hash.
	Hash [16]byte
}

// Read opens the snapshot file in r (size bytes) and returns its data schema (the file's
// columns without the system columns) and its records in file order. A file without
// _absent has nothing absent; a file without _key or _hash is an error. The sequence
// yields at most one error, after which it stops.
func Read(r io.ReaderAt, size int64) (schema.Schema, iter.Seq2[Record, error], error) {
	full, rows, err := format.ReadParquet(r, size)
	if err != nil {
		return schema.Schema{}, nil, fmt.Errorf("read snapshot: %w", err)
	}
	cols, err := systemColumnsOf(full)
	if err != nil {
		return schema.Schema{}, nil, fmt.Errorf("read snapshot: %w", err)
	}
	data := cols.data(full)
	idx := newAbsentIndex(data.Fields)
	seq := func(yield func(Record, error) bool) {
		for row, err := range rows {
			if err != nil {
				yield(Record{}, fmt.Errorf("read snapshot: %w", err))
				return
			}
			rec, err := cols.split(row, idx)
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
	return data, seq, nil
}

// systemColumns locates the system columns among a file's top-level fields; absent is
// -1 when the file has no _absent column.
type systemColumns struct {
	key, hash, absent int
}

func systemColumnsOf(full schema.Schema) (systemColumns, error) {
	c := systemColumns{key: full.Index(KeyColumn), hash: full.Index(HashColumn), absent: full.Index(AbsentColumn)}
	for _, col := range []struct {
		name string
		i    int
	}{{KeyColumn, c.key}, {HashColumn, c.hash}} {
		if col.i < 0 {
			return c, fmt.Errorf("no %s column: not a snapshot file", col.name)
		}
		if t := full.Fields[col.i].Type; t != schema.String && t != schema.JSON {
			return c, fmt.Errorf("column %s is %s, want string", col.name, t)
		}
	}
	if c.absent >= 0 {
		f := full.Fields[c.absent]
		if f.Type != schema.List || f.Items == nil || f.Items.Type != schema.String {
			return c, fmt.Errorf("column %s is not a list of strings", AbsentColumn)
		}
	}
	return c, nil
}

// data returns full without the system columns.
func (c systemColumns) data(full schema.Schema) schema.Schema {
	var fields []schema.Field
	for i, f := range full.Fields {
		if i != c.key && i != c.hash && i != c.absent {
			fields = append(fields, f)
		}
	}
	return schema.Schema{Fields: fields}
}

// split separates a full row into its data values and system values.
func (c systemColumns) split(row record.Row, idx absentIndex) (Record, error) {
	rec := Record{Row: make(record.Row, 0, len(row))}
	for i, v := range row {
		if i != c.key && i != c.hash && i != c.absent {
			rec.Row = append(rec.Row, v)
		}
	}
	if k := row[c.key]; !k.IsNull() {
		rec.Key = k.S
	} else {
		return rec, fmt.Errorf("null %s", KeyColumn)
	}
	h, err := parseHash(row[c.hash])
	if err != nil {
		return rec, err
	}
	rec.Hash = h
	if c.absent >= 0 {
		for _, p := range row[c.absent].L {
			idx.restore(rec.Row, p.S)
		}
	}
	return rec, nil
}

// parseHash decodes a _hash value.
func parseHash(v record.Value) ([16]byte, error) {
	var h [16]byte
	if v.IsNull() {
		return h, fmt.Errorf("null %s", HashColumn)
	}
	if len(v.S) != 32 {
		return h, fmt.Errorf("%s %q is not 32 hex digits", HashColumn, v.S)
	}
	if _, err := hex.Decode(h[:], []byte(v.S)); err != nil {
		return h, fmt.Errorf("%s %q is not 32 hex digits", HashColumn, v.S)
	}
	return h, nil
}

package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// ReadParquet opens the Parquet file in r (size bytes) and returns its schema and its
// rows in file order. The schema is the one stored by NewParquet under
// SchemaMetadataKey; for files written by other tools it is derived from the Parquet
// schema (strings, ints, floats, bools, timestamps, dates, groups and LISTs). Parquet has
// no "absent": every missing value comes back as Null. The rows are read lazily; the
// sequence yields at most one error, after which it stops.
func ReadParquet(r io.ReaderAt, size int64) (schema.Schema, iter.Seq2[record.Row, error], error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return schema.Schema{}, nil, fmt.Errorf("open parquet: %w", err)
	}
	plan, err := readPlanOf(f)
	if err != nil {
		return schema.Schema{}, nil, fmt.Errorf("read parquet: %w", err)
	}
	return plan.schema, plan.rows(f), nil
}

// readPlan is a file's schema compiled for row assembly.
type readPlan struct {
	schema schema.Schema
	cols   []Column
	leaves int
}

func readPlanOf(f *parquet.File) (*readPlan, error) {
	root := f.Schema()
	var s schema.Schema
	if desc, ok := f.Lookup(SchemaMetadataKey); ok {
		if err := json.Unmarshal([]byte(desc), &s); err != nil {
			return nil, fmt.Errorf("stored schema: %w", err)
		}
	} else {
		fields, err := fieldsOfNodes(root.Fields(), "")
		if err != nil {
			return nil, err
		}
		s.Fields = fields
	}
	cols, err := CompileColumns(s, root)
	if err != nil {
		return nil, err
	}
	return &readPlan{schema: s, cols: cols, leaves: len(root.Columns())}, nil
}

// rows returns the lazy sequence of the file's rows.
func (p *readPlan) rows(f *parquet.File) iter.Seq2[record.Row, error] {
	return func(yield func(record.Row, error) bool) {
		a := newRowAssembler(p.leaves)
		buf := make([]parquet.Row, 128)
		for _, rg := range f.RowGroups() {
			rows := rg.Rows()
			for {
				n, err := rows.ReadRows(buf)
				for _, pr := range buf[:n] {
					row, aerr := a.assemble(p.cols, pr)
					if aerr != nil {
						rows.Close()
						yield(nil, aerr)
						return
					}
					if !yield(row, nil) {
						rows.Close()
						return
					}
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					rows.Close()
					yield(nil, fmt.Errorf("read rows: %w", err))
					return
				}
			}
			if err := rows.Close(); err != nil {
				yield(nil, fmt.Errorf("read rows: %w", err))
				return
			}
		}
	}
}

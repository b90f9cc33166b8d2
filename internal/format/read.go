package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

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
	cols   []readColumn
	leaves int
}

// readColumn is one field of the file: whether its node is optional and, for
// timestamps, the factor from the stored unit to microseconds (negative divides).
type readColumn struct {
	column
	optional bool
	scale    int64
	kids     []readColumn
	item     *readColumn
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
	p := &readPlan{schema: s}
	nodes := root.Fields()
	if len(nodes) != len(s.Fields) {
		return nil, fmt.Errorf("schema has %d fields, file has %d columns", len(s.Fields), len(nodes))
	}
	p.cols = make([]readColumn, len(nodes))
	for i, n := range nodes {
		c, err := compileRead(s.Fields[i], n, s.Fields[i].Name, &p.leaves)
		if err != nil {
			return nil, err
		}
		p.cols[i] = c
	}
	if want := len(root.Columns()); p.leaves != want {
		return nil, fmt.Errorf("schema has %d leaf columns, file has %d", p.leaves, want)
	}
	return p, nil
}

// compileRead pairs a schema field with the file's node for it.
func compileRead(f schema.Field, n parquet.Node, path string, next *int) (readColumn, error) {
	if n.Repeated() {
		return readColumn{}, fmt.Errorf("column %q: repeated fields outside a LIST are not supported", path)
	}
	c := readColumn{column: column{path: path, typ: f.Type, leaf: *next}, optional: n.Optional(), scale: 1}
	switch f.Type {
	case schema.Object:
		kids := n.Fields()
		if n.Leaf() || len(kids) != len(f.Fields) {
			return c, fmt.Errorf("column %q: not a group of %d fields", path, len(f.Fields))
		}
		for i, k := range kids {
			kc, err := compileRead(f.Fields[i], k, path+"."+f.Fields[i].Name, next)
			if err != nil {
				return c, err
			}
			c.kids = append(c.kids, kc)
		}
	case schema.List:
		elem, err := listElement(n, path)
		if err != nil {
			return c, err
		}
		if f.Items == nil {
			return c, fmt.Errorf("column %q: list without items", path)
		}
		ic, err := compileRead(*f.Items, elem, path+"[]", next)
		if err != nil {
			return c, err
		}
		c.item = &ic
	default:
		if !n.Leaf() {
			return c, fmt.Errorf("column %q: group where %s was expected", path, f.Type)
		}
		if f.Type == schema.Timestamp {
			c.scale = timestampScale(n.Type().LogicalType())
		}
		*next++
	}
	c.leaves = *next - c.leaf
	return c, nil
}

// listElement returns the element node of a standard three-level LIST group.
func listElement(n parquet.Node, path string) (parquet.Node, error) {
	if n.Leaf() || !isList(n) {
		return nil, fmt.Errorf("column %q: not a LIST", path)
	}
	rep := n.Fields()
	if len(rep) != 1 || !rep[0].Repeated() || rep[0].Leaf() || len(rep[0].Fields()) != 1 {
		return nil, fmt.Errorf("column %q: only three-level LISTs are supported", path)
	}
	return rep[0].Fields()[0], nil
}

// isList reports whether group n carries the LIST logical type.
func isList(n parquet.Node) bool {
	lt := n.Type().LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.ListType)
	return ok
}

// timestampScale returns the factor from a timestamp's unit to microseconds; negative
// means divide.
func timestampScale(lt *format.LogicalType) int64 {
	if lt == nil {
		return 1
	}
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok {
		return 1
	}
	switch ts.Unit.Value.(type) {
	case *format.MilliSeconds:
		return 1000
	case *format.NanoSeconds:
		return -1000
	}
	return 1
}

// rows returns the lazy sequence of the file's rows.
func (p *readPlan) rows(f *parquet.File) iter.Seq2[record.Row, error] {
	return func(yield func(record.Row, error) bool) {
		a := assembler{byCol: make([][]parquet.Value, p.leaves), pos: make([]int, p.leaves)}
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

package format

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// Column is one field of a Parquet file compiled for reading by CompileColumns. Leaf
// columns are numbered in file order; a field covers the Leaves leaf columns starting at
// Leaf (one for a scalar, all those below it for an object or a list).
type Column struct {
	Path   string // dotted field path; a list's elements add "[]"
	Type   schema.Type
	Leaf   int
	Leaves int

	optional bool
	scale    int64 // timestamps: stored unit to microseconds, negative divides; else 1
	kids     []Column
	item     *Column
}

// CompileColumns pairs the fields of s with the top-level nodes of the file schema
// root and returns one Column per field. It fails when their structures differ: a
// field count, a group for a scalar or the reverse, a list that is not a three-level
// LIST, a repeated field outside a LIST, or a different number of leaf columns.
func CompileColumns(s schema.Schema, root *parquet.Schema) ([]Column, error) {
	nodes := root.Fields()
	if len(nodes) != len(s.Fields) {
		return nil, fmt.Errorf("schema has %d fields, file has %d columns", len(s.Fields), len(nodes))
	}
	cols := make([]Column, len(nodes))
	next := 0
	for i, n := range nodes {
		c, err := compileRead(s.Fields[i], n, s.Fields[i].Name, &next)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	if want := len(root.Columns()); next != want {
		return nil, fmt.Errorf("schema has %d leaf columns, file has %d", next, want)
	}
	return cols, nil
}

// LeafColumns returns the scalar fields under cols (as returned by CompileColumns),
// indexed by leaf column.
func LeafColumns(cols []Column) []*Column {
	if len(cols) == 0 {
		return nil
	}
	last := &cols[len(cols)-1]
	out := make([]*Column, last.Leaf+last.Leaves)
	var walk func(c *Column)
	walk = func(c *Column) {
		switch {
		case c.item != nil:
			walk(c.item)
		case c.Type == schema.Object:
			for i := range c.kids {
				walk(&c.kids[i])
			}
		default:
			out[c.Leaf] = c
		}
	}
	for i := range cols {
		walk(&cols[i])
	}
	return out
}

// IntValue returns the value of a stored integer v of the Int, Date or Timestamp
// column c; a timestamp is converted from the file's unit to microseconds.
func (c *Column) IntValue(v int64) record.Value {
	switch c.Type {
	case schema.Date:
		return record.Value{Kind: record.Date, I: v}
	case schema.Timestamp:
		if c.scale > 0 {
			v *= c.scale
		} else {
			v /= -c.scale
		}
		return record.Value{Kind: record.Time, I: v}
	}
	return record.Value{Kind: record.Int, I: v}
}

// compileRead pairs a schema field with the file's node for it; next is the index of
// the field's first leaf column and is advanced past its leaves.
func compileRead(f schema.Field, n parquet.Node, path string, next *int) (Column, error) {
	if n.Repeated() {
		return Column{}, fmt.Errorf("column %q: repeated fields outside a LIST are not supported", path)
	}
	c := Column{Path: path, Type: f.Type, Leaf: *next, optional: n.Optional(), scale: 1}
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
	c.Leaves = *next - c.Leaf
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

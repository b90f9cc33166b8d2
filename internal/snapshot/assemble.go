package snapshot

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
	pformat "github.com/parquet-go/parquet-go/format"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// readCol is one field of a file compiled for assembly: its type, whether its node is
// optional, the range of leaf columns under it and, for timestamps, the factor from the
// stored unit to microseconds (negative divides).
type readCol struct {
	path     string
	typ      schema.Type
	optional bool
	leaf     int
	leaves   int
	scale    int64
	kids     []readCol
	item     *readCol
}

// compileCol pairs a schema field with its Parquet node; next is the index of the
// field's first leaf column and is advanced past its leaves.
func compileCol(f schema.Field, n parquet.Node, path string, next *int) (readCol, error) {
	if n.Repeated() {
		return readCol{}, fmt.Errorf("column %q: repeated fields outside a LIST are not supported", path)
	}
	c := readCol{path: path, typ: f.Type, optional: n.Optional(), leaf: *next, scale: 1}
	switch f.Type {
	case schema.Object:
		kids := n.Fields()
		if n.Leaf() || len(kids) != len(f.Fields) {
			return c, fmt.Errorf("column %q: not a group of %d fields", path, len(f.Fields))
		}
		for i, k := range kids {
			kc, err := compileCol(f.Fields[i], k, path+"."+f.Fields[i].Name, next)
			if err != nil {
				return c, err
			}
			c.kids = append(c.kids, kc)
		}
	case schema.List:
		rep := n.Fields()
		if n.Leaf() || len(rep) != 1 || !rep[0].Repeated() || rep[0].Leaf() || len(rep[0].Fields()) != 1 || f.Items == nil {
			return c, fmt.Errorf("column %q: only three-level LISTs are supported", path)
		}
		ic, err := compileCol(*f.Items, rep[0].Fields()[0], path+"[]", next)
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

// timestampScale returns the factor from a timestamp's unit to microseconds; negative
// means divide.
func timestampScale(lt *pformat.LogicalType) int64 {
	if lt == nil {
		return 1
	}
	ts, ok := lt.Value.(*pformat.TimestampType)
	if !ok {
		return 1
	}
	switch ts.Unit.Value.(type) {
	case *pformat.MilliSeconds:
		return 1000
	case *pformat.NanoSeconds:
		return -1000
	}
	return 1
}

// leafEntry is one level entry of a leaf column: its levels and, when defined, its
// value.
type leafEntry struct {
	rep, def byte
	v        record.Value
}

// assembler rebuilds the nested values of one row from the level entries of its leaf
// columns (the inverse of shredding).
type assembler struct {
	byLeaf [][]leafEntry
	pos    []int
}

func (a *assembler) reset(byLeaf [][]leafEntry) {
	a.byLeaf = byLeaf
	if len(a.pos) < len(byLeaf) {
		a.pos = make([]int, len(byLeaf))
	}
	clear(a.pos)
}

func (a *assembler) peek(leaf int) (*leafEntry, bool) {
	if a.pos[leaf] >= len(a.byLeaf[leaf]) {
		return nil, false
	}
	return &a.byLeaf[leaf][a.pos[leaf]], true
}

// skip consumes one entry from every leaf under c (a null or empty value occupies
// exactly one entry in each).
func (a *assembler) skip(c *readCol) {
	for i := c.leaf; i < c.leaf+c.leaves; i++ {
		a.pos[i]++
	}
}

// read rebuilds the value of c. def is the definition level at which c's parent is
// present, depth the number of enclosing lists.
func (a *assembler) read(c *readCol, def, depth int) (record.Value, error) {
	first, ok := a.peek(c.leaf)
	if !ok {
		return record.Value{}, fmt.Errorf("column %q: missing value", c.path)
	}
	if c.optional {
		if int(first.def) <= def {
			a.skip(c)
			return record.Value{Kind: record.Null}, nil
		}
		def++
	}
	switch c.typ {
	case schema.Object:
		kids := make([]record.Value, len(c.kids))
		for i := range c.kids {
			v, err := a.read(&c.kids[i], def, depth)
			if err != nil {
				return v, err
			}
			kids[i] = v
		}
		return record.Value{Kind: record.Object, L: kids}, nil
	case schema.List:
		if int(first.def) <= def {
			a.skip(c)
			return record.Value{Kind: record.List, L: []record.Value{}}, nil
		}
		var elems []record.Value
		for {
			e, err := a.read(c.item, def+1, depth+1)
			if err != nil {
				return e, err
			}
			elems = append(elems, e)
			next, ok := a.peek(c.leaf)
			if !ok || int(next.rep) < depth+1 {
				return record.Value{Kind: record.List, L: elems}, nil
			}
		}
	}
	a.pos[c.leaf]++
	return first.v, nil
}

// leafDecoder converts the values of one leaf column's pages to record values.
type leafDecoder struct {
	typ   schema.Type
	scale int64
	path  string
}

// leafDecoders returns the decoder of every leaf under cols, indexed by leaf.
func leafDecoders(cols []readCol, n int) []leafDecoder {
	out := make([]leafDecoder, n)
	var walk func(c *readCol)
	walk = func(c *readCol) {
		switch {
		case c.item != nil:
			walk(c.item)
		case c.typ == schema.Object:
			for i := range c.kids {
				walk(&c.kids[i])
			}
		default:
			out[c.leaf] = leafDecoder{typ: c.typ, scale: c.scale, path: c.path}
		}
	}
	for i := range cols {
		walk(&cols[i])
	}
	return out
}

// value returns the i-th value of page p as a record value, copying bytes.
func (d *leafDecoder) value(p *pageView, i int) (record.Value, error) {
	switch d.typ {
	case schema.String, schema.JSON:
		if p.kind != parquet.ByteArray {
			break
		}
		k := record.String
		if d.typ == schema.JSON {
			k = record.JSON
		}
		return record.Value{Kind: k, S: string(p.bytesAt(i))}, nil
	case schema.Bool:
		if p.kind != parquet.Boolean {
			break
		}
		if p.boolAt(i) {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case schema.Int, schema.Date, schema.Timestamp:
		if p.kind != parquet.Int64 && p.kind != parquet.Int32 {
			break
		}
		v := p.intAt(i)
		switch d.typ {
		case schema.Date:
			return record.Value{Kind: record.Date, I: v}, nil
		case schema.Timestamp:
			if d.scale > 0 {
				v *= d.scale
			} else {
				v /= -d.scale
			}
			return record.Value{Kind: record.Time, I: v}, nil
		}
		return record.Value{Kind: record.Int, I: v}, nil
	case schema.Float:
		if p.kind != parquet.Double && p.kind != parquet.Float {
			break
		}
		return record.Value{Kind: record.Float, F: p.floatAt(i)}, nil
	}
	return record.Value{}, fmt.Errorf("column %q: %s stored as %s", d.path, d.typ, p.kind)
}

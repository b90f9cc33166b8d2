package format

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// Entry is one level entry of a leaf column: its repetition and definition levels and,
// when it is defined down to the leaf, the stored value, of a type V chosen by the
// reader.
type Entry[V any] struct {
	Rep, Def byte
	Value    V
}

// Assembler rebuilds the nested values of one row from the level entries of its leaf
// columns (the inverse of shredding). It is not safe for concurrent use; its buffers
// are reused across rows.
type Assembler[V any] struct {
	byLeaf [][]Entry[V]
	pos    []int
	value  func(c *Column, v *V) (record.Value, error)
}

// NewAssembler returns an Assembler that turns the stored value v of an entry defined
// down to leaf column c into a record value with value; an error from value is
// returned by Read.
func NewAssembler[V any](value func(c *Column, v *V) (record.Value, error)) *Assembler[V] {
	return &Assembler[V]{value: value}
}

// Reset starts a row: byLeaf holds its entries indexed by leaf column, each column's in
// file order (a leaf of a column that is not read may have none). The Assembler reads
// byLeaf, without changing it, until the next Reset.
func (a *Assembler[V]) Reset(byLeaf [][]Entry[V]) {
	a.byLeaf = byLeaf
	if len(a.pos) < len(byLeaf) {
		a.pos = make([]int, len(byLeaf))
	}
	clear(a.pos)
}

// Read rebuilds the value of the top-level column c (one of those CompileColumns
// returned) for the current row: Null for a missing optional field, an empty List for
// a missing list. Each column is read at most once a row, in any order. It fails when
// an entry c needs is missing.
func (a *Assembler[V]) Read(c *Column) (record.Value, error) {
	return a.read(c, 0, 0)
}

func (a *Assembler[V]) peek(leaf int) (*Entry[V], bool) {
	if a.pos[leaf] >= len(a.byLeaf[leaf]) {
		return nil, false
	}
	return &a.byLeaf[leaf][a.pos[leaf]], true
}

// skip consumes one entry from every leaf under c (a null or empty value occupies
// exactly one entry in each).
func (a *Assembler[V]) skip(c *Column) {
	for i := c.Leaf; i < c.Leaf+c.Leaves; i++ {
		a.pos[i]++
	}
}

// read rebuilds the value of c. def is the definition level at which c's parent is
// present, depth the number of enclosing lists.
func (a *Assembler[V]) read(c *Column, def, depth int) (record.Value, error) {
	first, ok := a.peek(c.Leaf)
	if !ok {
		return record.Value{}, fmt.Errorf("column %q: missing value", c.Path)
	}
	if c.optional {
		if int(first.Def) <= def {
			a.skip(c)
			return record.Value{Kind: record.Null}, nil
		}
		def++
	}
	switch c.Type {
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
		if int(first.Def) <= def {
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
			next, ok := a.peek(c.Leaf)
			if !ok || int(next.Rep) < depth+1 {
				return record.Value{Kind: record.List, L: elems}, nil
			}
		}
	}
	a.pos[c.Leaf]++
	return a.value(c, &first.Value)
}

// rowAssembler rebuilds record rows from parquet.Row values; its buffers are reused
// across rows.
type rowAssembler struct {
	byCol [][]Entry[parquet.Value]
	asm   *Assembler[parquet.Value]
}

func newRowAssembler(leaves int) *rowAssembler {
	return &rowAssembler{byCol: make([][]Entry[parquet.Value], leaves), asm: NewAssembler(leafValue)}
}

func (a *rowAssembler) assemble(cols []Column, pr parquet.Row) (record.Row, error) {
	for i := range a.byCol {
		a.byCol[i] = a.byCol[i][:0]
	}
	for _, v := range pr {
		c := v.Column()
		if c < 0 || c >= len(a.byCol) {
			return nil, fmt.Errorf("value of unknown column %d", c)
		}
		a.byCol[c] = append(a.byCol[c], Entry[parquet.Value]{Rep: byte(v.RepetitionLevel()), Def: byte(v.DefinitionLevel()), Value: v})
	}
	a.asm.Reset(a.byCol)
	row := make(record.Row, len(cols))
	for i := range cols {
		v, err := a.asm.Read(&cols[i])
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

func leafValue(c *Column, v *parquet.Value) (record.Value, error) {
	switch c.Type {
	case schema.String:
		return record.Value{Kind: record.String, S: string(v.ByteArray())}, nil
	case schema.JSON:
		return record.Value{Kind: record.JSON, S: string(v.ByteArray())}, nil
	case schema.Bool:
		if v.Boolean() {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case schema.Int, schema.Timestamp, schema.Date:
		return c.IntValue(intOf(v)), nil
	case schema.Float:
		if v.Kind() == parquet.Float {
			return record.Value{Kind: record.Float, F: float64(v.Float())}, nil
		}
		return record.Value{Kind: record.Float, F: v.Double()}, nil
	}
	return record.Value{}, fmt.Errorf("column %q: unsupported type %s", c.Path, c.Type)
}

func intOf(v *parquet.Value) int64 {
	if v.Kind() == parquet.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

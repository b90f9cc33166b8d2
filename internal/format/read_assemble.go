package format

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// assembler rebuilds nested values from the leaf values of one Parquet row (the inverse
// of the shredder). byCol and pos are reused across rows.
type assembler struct {
	byCol [][]parquet.Value
	pos   []int
}

func (a *assembler) assemble(cols []readColumn, pr parquet.Row) (record.Row, error) {
	for i := range a.byCol {
		a.byCol[i] = a.byCol[i][:0]
		a.pos[i] = 0
	}
	for _, v := range pr {
		c := v.Column()
		if c < 0 || c >= len(a.byCol) {
			return nil, fmt.Errorf("value of unknown column %d", c)
		}
		a.byCol[c] = append(a.byCol[c], v)
	}
	row := make(record.Row, len(cols))
	for i := range cols {
		v, err := a.read(&cols[i], 0, 0)
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

// peek returns the next value of leaf column col, or false at the end of the row.
func (a *assembler) peek(col int) (parquet.Value, bool) {
	if a.pos[col] >= len(a.byCol[col]) {
		return parquet.Value{}, false
	}
	return a.byCol[col][a.pos[col]], true
}

// skip consumes one value from every leaf column under c (a null or empty value
// occupies exactly one slot in each).
func (a *assembler) skip(c *readColumn) {
	for i := c.leaf; i < c.leaf+c.leaves; i++ {
		a.pos[i]++
	}
}

// read rebuilds the value of c. def is the definition level at which c's parent is
// present, depth the number of enclosing lists.
func (a *assembler) read(c *readColumn, def, depth int) (record.Value, error) {
	first, ok := a.peek(c.leaf)
	if !ok {
		return record.Value{}, fmt.Errorf("column %q: missing value", c.path)
	}
	if c.optional {
		if first.DefinitionLevel() <= def {
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
		if first.DefinitionLevel() <= def {
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
			if !ok || next.RepetitionLevel() < depth+1 {
				return record.Value{Kind: record.List, L: elems}, nil
			}
		}
	}
	a.pos[c.leaf]++
	return leafValue(c, first)
}

func leafValue(c *readColumn, v parquet.Value) (record.Value, error) {
	switch c.typ {
	case schema.String:
		return record.Value{Kind: record.String, S: string(v.ByteArray())}, nil
	case schema.JSON:
		return record.Value{Kind: record.JSON, S: string(v.ByteArray())}, nil
	case schema.Bool:
		if v.Boolean() {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case schema.Int:
		return record.Value{Kind: record.Int, I: intOf(v)}, nil
	case schema.Float:
		if v.Kind() == parquet.Float {
			return record.Value{Kind: record.Float, F: float64(v.Float())}, nil
		}
		return record.Value{Kind: record.Float, F: v.Double()}, nil
	case schema.Timestamp:
		i := intOf(v)
		if c.scale > 0 {
			i *= c.scale
		} else {
			i /= -c.scale
		}
		return record.Value{Kind: record.Time, I: i}, nil
	case schema.Date:
		return record.Value{Kind: record.Date, I: intOf(v)}, nil
	}
	return record.Value{}, fmt.Errorf("column %q: unsupported type %s", c.path, c.typ)
}

func intOf(v parquet.Value) int64 {
	if v.Kind() == parquet.Int32 {
		return int64(v.Int32())
	}
	return v.Int64()
}

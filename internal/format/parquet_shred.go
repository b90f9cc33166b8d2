package format

import (
	"fmt"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// column is one schema field compiled for shredding: its leaf column range and children.
type column struct {
	path     string
	typ      schema.Type
	leaf     int // index of the first leaf column under this field
	leaves   int // number of leaf columns under this field
	children []column
	items    *column
}

// compileColumns assigns leaf column indexes depth-first, in schema order, which is the
// order of the columns in the Parquet schema built by parquetSchema.
func compileColumns(fields []schema.Field, prefix string, next *int) []column {
	cols := make([]column, len(fields))
	for i, f := range fields {
		cols[i] = compileColumn(f, prefix+f.Name, next)
	}
	return cols
}

func compileColumn(f schema.Field, path string, next *int) column {
	c := column{path: path, typ: f.Type, leaf: *next}
	switch f.Type {
	case schema.Object:
		c.children = compileColumns(f.Fields, path+".", next)
	case schema.List:
		items := compileColumn(*f.Items, path+"[]", next)
		c.items = &items
	default:
		*next++
	}
	c.leaves = *next - c.leaf
	return c
}

// shredder turns rows into Parquet column values (the Dremel encoding: each leaf value
// with its repetition and definition levels), accumulating them per leaf column.
type shredder struct {
	cols []column
	// values holds, per leaf column, the values of the rows shredded since the last
	// reset; whole rows only, as ColumnWriter.WriteRowValues requires.
	values [][]parquet.Value
	size   int64 // approximate bytes of values shredded since the row group began
}

func newShredder(s schema.Schema) *shredder {
	n := 0
	cols := compileColumns(s.Fields, "", &n)
	return &shredder{cols: cols, values: make([][]parquet.Value, n)}
}

// shred appends the values of row to the per-column buffers. On error the buffers may
// hold part of the row; the writer is unusable afterwards.
func (sh *shredder) shred(row record.Row) error {
	if len(row) != len(sh.cols) {
		return fmt.Errorf("row has %d values, schema has %d fields", len(row), len(sh.cols))
	}
	for i := range sh.cols {
		if err := sh.emit(&sh.cols[i], row[i], 0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// reset empties the per-column buffers, dropping references to string data.
func (sh *shredder) reset() {
	for i, vs := range sh.values {
		clear(vs)
		sh.values[i] = vs[:0]
	}
}

// emit appends the values of v for column c. rep is the repetition level of the first
// value, def the definition level of c's parent, depth the number of enclosing lists.
func (sh *shredder) emit(c *column, v record.Value, rep, def, depth int) error {
	if v.Kind == record.Absent || v.Kind == record.Null {
		sh.nulls(c, rep, def)
		return nil
	}
	def++
	var pv parquet.Value
	switch c.typ {
	case schema.String, schema.JSON:
		if v.Kind != record.String && v.Kind != record.JSON {
			return kindError(c, v)
		}
		// The string's bytes are copied by the column buffer; strings are immutable, so
		// aliasing them here is safe.
		pv = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(v.S), len(v.S)))
		sh.size += int64(len(v.S)) + 4
	case schema.Int:
		if v.Kind != record.Int {
			return kindError(c, v)
		}
		pv = parquet.Int64Value(v.I)
		sh.size += 8
	case schema.Float:
		switch v.Kind {
		case record.Float:
			pv = parquet.DoubleValue(v.F)
		case record.Int:
			pv = parquet.DoubleValue(float64(v.I))
		default:
			return kindError(c, v)
		}
		sh.size += 8
	case schema.Bool:
		if v.Kind != record.Bool {
			return kindError(c, v)
		}
		pv = parquet.BooleanValue(v.I == 1)
		sh.size++
	case schema.Timestamp:
		if v.Kind != record.Time {
			return kindError(c, v)
		}
		pv = parquet.Int64Value(v.I)
		sh.size += 8
	case schema.Date:
		if v.Kind != record.Date {
			return kindError(c, v)
		}
		pv = parquet.Int32Value(int32(v.I))
		sh.size += 4
	case schema.Object:
		if v.Kind != record.Object {
			return kindError(c, v)
		}
		for i := range c.children {
			var cv record.Value
			if i < len(v.L) {
				cv = v.L[i]
			}
			if err := sh.emit(&c.children[i], cv, rep, def, depth); err != nil {
				return err
			}
		}
		return nil
	case schema.List:
		if v.Kind != record.List {
			return kindError(c, v)
		}
		if len(v.L) == 0 {
			sh.nulls(c.items, rep, def)
			return nil
		}
		for i, e := range v.L {
			r := rep
			if i > 0 {
				r = depth + 1
			}
			if err := sh.emit(c.items, e, r, def+1, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	sh.push(pv, rep, def, c.leaf)
	return nil
}

// push appends pv with its levels to leaf column col. The pointer setters inline,
// unlike Value.Level.
func (sh *shredder) push(pv parquet.Value, rep, def, col int) {
	vs := append(sh.values[col], pv)
	last := &vs[len(vs)-1]
	last.SetRepetitionLevel(rep)
	last.SetDefinitionLevel(def)
	last.SetColumnIndex(col)
	sh.values[col] = vs
}

// nulls appends one null at the given levels to every leaf column under c.
func (sh *shredder) nulls(c *column, rep, def int) {
	for i := c.leaf; i < c.leaf+c.leaves; i++ {
		sh.push(parquet.Value{}, rep, def, i)
	}
}

func kindError(c *column, v record.Value) error {
	return fmt.Errorf("field %q of type %s: unexpected value kind %d", c.path, c.typ, v.Kind)
}

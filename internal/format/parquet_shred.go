package format

import (
	"fmt"
	"slices"

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
//
// String bytes are copied into the shredder's arena as rows are shredded, so the values
// never point into the caller's memory: a row's strings may be overwritten or released
// as soon as shred returns.
type shredder struct {
	cols []column
	// values holds, per leaf column, the values of the rows shredded since the last
	// reset; whole rows only, as ColumnWriter.WriteRowValues requires.
	values [][]parquet.Value
	// ends holds, per leaf column, where each completed batch of rows ends in values.
	ends [][]int
	// arena holds the string bytes the values point to. The column writers copy them
	// when the values are written, so the arena is reused after every reset.
	arena []byte
	size  int64 // approximate bytes of values shredded since the batch was last handed over
}

// arenaSize is the initial capacity of the string arena, a batch of typical rows;
// maxArena the largest capacity kept from one batch to the next.
const (
	arenaSize = 64 << 10
	maxArena  = 4 << 20
)

func newShredder(s schema.Schema) *shredder {
	n := 0
	cols := compileColumns(s.Fields, "", &n)
	values := make([][]parquet.Value, n)
	for i := range values {
		values[i] = make([]parquet.Value, 0, batchRows)
	}
	return &shredder{cols: cols, values: values, ends: make([][]int, n), arena: make([]byte, 0, arenaSize)}
}

// endBatch marks the rows shredded since the previous mark as one batch.
func (sh *shredder) endBatch() {
	for i, vs := range sh.values {
		sh.ends[i] = append(sh.ends[i], len(vs))
	}
}

// batches returns the number of completed batches.
func (sh *shredder) batches() int { return len(sh.ends[0]) }

// valueCount returns the number of values shredded since the last reset.
func (sh *shredder) valueCount() int {
	n := 0
	for _, vs := range sh.values {
		n += len(vs)
	}
	return n
}

// shred appends the values of row to the per-column buffers. On error the buffers may
// hold part of the row; the writer is unusable afterwards.
func (sh *shredder) shred(row record.Row) error {
	if len(row) != len(sh.cols) {
		return fmt.Errorf("row has %d values, schema has %d fields", len(row), len(sh.cols))
	}
	for i := range sh.cols {
		if err := sh.emit(&sh.cols[i], &row[i], 0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// reset empties the per-column buffers and the arena. The values left beyond the
// buffers' lengths point only into the arena, never into caller memory. An arena grown
// far past its usual size by a batch of huge strings is dropped rather than kept.
func (sh *shredder) reset() {
	for i, vs := range sh.values {
		sh.values[i] = vs[:0]
		sh.ends[i] = sh.ends[i][:0]
	}
	if cap(sh.arena) > maxArena {
		sh.arena = make([]byte, 0, arenaSize)
	}
	sh.arena = sh.arena[:0]
}

// bytes copies s into the arena and returns the copy. When the arena grows, values
// already shredded keep pointing into the previous array, which stays valid.
func (sh *shredder) bytes(s string) []byte {
	start := len(sh.arena)
	sh.arena = append(sh.arena, s...)
	return sh.arena[start:len(sh.arena):len(sh.arena)]
}

// emit appends the values of v for column c. rep is the repetition level of the first
// value, def the definition level of c's parent, depth the number of enclosing lists.
// v is passed by pointer: a record.Value is 64 bytes.
func (sh *shredder) emit(c *column, v *record.Value, rep, def, depth int) error {
	if v.Kind == record.Absent || v.Kind == record.Null {
		sh.nulls(c, rep, def)
		return nil
	}
	switch c.typ {
	case schema.Object:
		if v.Kind != record.Object {
			return kindError(c, v)
		}
		var absent record.Value
		for i := range c.children {
			cv := &absent
			if i < len(v.L) {
				cv = &v.L[i]
			}
			if err := sh.emit(&c.children[i], cv, rep, def+1, depth); err != nil {
				return err
			}
		}
		return nil
	case schema.List:
		if v.Kind != record.List {
			return kindError(c, v)
		}
		if len(v.L) == 0 {
			sh.nulls(c.items, rep, def+1)
			return nil
		}
		for i := range v.L {
			r := rep
			if i > 0 {
				r = depth + 1
			}
			if err := sh.emit(c.items, &v.L[i], r, def+2, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return sh.leaf(c, v, rep, def+1)
}

// leaf appends the one value of a non-null scalar v, with its levels, to c's column.
// The value is built in place in its slot: building it on the stack and appending it
// stalls on store forwarding.
func (sh *shredder) leaf(c *column, v *record.Value, rep, def int) error {
	var pv *parquet.Value
	switch c.typ {
	case schema.String, schema.JSON:
		if v.Kind != record.String && v.Kind != record.JSON {
			return kindError(c, v)
		}
		b := sh.bytes(v.S)
		pv = sh.slot(c.leaf)
		*pv = parquet.ByteArrayValue(b)
		sh.size += int64(len(v.S)) + 4
	case schema.Int, schema.Timestamp:
		want := record.Int
		if c.typ == schema.Timestamp {
			want = record.Time
		}
		if v.Kind != want {
			return kindError(c, v)
		}
		pv = sh.slot(c.leaf)
		*pv = parquet.Int64Value(v.I)
		sh.size += 8
	case schema.Float:
		f := v.F
		switch v.Kind {
		case record.Float:
		case record.Int:
			f = float64(v.I)
		default:
			return kindError(c, v)
		}
		pv = sh.slot(c.leaf)
		*pv = parquet.DoubleValue(f)
		sh.size += 8
	case schema.Bool:
		if v.Kind != record.Bool {
			return kindError(c, v)
		}
		pv = sh.slot(c.leaf)
		*pv = parquet.BooleanValue(v.I == 1)
		sh.size++
	case schema.Date:
		if v.Kind != record.Date {
			return kindError(c, v)
		}
		pv = sh.slot(c.leaf)
		*pv = parquet.Int32Value(int32(v.I))
		sh.size += 4
	default:
		return kindError(c, v)
	}
	pv.SetRepetitionLevel(rep)
	pv.SetDefinitionLevel(def)
	pv.SetColumnIndex(c.leaf)
	return nil
}

// slot appends a zero value to leaf column col and returns a pointer to it.
func (sh *shredder) slot(col int) *parquet.Value {
	vs := sh.values[col]
	if len(vs) == cap(vs) {
		vs = slices.Grow(vs, 1)
	}
	vs = vs[:len(vs)+1]
	sh.values[col] = vs
	return &vs[len(vs)-1]
}

// nulls appends one null at the given levels to every leaf column under c.
func (sh *shredder) nulls(c *column, rep, def int) {
	for i := c.leaf; i < c.leaf+c.leaves; i++ {
		pv := sh.slot(i)
		*pv = parquet.Value{}
		pv.SetRepetitionLevel(rep)
		pv.SetDefinitionLevel(def)
		pv.SetColumnIndex(i)
	}
}

func kindError(c *column, v *record.Value) error {
	return fmt.Errorf("field %q of type %s: unexpected value kind %d", c.path, c.typ, v.Kind)
}

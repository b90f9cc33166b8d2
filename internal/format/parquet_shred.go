package format

import (
	"fmt"

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
// with its repetition and definition levels), appending them to the open page of each
// leaf column. String bytes are copied into the pages, so a row's strings may be
// overwritten or released as soon as shred returns.
type shredder struct {
	cols   []column
	leaves []leafColumn
	pages  []*leafPage   // the open page of each leaf column
	dicts  []*dictionary // the dictionary of each byte-array leaf column; nil for others
	// size counts the bytes of values shredded since the row group began.
	size int64
	// full is set when a page reaches pageSize; the writer cuts it at the row's end.
	full bool
}

func newShredder(s schema.Schema, leaves []leafColumn, pool *pagePool) (*shredder, error) {
	n := 0
	cols := compileColumns(s.Fields, "", &n)
	if n != len(leaves) {
		return nil, fmt.Errorf("schema has %d leaf columns, the Parquet schema %d", n, len(leaves))
	}
	pages := make([]*leafPage, n)
	dicts := make([]*dictionary, n)
	for i := range pages {
		pages[i] = pool.page(i)
		if leaves[i].kind == byteArrayLeaf {
			dicts[i] = pool.dict(i)
		}
	}
	return &shredder{cols: cols, leaves: leaves, pages: pages, dicts: dicts}, nil
}

// shred appends the values of row to the open pages. On error the pages may hold part
// of the row; the writer is unusable afterwards.
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

// maxPageValues bounds the bytes of values in one page: Parquet page sizes are 32-bit.
// Pages are cut at pageSize, so only a single enormous row could come near it.
const maxPageValues = 1 << 30

// leaf appends the one value of a non-null scalar v, with its levels, to c's page.
func (sh *shredder) leaf(c *column, v *record.Value, rep, def int) error {
	pg := sh.pages[c.leaf]
	var n int64
	switch c.typ {
	case schema.String, schema.JSON:
		if v.Kind != record.String && v.Kind != record.JSON {
			return kindError(c, v)
		}
		n = int64(len(v.S)) + 4
		if d := sh.dicts[c.leaf]; d.on {
			if k, ok := d.index(v.S); ok {
				pg.idx = append(pg.idx, k)
				break
			}
			d.drop(pg)
		}
		if len(pg.data)+len(v.S) > maxPageValues {
			return fmt.Errorf("field %q: %d bytes of strings do not fit in one Parquet page", c.path, len(pg.data)+len(v.S))
		}
		pg.data = append(pg.data, v.S...)
		pg.offs = append(pg.offs, uint32(len(pg.data)))
	case schema.Int, schema.Timestamp:
		want := record.Int
		if c.typ == schema.Timestamp {
			want = record.Time
		}
		if v.Kind != want {
			return kindError(c, v)
		}
		pg.ints = append(pg.ints, v.I)
		n = 8
	case schema.Float:
		f := v.F
		switch v.Kind {
		case record.Float:
		case record.Int:
			f = float64(v.I)
		default:
			return kindError(c, v)
		}
		pg.floats = append(pg.floats, f)
		n = 8
	case schema.Bool:
		if v.Kind != record.Bool {
			return kindError(c, v)
		}
		pg.bools = append(pg.bools, v.I == 1)
		n = 1
	case schema.Date:
		if v.Kind != record.Date {
			return kindError(c, v)
		}
		pg.ints = append(pg.ints, int64(int32(v.I)))
		n = 4
	default:
		return kindError(c, v)
	}
	sh.level(pg, c.leaf, rep, def)
	pg.size += n
	sh.size += n
	if pg.size >= pageSize {
		sh.full = true
	}
	return nil
}

// level appends the levels of one slot of leaf column col.
func (sh *shredder) level(pg *leafPage, col, rep, def int) {
	pg.def = append(pg.def, byte(def))
	if sh.leaves[col].maxRep > 0 {
		pg.rep = append(pg.rep, byte(rep))
	}
	if rep == 0 {
		pg.rows++
	}
}

// nulls appends one null at the given levels to every leaf column under c. A null
// counts as one byte towards the page and row group sizes, so columns of nulls too
// have their pages cut.
func (sh *shredder) nulls(c *column, rep, def int) {
	for i := c.leaf; i < c.leaf+c.leaves; i++ {
		pg := sh.pages[i]
		pg.nulls++
		sh.level(pg, i, rep, def)
		pg.size++
		if pg.size >= pageSize {
			sh.full = true
		}
	}
	sh.size += int64(c.leaves)
}

func kindError(c *column, v *record.Value) error {
	return fmt.Errorf("field %q of type %s: unexpected value kind %d", c.path, c.typ, v.Kind)
}

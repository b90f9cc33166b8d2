package format

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
	pformat "github.com/parquet-go/parquet-go/format"
)

// leafKind is the physical type of a leaf column, which also fixes its value encoding.
type leafKind uint8

const (
	byteArrayLeaf leafKind = iota // BYTE_ARRAY, DELTA_LENGTH_BYTE_ARRAY
	int64Leaf                     // INT64, DELTA_BINARY_PACKED
	int32Leaf                     // INT32, DELTA_BINARY_PACKED
	doubleLeaf                    // DOUBLE, PLAIN
	boolLeaf                      // BOOLEAN, PLAIN
)

// physical returns the Parquet physical type of the kind.
func (k leafKind) physical() pformat.Type {
	switch k {
	case byteArrayLeaf:
		return pformat.ByteArray
	case int64Leaf:
		return pformat.Int64
	case int32Leaf:
		return pformat.Int32
	case doubleLeaf:
		return pformat.Double
	}
	return pformat.Boolean
}

// encoding returns the encoding of the kind's values.
func (k leafKind) encoding() pformat.Encoding {
	switch k {
	case byteArrayLeaf:
		return pformat.DeltaLengthByteArray
	case int64Leaf, int32Leaf:
		return pformat.DeltaBinaryPacked
	}
	return pformat.Plain
}

// leafColumn describes one leaf column of a file: its path, kind and maximum levels.
type leafColumn struct {
	path   []string
	kind   leafKind
	maxDef byte
	maxRep byte
}

// parquetLeaves returns the leaf columns of ps in file order.
func parquetLeaves(ps *parquet.Schema) ([]leafColumn, error) {
	paths := ps.Columns()
	leaves := make([]leafColumn, len(paths))
	for _, path := range paths {
		l, ok := ps.Lookup(path...)
		if !ok || l.ColumnIndex < 0 || l.ColumnIndex >= len(leaves) {
			return nil, fmt.Errorf("column %v not found in the schema", path)
		}
		var k leafKind
		switch kind := l.Node.Type().Kind(); kind {
		case parquet.ByteArray:
			k = byteArrayLeaf
		case parquet.Int64:
			k = int64Leaf
		case parquet.Int32:
			k = int32Leaf
		case parquet.Double:
			k = doubleLeaf
		case parquet.Boolean:
			k = boolLeaf
		default:
			return nil, fmt.Errorf("column %v: physical type %s is not written", path, kind)
		}
		leaves[l.ColumnIndex] = leafColumn{path: path, kind: k, maxDef: byte(l.MaxDefinitionLevel), maxRep: byte(l.MaxRepetitionLevel)}
	}
	return leaves, nil
}

// leafPage is the open data page of one leaf column: the levels of every value slot
// and the non-null values, appended by the shredder, not yet encoded. String bytes are
// copied into data, so a page never points into the caller's rows.
type leafPage struct {
	rep    []byte // repetition level per slot, only for repeated columns
	def    []byte // definition level per slot
	ints   []int64
	floats []float64
	bools  []bool
	offs   []uint32 // byte arrays: offs[i] and offs[i+1] delimit value i in data
	data   []byte
	idx    []int32 // byte arrays while the chunk's dictionary is on: value indexes
	// dict, set when the page is cut, is its chunk's dictionary entries for a page of
	// indexes; nil for a page of values.
	dict  []string
	rows  int   // rows that begin in the page
	nulls int   // null slots
	size  int64 // bytes of values, the measure pages are cut by
}

// reset empties the page for reuse.
func (pg *leafPage) reset() {
	*pg = leafPage{
		rep: pg.rep[:0], def: pg.def[:0], ints: pg.ints[:0], floats: pg.floats[:0],
		bools: pg.bools[:0], offs: append(pg.offs[:0], 0), data: pg.data[:0], idx: pg.idx[:0],
	}
}

// capBytes returns the memory the page's buffers hold.
func (pg *leafPage) capBytes() int {
	return cap(pg.rep) + cap(pg.def) + 8*cap(pg.ints) + 8*cap(pg.floats) + cap(pg.bools) + 4*cap(pg.offs) + cap(pg.data) + 4*cap(pg.idx)
}

// slots returns the number of value slots, nulls included.
func (pg *leafPage) slots() int { return len(pg.def) }

package snapshot

import (
	"fmt"
	"io"
	"math/bits"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// File is one snapshot file to compare: its bytes and a name for messages (a path or
// an s3:// address).
type File struct {
	Name string
	R    io.ReaderAt
	Size int64
}

// side is one opened input of a diff.
type side struct {
	name      string
	f         *parquet.File
	full      schema.Schema // the file's columns, system columns included
	data      schema.Schema // without the system columns
	sys       systemColumns
	cols      []format.Column // compiled top-level columns of full
	absentIdx absentIndex
	leaves    []leafInfo
	rgFirst   []int64 // ordinal of the first row of each row group
	rows      int64

	keyLeaf, hashLeaf int
	// flat marks the top-level columns that are scalars outside any list: one leaf
	// entry per row. nestedLeaves lists the leaves of the other columns.
	flat         []bool
	nestedLeaves []int
	needed       bitmap // ordinals whose full rows are fetched

	dups  atomic.Int64
	kept  int64
	hash  record.SetHash
	store *partStore // entries by bucket (phase 1), then rows by bucket (phase 3)
}

// openSide opens a snapshot file and locates its system columns. Errors name the file.
func openSide(in File) (*side, error) {
	s, err := openSideErr(in)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", in.Name, err)
	}
	return s, nil
}

func openSideErr(in File) (*side, error) {
	full, _, err := format.ReadParquet(in.R, in.Size)
	if err != nil {
		return nil, err
	}
	f, err := parquet.OpenFile(in.R, in.Size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("open parquet: %w", err)
	}
	sys, err := systemColumnsOf(full)
	if err != nil {
		return nil, err
	}
	s := &side{name: in.Name, f: f, full: full, sys: sys, data: sys.data(full), leaves: leavesOf(f), rows: f.NumRows()}
	if s.cols, err = format.CompileColumns(full, f.Schema()); err != nil {
		return nil, err
	}
	for _, c := range []struct {
		name string
		col  int
		leaf *int
	}{{KeyColumn, sys.key, &s.keyLeaf}, {HashColumn, sys.hash, &s.hashLeaf}} {
		rc := s.cols[c.col]
		if rc.Leaves != 1 || s.leaves[rc.Leaf].maxRep != 0 {
			return nil, fmt.Errorf("column %s is not a plain string column", c.name)
		}
		*c.leaf = rc.Leaf
	}
	var first int64
	for _, rg := range f.RowGroups() {
		s.rgFirst = append(s.rgFirst, first)
		first += rg.NumRows()
	}
	s.flat = make([]bool, len(s.cols))
	for ci := range s.cols {
		c := &s.cols[ci]
		s.flat[ci] = c.Leaves == 1 && s.leaves[c.Leaf].maxRep == 0 && c.Type != schema.Object && c.Type != schema.List
		if !s.flat[ci] {
			for leaf := c.Leaf; leaf < c.Leaf+c.Leaves; leaf++ {
				s.nestedLeaves = append(s.nestedLeaves, leaf)
			}
		}
	}
	s.needed = newBitmap(s.rows)
	s.absentIdx = newAbsentIndex(s.data.Fields)
	return s, nil
}

// bitmap is a set of row ordinals, safe for concurrent adds.
type bitmap []uint64

func newBitmap(n int64) bitmap { return make(bitmap, (n+63)/64) }

func (b bitmap) add(i int64) { atomic.OrUint64(&b[i>>6], 1<<(uint(i)&63)) }

func (b bitmap) has(i int64) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }

// count returns how many ordinals in [from, to) are set.
func (b bitmap) count(from, to int64) int {
	n := 0
	for i := from; i < to; {
		if i&63 == 0 && i+64 <= to {
			n += bits.OnesCount64(b[i>>6])
			i += 64
			continue
		}
		if b.has(i) {
			n++
		}
		i++
	}
	return n
}

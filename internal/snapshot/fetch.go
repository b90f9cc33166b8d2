package snapshot

import (
	"fmt"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
)

// fetcher reads the full rows of the needed ordinals of row groups and appends them,
// encoded, to the buckets of their keys. One fetcher belongs to one worker; its buffers
// are reused across row groups.
//
// The values of flat data columns (scalars outside any list, one entry per row) are
// encoded as they are read, column by column; the other columns are collected as level
// entries and assembled row by row.
type fetcher struct {
	shift   uint
	needed  []int
	entries [][]leafEntry // per leaf: the entries of the needed rows
	starts  [][]int       // per leaf: where each needed row's entries start
	enc     [][]byte      // per flat data leaf: the encoded values of the needed rows
	ends    [][]int32     // per flat data leaf: where each needed row's value ends
	byLeaf  [][]leafEntry
	asm     *format.Assembler[record.Value]
	row     record.Row // the data values of the row being encoded, reused
	text    textArena  // the strings of collected values
	out     map[*side]*bucketBuffers
	decs    map[*side][]*format.Column // per leaf
}

// fetchRowGroup fetches the needed rows of row group g of s.
func (ft *fetcher) fetchRowGroup(s *side, g int) error {
	rg := s.f.RowGroups()[g]
	first, n := s.rgFirst[g], rg.NumRows()
	ft.needed = ft.needed[:0]
	for r := range n {
		if s.needed.has(first + r) {
			ft.needed = append(ft.needed, int(r))
		}
	}
	if len(ft.needed) == 0 {
		return nil
	}
	nl := len(s.leaves)
	for len(ft.entries) < nl {
		ft.entries = append(ft.entries, nil)
		ft.starts = append(ft.starts, nil)
		ft.enc = append(ft.enc, nil)
		ft.ends = append(ft.ends, nil)
		ft.byLeaf = append(ft.byLeaf, nil)
	}
	decs := ft.decs[s]
	chunks := rg.ColumnChunks()
	for ci := range s.cols {
		if ci == s.sys.hash {
			continue
		}
		c := &s.cols[ci]
		var err error
		switch {
		case s.flat[ci] && ci != s.sys.key:
			err = ft.encodeFlat(s, c.Leaf, chunks[c.Leaf], decs[c.Leaf])
		case s.flat[ci]:
			err = ft.collectFlat(s, c.Leaf, chunks[c.Leaf], decs[c.Leaf])
		default:
			for leaf := c.Leaf; leaf < c.Leaf+c.Leaves && err == nil; leaf++ {
				err = ft.collect(s, leaf, chunks[leaf], decs[leaf])
			}
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", c.Path, err)
		}
	}
	buf := ft.out[s]
	for k, r := range ft.needed {
		key, err := ft.assemble(s, k)
		if err != nil {
			return fmt.Errorf("row %d: %w", first+int64(r), err)
		}
		hi, _ := keyHash(key)
		b := int(hi >> ft.shift)
		if err := buf.done(b, ft.appendRow(buf.buf(b), s, k, first+int64(r), key)); err != nil {
			return err
		}
	}
	return nil
}

// assemble prepares needed row k: it returns its key and leaves in ft.row the values
// of its nested data columns, with Absent restored, and Null for its flat data columns,
// Absent where _absent lists them.
func (ft *fetcher) assemble(s *side, k int) (string, error) {
	for _, leaf := range s.nestedLeaves {
		if st := ft.starts[leaf]; len(st) > k+1 {
			ft.byLeaf[leaf] = ft.entries[leaf][st[k]:st[k+1]]
		} else {
			ft.byLeaf[leaf] = nil
		}
	}
	ft.asm.Reset(ft.byLeaf[:len(s.leaves)])
	row := ft.row[:0]
	var key string
	var absent record.Value
	for ci := range s.cols {
		c := &s.cols[ci]
		switch {
		case ci == s.sys.hash:
		case ci == s.sys.key:
			e := &ft.entries[c.Leaf][k]
			if e.Def != s.leaves[c.Leaf].maxDef || e.Value.IsNull() {
				return "", fmt.Errorf("null %s", KeyColumn)
			}
			key = e.Value.S
		case s.flat[ci]:
			row = append(row, record.Value{Kind: record.Null})
		default:
			v, err := ft.asm.Read(c)
			if err != nil {
				return "", err
			}
			if ci == s.sys.absent {
				absent = v
			} else {
				row = append(row, v)
			}
		}
	}
	for _, p := range absent.L {
		s.absentIdx.restore(row, p.S)
	}
	ft.row = row
	return key, nil
}

// appendRow appends the encoding of needed row k (see appendFetchedHead), prepared by
// assemble, to dst.
func (ft *fetcher) appendRow(dst []byte, s *side, k int, ord int64, key string) []byte {
	dst = appendFetchedHead(dst, ord, key, len(ft.row))
	di := 0
	for ci := range s.cols {
		if ci == s.sys.hash || ci == s.sys.key || ci == s.sys.absent {
			continue
		}
		v := &ft.row[di]
		di++
		if !s.flat[ci] {
			dst = appendValue(dst, v)
			continue
		}
		leaf := s.cols[ci].Leaf
		start := int32(0)
		if k > 0 {
			start = ft.ends[leaf][k-1]
		}
		enc := ft.enc[leaf][start:ft.ends[leaf][k]]
		if v.Kind == record.Absent && len(enc) == 1 && enc[0] == byte(record.Null) {
			dst = append(dst, byte(record.Absent))
			continue
		}
		dst = append(dst, enc...)
	}
	return dst
}

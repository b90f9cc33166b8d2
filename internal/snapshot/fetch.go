package snapshot

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
)

// fetcher reads the full rows of the needed ordinals of row groups and appends them,
// encoded, to the buckets of their keys. One fetcher belongs to one worker; its buffers
// are reused across row groups.
type fetcher struct {
	shift   uint
	needed  []int
	entries [][]leafEntry // per leaf: the entries of the needed rows
	starts  [][]int       // per leaf: where each needed row's entries start
	byLeaf  [][]leafEntry
	asm     *format.Assembler[record.Value]
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
		ft.byLeaf = append(ft.byLeaf, nil)
	}
	for leaf := range nl {
		ft.starts[leaf] = ft.starts[leaf][:0]
	}
	decs := ft.decs[s]
	chunks := rg.ColumnChunks()
	for ci := range s.cols {
		if ci == s.sys.hash {
			continue
		}
		c := &s.cols[ci]
		for leaf := c.Leaf; leaf < c.Leaf+c.Leaves; leaf++ {
			if err := ft.collect(s, leaf, chunks[leaf], decs[leaf]); err != nil {
				return fmt.Errorf("column %s: %w", c.Path, err)
			}
		}
	}
	for k, r := range ft.needed {
		fe, err := ft.assemble(s, k)
		if err != nil {
			return fmt.Errorf("row %d: %w", first+int64(r), err)
		}
		fe.ord = first + int64(r)
		hi, _ := keyHash([]byte(fe.key))
		b := int(hi >> ft.shift)
		buf := ft.out[s]
		if err := buf.done(b, appendFetched(buf.buf(b), &fe)); err != nil {
			return err
		}
	}
	return nil
}

// collect gathers the level entries of the needed rows from one leaf column chunk.
func (ft *fetcher) collect(s *side, leaf int, chunk parquet.ColumnChunk, dec *format.Column) error {
	if s.leaves[leaf].maxRep == 0 {
		return ft.collectFlat(s, leaf, chunk, dec)
	}
	entries := ft.entries[leaf][:0]
	starts := ft.starts[leaf][:0]
	row, k := -1, 0
	keep := false
	err := walkPages(chunk, s.leaves[leaf].maxDef, func(p *pageView) error {
		vi := 0 // values are numbered per page
		for e := 0; e < p.n; e++ {
			if p.rep(e) == 0 {
				row++
				keep = k < len(ft.needed) && ft.needed[k] == row
				if keep {
					starts = append(starts, len(entries))
					k++
				}
			}
			defined := p.defined(e)
			if keep {
				le := leafEntry{Rep: p.rep(e), Def: p.def(e)}
				if defined {
					v, err := pageValue(dec, p, vi)
					if err != nil {
						return err
					}
					le.Value = v
				}
				entries = append(entries, le)
			}
			if defined {
				vi++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if k != len(ft.needed) {
		return fmt.Errorf("column chunk ends before row %d", ft.needed[k])
	}
	ft.entries[leaf], ft.starts[leaf] = entries, append(starts, len(entries))
	return nil
}

// assemble rebuilds needed row k from the collected entries, splitting off the system
// columns and restoring Absent values.
func (ft *fetcher) assemble(s *side, k int) (fetched, error) {
	for leaf := range s.leaves {
		if st := ft.starts[leaf]; len(st) > k+1 {
			ft.byLeaf[leaf] = ft.entries[leaf][st[k]:st[k+1]]
		} else {
			ft.byLeaf[leaf] = nil
		}
	}
	ft.asm.Reset(ft.byLeaf[:len(s.leaves)])
	var fe fetched
	fe.row = make(record.Row, 0, len(s.data.Fields))
	var absent record.Value
	for ci := range s.cols {
		if ci == s.sys.hash {
			continue
		}
		v, err := ft.asm.Read(&s.cols[ci])
		if err != nil {
			return fe, err
		}
		switch ci {
		case s.sys.key:
			if v.IsNull() {
				return fe, fmt.Errorf("null %s", KeyColumn)
			}
			fe.key = v.S
		case s.sys.absent:
			absent = v
		default:
			fe.row = append(fe.row, v)
		}
	}
	for _, p := range absent.L {
		s.absentIdx.restore(fe.row, p.S)
	}
	return fe, nil
}

// collectFlat is collect for a leaf outside any list, where entry i is row i: it visits
// only the needed rows of each page.
func (ft *fetcher) collectFlat(s *side, leaf int, chunk parquet.ColumnChunk, dec *format.Column) error {
	entries := ft.entries[leaf][:0]
	starts := ft.starts[leaf][:0]
	k, start := 0, 0
	err := walkPages(chunk, s.leaves[leaf].maxDef, func(p *pageView) error {
		end := start + p.n
		e, vi := 0, 0 // vi counts the values before entry e
		for ; k < len(ft.needed) && ft.needed[k] < end; k++ {
			want := ft.needed[k] - start
			if p.defs == nil {
				e, vi = want, want
			}
			for ; e < want; e++ {
				if p.defs[e] == p.maxDef {
					vi++
				}
			}
			starts = append(starts, len(entries))
			le := leafEntry{Def: p.def(want)}
			if p.defined(want) {
				v, err := pageValue(dec, p, vi)
				if err != nil {
					return err
				}
				le.Value = v
			}
			entries = append(entries, le)
		}
		start = end
		return nil
	})
	if err != nil {
		return err
	}
	if k != len(ft.needed) {
		return fmt.Errorf("column chunk ends before row %d", ft.needed[k])
	}
	ft.entries[leaf], ft.starts[leaf] = entries, append(starts, len(entries))
	return nil
}

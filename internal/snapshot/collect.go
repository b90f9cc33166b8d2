package snapshot

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
)

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
					v, err := pageValue(dec, p, vi, &ft.text)
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

// collectFlat is collect for a leaf outside any list, where entry i is row i.
func (ft *fetcher) collectFlat(s *side, leaf int, chunk parquet.ColumnChunk, dec *format.Column) error {
	entries := ft.entries[leaf][:0]
	starts := ft.starts[leaf][:0]
	err := ft.eachNeeded(chunk, s.leaves[leaf].maxDef, func(p *pageView, e, vi int) error {
		starts = append(starts, len(entries))
		le := leafEntry{Def: p.def(e)}
		if p.defined(e) {
			v, err := pageValue(dec, p, vi, &ft.text)
			if err != nil {
				return err
			}
			le.Value = v
		}
		entries = append(entries, le)
		return nil
	})
	ft.entries[leaf], ft.starts[leaf] = entries, append(starts, len(entries))
	return err
}

// eachNeeded calls fn with the entry e and value index vi of every needed row of a
// chunk of a leaf outside any list, in order, visiting only the needed rows of each
// page.
func (ft *fetcher) eachNeeded(chunk parquet.ColumnChunk, maxDef byte, fn func(p *pageView, e, vi int) error) error {
	k, start := 0, 0
	err := walkPages(chunk, maxDef, func(p *pageView) error {
		end := start + p.n
		e, vi := 0, 0 // vi counts the values before entry e
		for ; k < len(ft.needed) && ft.needed[k] < end; k++ {
			want := ft.needed[k] - start
			if p.defs == nil {
				vi = want
			} else {
				vi += countDefined(p.defs[e:want], p.maxDef)
			}
			e = want
			if err := fn(p, e, vi); err != nil {
				return err
			}
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
	return nil
}

// encodeFlat is collectFlat for a flat data column: it encodes the value of each needed
// row (appendValue's format, Null for a null) into ft.enc[leaf].
func (ft *fetcher) encodeFlat(s *side, leaf int, chunk parquet.ColumnChunk, dec *format.Column) error {
	enc := ft.enc[leaf][:0]
	ends := ft.ends[leaf][:0]
	err := ft.eachNeeded(chunk, s.leaves[leaf].maxDef, func(p *pageView, e, vi int) error {
		if !p.defined(e) {
			enc = append(enc, byte(record.Null))
		} else {
			var err error
			if enc, err = appendPageValue(enc, dec, p, vi); err != nil {
				return err
			}
		}
		ends = append(ends, int32(len(enc)))
		return nil
	})
	ft.enc[leaf], ft.ends[leaf] = enc, ends
	return err
}

package snapshot

import (
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// pageView exposes the levels and typed values of one decoded data page. Values are
// stored without nulls: value i is the i-th entry whose definition level is maxDef.
// Dictionary-encoded pages are resolved through idx.
type pageView struct {
	n       int    // level entries in the page
	defs    []byte // nil: every entry is defined (its level is maxDef)
	reps    []byte // nil: every entry starts a row
	maxDef  byte
	kind    parquet.Kind
	idx     []int32 // dictionary indexes, or nil
	i64     []int64
	i32     []int32
	f64     []float64
	f32     []float32
	bits    []byte
	data    []byte
	offsets []uint32
}

// defined reports whether entry e carries a value.
func (p *pageView) defined(e int) bool { return p.defs == nil || p.defs[e] == p.maxDef }

// def returns the definition level of entry e.
func (p *pageView) def(e int) byte {
	if p.defs == nil {
		return p.maxDef
	}
	return p.defs[e]
}

// rep returns the repetition level of entry e.
func (p *pageView) rep(e int) byte {
	if p.reps == nil {
		return 0
	}
	return p.reps[e]
}

func (p *pageView) at(i int) int {
	if p.idx != nil {
		return int(p.idx[i])
	}
	return i
}

// bytesAt returns the i-th value of a BYTE_ARRAY page, aliasing the page buffer.
func (p *pageView) bytesAt(i int) []byte {
	j := p.at(i)
	return p.data[p.offsets[j]:p.offsets[j+1]]
}

// stringAt returns the i-th value of a BYTE_ARRAY page as a string aliasing the page
// buffer: valid only while the page is.
func (p *pageView) stringAt(i int) string {
	b := p.bytesAt(i)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// intAt returns the i-th value of an INT32 or INT64 page.
func (p *pageView) intAt(i int) int64 {
	if p.kind == parquet.Int32 {
		return int64(p.i32[p.at(i)])
	}
	return p.i64[p.at(i)]
}

// floatAt returns the i-th value of a FLOAT or DOUBLE page.
func (p *pageView) floatAt(i int) float64 {
	if p.kind == parquet.Float {
		return float64(p.f32[p.at(i)])
	}
	return p.f64[p.at(i)]
}

// boolAt returns the i-th value of a BOOLEAN page.
func (p *pageView) boolAt(i int) bool {
	j := p.at(i)
	return p.bits[j>>3]&(1<<(j&7)) != 0
}

// load fills p from page, whose leaf has the given maximum definition level.
func (p *pageView) load(page parquet.Page, maxDef byte) error {
	p.n = int(page.NumValues())
	p.defs, p.reps, p.maxDef = page.DefinitionLevels(), page.RepetitionLevels(), maxDef
	if len(p.defs) == 0 || countDefined(p.defs, maxDef) == len(p.defs) {
		p.defs = nil // one pass here spares every later lookup on a page without nulls
	}
	if len(p.reps) == 0 {
		p.reps = nil
	}
	p.kind = page.Type().Kind()
	vals := page.Data()
	p.idx = nil
	if d := page.Dictionary(); d != nil {
		p.idx = vals.Int32()
		vals = d.Page().Data()
	}
	switch p.kind {
	case parquet.ByteArray:
		p.data, p.offsets = vals.ByteArray()
	case parquet.Int64:
		p.i64 = vals.Int64()
	case parquet.Int32:
		p.i32 = vals.Int32()
	case parquet.Double:
		p.f64 = vals.Double()
	case parquet.Float:
		p.f32 = vals.Float()
	case parquet.Boolean:
		p.bits = vals.Boolean()
	default:
		return fmt.Errorf("unsupported physical type %s", p.kind)
	}
	return nil
}

// walkPages calls fn with every data page of chunk, in order, releasing each page after
// fn returns.
func walkPages(chunk parquet.ColumnChunk, maxDef byte, fn func(p *pageView) error) error {
	pages := chunk.Pages()
	defer pages.Close()
	var view pageView
	for {
		page, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read page: %w", err)
		}
		err = view.load(page, maxDef)
		if err == nil {
			err = fn(&view)
		}
		parquet.Release(page)
		if err != nil {
			return err
		}
	}
}

// leafInfo describes one leaf column of a file.
type leafInfo struct {
	path   []string
	maxDef byte
	maxRep byte
}

// leavesOf lists the leaf columns of a file in column order.
func leavesOf(f *parquet.File) []leafInfo {
	var out []leafInfo
	var walk func(c *parquet.Column)
	walk = func(c *parquet.Column) {
		if c.Leaf() {
			out = append(out, leafInfo{path: c.Path(), maxDef: byte(c.MaxDefinitionLevel()), maxRep: byte(c.MaxRepetitionLevel())})
			return
		}
		for _, k := range c.Columns() {
			walk(k)
		}
	}
	walk(f.Root())
	return out
}

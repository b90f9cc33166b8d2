package snapshot

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// leafEntry is one level entry of a leaf column, its value decoded when collected.
type leafEntry = format.Entry[record.Value]

// appendPageValue appends the encoding (appendValue's format) of the i-th value of page
// p as a value of leaf column c to dst.
func appendPageValue(dst []byte, c *format.Column, p *pageView, i int) ([]byte, error) {
	if (c.Type == schema.String || c.Type == schema.JSON) && p.kind == parquet.ByteArray {
		return appendText(dst, textKind(c), p.stringAt(i)), nil
	}
	v, err := pageValue(c, p, i, nil)
	if err != nil {
		return dst, err
	}
	return appendValue(dst, &v), nil
}

// textKind returns the kind of the values of a string or json column.
func textKind(c *format.Column) record.Kind {
	if c.Type == schema.JSON {
		return record.JSON
	}
	return record.String
}

// countDefined returns how many of the definition levels defs equal maxDef, eight at a
// time.
func countDefined(defs []byte, maxDef byte) int {
	const (
		ones = 0x0101010101010101
		low7 = 0x7f7f7f7f7f7f7f7f
	)
	n, i := 0, 0
	want := uint64(maxDef) * ones
	for ; i+8 <= len(defs); i += 8 {
		// A byte of y is zero exactly where the level equals maxDef; t has the high bit
		// of exactly those bytes set.
		y := binary.LittleEndian.Uint64(defs[i:]) ^ want
		t := ^((y&low7 + low7) | y | low7)
		n += bits.OnesCount64(t)
	}
	for ; i < len(defs); i++ {
		if defs[i] == maxDef {
			n++
		}
	}
	return n
}

// newAssembler returns an assembler over collected entries.
func newAssembler() *format.Assembler[record.Value] {
	return format.NewAssembler(func(_ *format.Column, v *record.Value) (record.Value, error) { return *v, nil })
}

// pageValue returns the i-th value of page p as a value of leaf column c, copying
// bytes into text (which only a string or json column needs).
func pageValue(c *format.Column, p *pageView, i int, text *textArena) (record.Value, error) {
	switch c.Type {
	case schema.String, schema.JSON:
		if p.kind != parquet.ByteArray {
			break
		}
		return record.Value{Kind: textKind(c), S: text.str(p.bytesAt(i))}, nil
	case schema.Bool:
		if p.kind != parquet.Boolean {
			break
		}
		if p.boolAt(i) {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case schema.Int, schema.Date, schema.Timestamp:
		if p.kind != parquet.Int64 && p.kind != parquet.Int32 {
			break
		}
		return c.IntValue(p.intAt(i)), nil
	case schema.Float:
		if p.kind != parquet.Double && p.kind != parquet.Float {
			break
		}
		return record.Value{Kind: record.Float, F: p.floatAt(i)}, nil
	}
	return record.Value{}, fmt.Errorf("column %q: %s stored as %s", c.Path, c.Type, p.kind)
}

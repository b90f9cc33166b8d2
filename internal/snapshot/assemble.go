package snapshot

import (
	"fmt"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// leafEntry is one level entry of a leaf column, its value decoded when collected.
type leafEntry = format.Entry[record.Value]

// newAssembler returns an assembler over collected entries.
func newAssembler() *format.Assembler[record.Value] {
	return format.NewAssembler(func(_ *format.Column, v *record.Value) (record.Value, error) { return *v, nil })
}

// pageValue returns the i-th value of page p as a value of leaf column c, copying
// bytes.
func pageValue(c *format.Column, p *pageView, i int) (record.Value, error) {
	switch c.Type {
	case schema.String, schema.JSON:
		if p.kind != parquet.ByteArray {
			break
		}
		k := record.String
		if c.Type == schema.JSON {
			k = record.JSON
		}
		return record.Value{Kind: k, S: string(p.bytesAt(i))}, nil
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

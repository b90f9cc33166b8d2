package snapshot

import (
	"encoding/hex"
	"math"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// DiffSchema returns the schema of a diff file whose image columns are data (the
// current snapshot's data columns): _change, _key, _prev_hash, _hash, _changed (a list
// of {path, old, new}), _absent (the dotted paths absent from the image), then data.
func DiffSchema(data schema.Schema) schema.Schema {
	str := func(name string) schema.Field { return schema.Field{Name: name, Type: schema.String} }
	fields := []schema.Field{
		str(ChangeColumn), str(KeyColumn), str(PrevHashColumn), str(HashColumn),
		{Name: ChangedColumn, Type: schema.List, Items: &schema.Field{Type: schema.Object, Fields: []schema.Field{
			str("path"), str("old"), str("new"),
		}}},
		{Name: AbsentColumn, Type: schema.List, Items: &schema.Field{Type: schema.String}},
	}
	return schema.Schema{Fields: append(fields, data.Fields...)}
}

// rowBuilder turns changes and their fetched rows into diff rows. One rowBuilder
// belongs to one goroutine.
type rowBuilder struct {
	canon
	prev, cur       []*fieldNode
	prevIdx, curIdx map[string]int
	curFields       []schema.Field
	changes         []FieldChange
}

func newRowBuilder(prev, cur schema.Schema) *rowBuilder {
	b := &rowBuilder{curFields: cur.Fields}
	b.prev, b.prevIdx = newFieldNodes(prev.Fields)
	b.cur, b.curIdx = newFieldNodes(cur.Fields)
	return b
}

func hashValue(sum [16]byte) record.Value {
	return record.Value{Kind: record.String, S: hex.EncodeToString(sum[:])}
}

func textValue(s *string) record.Value {
	if s == nil {
		return record.Value{Kind: record.Null}
	}
	return record.Value{Kind: record.String, S: *s}
}

// build returns the diff row of c; prev and cur are its fetched rows (nil on the side
// where the key does not exist). It also returns the changed fields of a MODIFIED row.
func (b *rowBuilder) build(c *change, prev, cur *fetched) (record.Row, []FieldChange) {
	null := record.Value{Kind: record.Null}
	out := make(record.Row, 6, 6+len(b.curFields))
	out[0] = record.Value{Kind: record.String, S: string(c.kind)}
	out[2], out[3], out[4] = null, null, null
	var image []record.Value
	b.changes = b.changes[:0]
	switch c.kind {
	case Added:
		out[1] = record.Value{Kind: record.String, S: cur.key}
		out[3] = hashValue(c.curSum)
		image = cur.row
	case Deleted:
		out[1] = record.Value{Kind: record.String, S: prev.key}
		out[2] = hashValue(c.prevSum)
		image = b.conform(b.prev, b.prevIdx, prev.row, b.cur)
	default:
		out[1] = record.Value{Kind: record.String, S: cur.key}
		out[2], out[3] = hashValue(c.prevSum), hashValue(c.curSum)
		image = cur.row
		b.changes = b.appendChanges(b.changes, "", b.prev, b.prevIdx, prev.row, b.cur, b.curIdx, cur.row)
		list := make([]record.Value, len(b.changes))
		for i, fc := range b.changes {
			list[i] = record.Value{Kind: record.Object, L: []record.Value{
				{Kind: record.String, S: fc.Path}, textValue(fc.Old), textValue(fc.New),
			}}
		}
		out[4] = record.Value{Kind: record.List, L: list}
	}
	out[5] = null
	if paths := appendAbsent(nil, b.curFields, image, ""); len(paths) > 0 {
		list := make([]record.Value, len(paths))
		for i, p := range paths {
			list[i] = record.Value{Kind: record.String, S: p}
		}
		out[5] = record.Value{Kind: record.List, L: list}
	}
	for i := range b.curFields {
		out = append(out, valueAt(image, i))
	}
	return out, b.changes
}

// conform maps vals, shaped by the previous schema's fields pn, onto the fields cn of
// the current schema by name. A field the previous schema lacks is Absent; a value whose
// type no longer fits its column is converted when that loses nothing (int and float,
// anything to its canonical text in a string or json column) and is null otherwise.
func (b *rowBuilder) conform(pn []*fieldNode, pIdx map[string]int, vals []record.Value, cn []*fieldNode) []record.Value {
	out := make([]record.Value, len(cn))
	for i, n := range cn {
		j, ok := pIdx[n.field.Name]
		if !ok {
			out[i] = record.Value{Kind: record.Absent}
			continue
		}
		out[i] = b.convert(pn[j], valueAt(vals, j), n)
	}
	return out
}

func (b *rowBuilder) convert(p *fieldNode, v record.Value, n *fieldNode) record.Value {
	if v.IsNull() {
		return v
	}
	from, to := p.field.Type, n.field.Type
	switch {
	case from == schema.Object && to == schema.Object && v.Kind == record.Object:
		return record.Value{Kind: record.Object, L: b.conform(p.kids, p.index, v.L, n.kids)}
	case from == to && from != schema.List && from != schema.Object:
		return v
	case from == schema.List && to == schema.List && p.field.Items != nil && n.field.Items != nil &&
		p.field.Items.Type == n.field.Items.Type && p.field.Items.Type != schema.Object && p.field.Items.Type != schema.List:
		return v
	case to == schema.JSON:
		return record.Value{Kind: record.JSON, S: *b.text(p, v)}
	case to == schema.String:
		if v.Kind == record.String || v.Kind == record.JSON {
			return record.Value{Kind: record.String, S: v.S}
		}
		return record.Value{Kind: record.String, S: *b.text(p, v)}
	case to == schema.Float && v.Kind == record.Int:
		return record.Value{Kind: record.Float, F: float64(v.I)}
	case to == schema.Int && v.Kind == record.Float && v.F == math.Trunc(v.F) && math.Abs(v.F) < 1<<53:
		return record.Value{Kind: record.Int, I: int64(v.F)}
	}
	return record.Value{Kind: record.Null}
}

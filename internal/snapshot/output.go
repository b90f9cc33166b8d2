package snapshot

import (
	"bytes"
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
	pair      *pairing
	curFields []schema.Field
	changes   []FieldChange
	vals      valueSlab
	arena     textArena
}

func newRowBuilder(prev, cur schema.Schema) *rowBuilder {
	return &rowBuilder{curFields: cur.Fields, pair: newPairing(newFieldNodes(prev.Fields), newFieldNodes(cur.Fields), "")}
}

// hashValue returns the hex text of a content hash.
func (b *rowBuilder) hashValue(sum [16]byte) record.Value {
	return record.Value{Kind: record.String, S: b.arena.hex(sum[:])}
}

func textValue(s *string) record.Value {
	if s == nil {
		return record.Value{Kind: record.Null}
	}
	return record.Value{Kind: record.String, S: *s}
}

// build returns the diff row of c; prev and cur are its fetched rows (nil on the side
// where the key does not exist; prev's values may be left encoded). It also returns the
// changed fields of a MODIFIED row. The row's strings may alias the fetched rows.
func (b *rowBuilder) build(c *change, prev, cur *fetched) (record.Row, []FieldChange, error) {
	null := record.Value{Kind: record.Null}
	out := b.vals.take(6 + len(b.curFields))
	out[0] = record.Value{Kind: record.String, S: string(c.kind)}
	out[2], out[3], out[4] = null, null, null
	var image []record.Value
	b.changes = b.changes[:0]
	switch c.kind {
	case Added:
		out[1] = record.Value{Kind: record.String, S: cur.key}
		out[3] = b.hashValue(c.curSum)
		image = cur.row
	case Deleted:
		out[1] = record.Value{Kind: record.String, S: prev.key}
		out[2] = b.hashValue(c.prevSum)
		vals, err := decodeRow(prev, &b.vals)
		if err != nil {
			return nil, nil, err
		}
		image = b.conform(b.pair, vals)
	default:
		out[1] = record.Value{Kind: record.String, S: cur.key}
		out[2], out[3] = b.hashValue(c.prevSum), b.hashValue(c.curSum)
		image = cur.row
		var err error
		if b.changes, err = b.modifiedChanges(b.changes, prev, cur); err != nil {
			return nil, nil, err
		}
		list := b.vals.take(len(b.changes))
		for i, fc := range b.changes {
			kv := b.vals.take(3)
			kv[0], kv[1], kv[2] = record.Value{Kind: record.String, S: fc.Path}, textValue(fc.Old), textValue(fc.New)
			list[i] = record.Value{Kind: record.Object, L: kv}
		}
		out[4] = record.Value{Kind: record.List, L: list}
	}
	out[5] = null
	if paths := appendAbsent(nil, b.curFields, image, ""); len(paths) > 0 {
		list := b.vals.take(len(paths))
		for i, p := range paths {
			list[i] = record.Value{Kind: record.String, S: p}
		}
		out[5] = record.Value{Kind: record.List, L: list}
	}
	for i := range b.curFields {
		out[6+i] = valueAt(image, i)
	}
	return out, b.changes, nil
}

// modifiedChanges appends the changed fields between the fetched rows prev and cur.
// When both sides have the same fields and prev's values are still encoded, a value
// whose encoding equals cur's is equal and skipped undecoded; only the others are
// decoded and compared.
func (b *rowBuilder) modifiedChanges(dst []FieldChange, prev, cur *fetched) ([]FieldChange, error) {
	pd, cd := rowDecoder{b: prev.enc, vals: &b.vals}, rowDecoder{b: cur.enc}
	pn, perr := pd.uvarint()
	cn, cerr := cd.uvarint()
	if prev.row != nil || !b.pair.same || perr != nil || cerr != nil ||
		int(pn) != len(b.pair.steps) || int(cn) != len(b.pair.steps) || len(cur.row) != int(cn) {
		vals, err := decodeRow(prev, &b.vals)
		if err != nil {
			return dst, err
		}
		return b.appendChanges(dst, b.pair, vals, cur.row), nil
	}
	for i, st := range b.pair.steps {
		p0, c0 := pd.b, cd.b
		if err := pd.skip(); err != nil {
			return dst, err
		}
		if err := cd.skip(); err != nil {
			return dst, err
		}
		pe := p0[:len(p0)-len(pd.b)]
		if bytes.Equal(pe, c0[:len(c0)-len(cd.b)]) {
			continue
		}
		vd := rowDecoder{b: pe, vals: &b.vals}
		pv, err := vd.value()
		if err != nil {
			return dst, err
		}
		dst = b.appendStep(dst, b.pair, st, pv, cur.row[i])
	}
	return dst, nil
}

// conform maps vals, shaped by the previous schema's fields pr.prev, onto the fields
// pr.cur of the current schema by name. A field the previous schema lacks is Absent; a
// value whose type no longer fits its column is converted when that loses nothing (int
// and float, anything to its canonical text in a string or json column) and is null
// otherwise.
func (b *rowBuilder) conform(pr *pairing, vals []record.Value) []record.Value {
	out := b.vals.take(len(pr.cur))
	for i, n := range pr.cur {
		j := pr.prevOf[i]
		if j < 0 {
			out[i] = record.Value{Kind: record.Absent}
			continue
		}
		out[i] = b.convert(pr.prev[j], valueAt(vals, j), n, pr.kids[i])
	}
	return out
}

// convert converts v, a value of field p, to field n; kids pairs their children when
// both are objects.
func (b *rowBuilder) convert(p *fieldNode, v record.Value, n *fieldNode, kids *pairing) record.Value {
	if v.IsNull() {
		return v
	}
	from, to := p.field.Type, n.field.Type
	switch {
	case from == schema.Object && to == schema.Object && v.Kind == record.Object:
		return record.Value{Kind: record.Object, L: b.conform(kids, v.L)}
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

package snapshot

import (
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// FieldChange is one changed field of a MODIFIED record.
type FieldChange struct {
	// Path is the field's dotted path (owner.name for nested object fields).
	Path string
	// Old and New are the canonical JSON text of the value on each side ("null" for
	// JSON null, "5" and "\"5\"" for a number and a string); nil means the field was
	// absent on that side (not sent, or not in that side's schema).
	Old, New *string
}

// fieldNode is a schema field prepared for canonical rendering: a one-field schema
// holding it (built once, because a record.Hasher caches plans by field list) and its
// children by name.
type fieldNode struct {
	field schema.Field
	one   schema.Schema
	kids  []*fieldNode
	index map[string]int
}

func newFieldNodes(fields []schema.Field) ([]*fieldNode, map[string]int) {
	nodes := make([]*fieldNode, len(fields))
	index := make(map[string]int, len(fields))
	for i, f := range fields {
		one := f
		one.Name = "v"
		n := &fieldNode{field: f, one: schema.Schema{Fields: []schema.Field{one}}}
		if f.Type == schema.Object {
			n.kids, n.index = newFieldNodes(f.Fields)
		}
		nodes[i] = n
		if _, dup := index[f.Name]; !dup {
			index[f.Name] = i
		}
	}
	return nodes, index
}

// canon renders values as canonical JSON text. One canon belongs to one goroutine.
type canon struct {
	h   record.Hasher
	buf []byte
	row record.Row
}

// text returns the canonical JSON of v as a field n, or nil when v is Absent.
func (c *canon) text(n *fieldNode, v record.Value) *string {
	if v.Kind == record.Absent {
		return nil
	}
	if c.row == nil {
		c.row = make(record.Row, 1)
	}
	c.row[0] = v
	c.buf = c.h.AppendCanonical(c.buf[:0], n.one, c.row)
	c.row[0] = record.Value{}
	// {"v":...}
	s := string(c.buf[5 : len(c.buf)-1])
	return &s
}

// valueAt returns vals[i], or Absent when the row is shorter.
func valueAt(vals []record.Value, i int) record.Value {
	if i < len(vals) {
		return vals[i]
	}
	return record.Value{Kind: record.Absent}
}

// appendChanges appends the changed fields between prev (shaped by pn) and cur (shaped
// by cn) to dst, in cur's field order followed by the fields only prev has. Objects on
// both sides are compared field by field; everything else as a whole value.
func (c *canon) appendChanges(dst []FieldChange, prefix string, pn []*fieldNode, pIdx map[string]int, prev []record.Value, cn []*fieldNode, cIdx map[string]int, cur []record.Value) []FieldChange {
	for i, n := range cn {
		if cIdx[n.field.Name] != i {
			continue
		}
		cv := valueAt(cur, i)
		pv := record.Value{Kind: record.Absent}
		var p *fieldNode
		if j, ok := pIdx[n.field.Name]; ok {
			p, pv = pn[j], valueAt(prev, j)
		}
		dst = c.appendChange(dst, prefix+n.field.Name, p, pv, n, cv)
	}
	for j, p := range pn {
		if pIdx[p.field.Name] != j {
			continue
		}
		if _, ok := cIdx[p.field.Name]; ok {
			continue
		}
		dst = c.appendChange(dst, prefix+p.field.Name, p, valueAt(prev, j), nil, record.Value{Kind: record.Absent})
	}
	return dst
}

func (c *canon) appendChange(dst []FieldChange, path string, p *fieldNode, pv record.Value, n *fieldNode, cv record.Value) []FieldChange {
	if p != nil && n != nil && pv.Kind == record.Object && cv.Kind == record.Object &&
		p.field.Type == schema.Object && n.field.Type == schema.Object {
		return c.appendChanges(dst, path+".", p.kids, p.index, pv.L, n.kids, n.index, cv.L)
	}
	if p != nil && n != nil && sameScalar(pv, cv) {
		return dst
	}
	var old, cur *string
	if p != nil {
		old = c.text(p, pv)
	}
	if n != nil {
		cur = c.text(n, cv)
	}
	if old == nil && cur == nil || old != nil && cur != nil && *old == *cur {
		return dst
	}
	return append(dst, FieldChange{Path: path, Old: old, New: cur})
}

// sameScalar reports whether a and b are equal values of one scalar kind, whose
// canonical texts are then equal too: the common case, decided without rendering.
func sameScalar(a, b record.Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case record.Null:
		return true
	case record.Bool, record.Int, record.Time, record.Date:
		return a.I == b.I
	case record.Float:
		return a.F == b.F
	case record.String:
		return a.S == b.S
	}
	return false
}

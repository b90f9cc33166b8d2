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
// holding it (built once, because a record.Hasher caches plans by field list) and, for
// an object, its children.
type fieldNode struct {
	field schema.Field
	one   schema.Schema
	kids  []*fieldNode // non-nil exactly for objects
}

func newFieldNodes(fields []schema.Field) []*fieldNode {
	nodes := make([]*fieldNode, len(fields))
	for i, f := range fields {
		one := f
		one.Name = "v"
		n := &fieldNode{field: f, one: schema.Schema{Fields: []schema.Field{one}}}
		if f.Type == schema.Object {
			n.kids = newFieldNodes(f.Fields)
		}
		nodes[i] = n
	}
	return nodes
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

// appendChanges appends the changed fields between prev (shaped by pr.prev) and cur
// (shaped by pr.cur) to dst, in cur's field order followed by the fields only prev has.
// Objects on both sides are compared field by field; everything else as a whole value.
func (c *canon) appendChanges(dst []FieldChange, pr *pairing, prev, cur []record.Value) []FieldChange {
	for _, st := range pr.steps {
		pv, cv := record.Value{Kind: record.Absent}, record.Value{Kind: record.Absent}
		if st.pi >= 0 {
			pv = valueAt(prev, st.pi)
		}
		if st.ci >= 0 {
			cv = valueAt(cur, st.ci)
		}
		dst = c.appendStep(dst, pr, st, pv, cv)
	}
	return dst
}

// appendStep appends the changes of one compared field, whose values are pv and cv
// (Absent on a side that lacks the field).
func (c *canon) appendStep(dst []FieldChange, pr *pairing, st pairStep, pv, cv record.Value) []FieldChange {
	var p, n *fieldNode
	if st.pi >= 0 {
		p = pr.prev[st.pi]
	}
	if st.ci >= 0 {
		n = pr.cur[st.ci]
	}
	if p != nil && n != nil && pr.kids[st.ci] != nil && pv.Kind == record.Object && cv.Kind == record.Object {
		return c.appendChanges(dst, pr.kids[st.ci], pv.L, cv.L)
	}
	if p != nil && n != nil && sameScalar(pv, cv) {
		return dst
	}
	var old, now *string
	if p != nil {
		old = c.text(p, pv)
	}
	if n != nil {
		now = c.text(n, cv)
	}
	if old == nil && now == nil || old != nil && now != nil && *old == *now {
		return dst
	}
	return append(dst, FieldChange{Path: st.path, Old: old, New: now})
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

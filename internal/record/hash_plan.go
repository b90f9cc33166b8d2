package record

import (
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/internal/schema"
)

// hashPlan is the canonical layout of one field list, compiled once per schema: the
// fields in ascending byte order of name, each with its name already written as a
// canonical JSON key, and the layouts of nested objects and list elements.
type hashPlan struct {
	src    orderKey
	fields []hashField
}

// orderKey identifies a field list by its backing array.
type orderKey struct {
	first *schema.Field
	n     int
}

func keyOf(fields []schema.Field) orderKey {
	if len(fields) == 0 {
		return orderKey{}
	}
	return orderKey{first: &fields[0], n: len(fields)}
}

// hashField is one field of a hashPlan.
type hashField struct {
	idx   int           // index in the field list and in the values
	key   string        // ',', the name as a canonical JSON string, and ':'
	field *schema.Field // the field, for nested names and list items
	node  *hashNode
}

// hashNode holds the compiled layouts a field's value may need.
type hashNode struct {
	obj  *hashPlan // the field's children, for an Object value
	item *hashNode // the element field (Items, or the field itself), for a List value
}

// matches reports whether p is the plan of fields.
func (p *hashPlan) matches(fields []schema.Field) bool {
	return p.src == keyOf(fields)
}

// topPlan returns the plan of a schema's fields; the last one is remembered, since
// consecutive records almost always share their schema.
func (h *Hasher) topPlan(fields []schema.Field) *hashPlan {
	if h.last != nil && h.last.matches(fields) {
		return h.last
	}
	h.last = h.plan(fields)
	return h.last
}

// plan returns the plan of fields, compiling it on first use.
func (h *Hasher) plan(fields []schema.Field) *hashPlan {
	k := keyOf(fields)
	if p, ok := h.plans[k]; ok {
		return p
	}
	if h.plans == nil {
		h.plans = make(map[orderKey]*hashPlan)
	}
	p := compileHashPlan(fields)
	h.plans[k] = p
	return p
}

func compileHashPlan(fields []schema.Field) *hashPlan {
	p := &hashPlan{src: keyOf(fields), fields: make([]hashField, len(fields))}
	for i := range fields {
		f := &fields[i]
		key := appendJSONString([]byte{','}, f.Name)
		p.fields[i] = hashField{idx: i, key: string(append(key, ':')), field: f, node: compileHashNode(f)}
	}
	slices.SortStableFunc(p.fields, func(a, b hashField) int {
		return strings.Compare(fields[a.idx].Name, fields[b.idx].Name)
	})
	return p
}

func compileHashNode(f *schema.Field) *hashNode {
	n := &hashNode{obj: compileHashPlan(f.Fields)}
	if f.Items != nil {
		n.item = compileHashNode(f.Items)
	} else {
		n.item = n
	}
	return n
}

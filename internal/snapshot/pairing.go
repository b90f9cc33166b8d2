package snapshot

// pairing matches the fields of the previous schema with those of the current one by
// name, at one level of nesting. It is built once per diff, so comparing and conforming
// rows look nothing up by name.
type pairing struct {
	prev, cur []*fieldNode
	// prevOf holds, per current field, the index of the first previous field of the
	// same name, or -1.
	prevOf []int
	// kids holds, per current field, the pairing of its children when the field and its
	// previous namesake are both objects; nil otherwise.
	kids []*pairing
	// steps lists the compared fields in the order changes are reported: the current
	// fields (the first of each name), then the fields only the previous schema has.
	steps []pairStep
	// same reports that both sides have the same field names in the same order, once
	// each: step i compares field i of both.
	same bool
}

// pairStep is one compared field: its dotted path and its index on each side (-1 on the
// side that lacks it).
type pairStep struct {
	path   string
	pi, ci int
}

// newPairing pairs the fields pn of the previous schema with the fields cn of the
// current one; prefix is the dotted path of their parent ("" or "owner.").
func newPairing(pn, cn []*fieldNode, prefix string) *pairing {
	pIdx, cIdx := firstByName(pn), firstByName(cn)
	pr := &pairing{prev: pn, cur: cn, prevOf: make([]int, len(cn)), kids: make([]*pairing, len(cn))}
	for i, n := range cn {
		j, ok := pIdx[n.field.Name]
		if !ok {
			j = -1
		}
		pr.prevOf[i] = j
		if j >= 0 && pn[j].kids != nil && n.kids != nil {
			pr.kids[i] = newPairing(pn[j].kids, n.kids, prefix+n.field.Name+".")
		}
		if cIdx[n.field.Name] == i {
			pr.steps = append(pr.steps, pairStep{path: prefix + n.field.Name, pi: j, ci: i})
		}
	}
	for j, p := range pn {
		if _, ok := cIdx[p.field.Name]; !ok && pIdx[p.field.Name] == j {
			pr.steps = append(pr.steps, pairStep{path: prefix + p.field.Name, pi: j, ci: -1})
		}
	}
	pr.same = len(pn) == len(cn) && len(pr.steps) == len(cn)
	for i, st := range pr.steps {
		pr.same = pr.same && st.pi == i && st.ci == i
	}
	return pr
}

// firstByName maps each field name to the index of its first field.
func firstByName(nodes []*fieldNode) map[string]int {
	idx := make(map[string]int, len(nodes))
	for i, n := range nodes {
		if _, dup := idx[n.field.Name]; !dup {
			idx[n.field.Name] = i
		}
	}
	return idx
}

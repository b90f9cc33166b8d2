package snapshot

import (
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// appendAbsent appends the dotted paths of the Absent values of vals (aligned with
// fields) to dst, descending into object values. Elements of lists are not paths: a
// list is one value.
func appendAbsent(dst []string, fields []schema.Field, vals []record.Value, prefix string) []string {
	for i := range fields {
		f := &fields[i]
		if i >= len(vals) {
			dst = append(dst, prefix+f.Name)
			continue
		}
		switch v := &vals[i]; v.Kind {
		case record.Absent:
			dst = append(dst, prefix+f.Name)
		case record.Object:
			if f.Type == schema.Object {
				dst = appendAbsent(dst, f.Fields, v.L, prefix+f.Name+".")
			}
		}
	}
	return dst
}

// absentIndex maps the dotted path of every field and nested object field of a schema
// to its position: the index at each level.
type absentIndex map[string][]int

func newAbsentIndex(fields []schema.Field) absentIndex {
	idx := absentIndex{}
	idx.add(fields, "", nil)
	return idx
}

func (a absentIndex) add(fields []schema.Field, prefix string, at []int) {
	for i, f := range fields {
		pos := append(append([]int(nil), at...), i)
		a[prefix+f.Name] = pos
		if f.Type == schema.Object {
			a.add(f.Fields, prefix+f.Name+".", pos)
		}
	}
}

// restore marks the value at path as Absent. Paths that name no field, or that run
// through a value that is not an object, are ignored: the value there is already null.
func (a absentIndex) restore(row record.Row, path string) {
	pos, ok := a[path]
	if !ok {
		return
	}
	vals := []record.Value(row)
	for depth, i := range pos {
		if i >= len(vals) {
			return
		}
		if depth == len(pos)-1 {
			if vals[i].IsNull() {
				vals[i] = record.Value{Kind: record.Absent}
			}
			return
		}
		if vals[i].Kind != record.Object {
			return
		}
		vals = vals[i].L
	}
}

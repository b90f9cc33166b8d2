package record

import (
	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// This file is the general extraction path: it reads records through gjson, whose
// lenient reading of malformed JSON defines what Extract returns for it. The scanner
// (extract_scan.go) gives the same result faster for strict JSON.

// extractGeneral is Extract on the general path.
func (e *Extractor) extractGeneral(raw string, dst Row) (Row, error) {
	root := gjson.Parse(raw)
	if !root.IsObject() {
		return dst, &FieldError{Field: "", Value: truncate(raw), Reason: "record is not a JSON object"}
	}
	n := len(e.out.Fields)
	if cap(dst) < n {
		dst = make(Row, n)
	}
	dst = dst[:n]
	declared := len(e.top.fields)
	var extra []byte
	var err error
	if e.additional == AdditionalKeep {
		extra = e.extra[:0]
	}
	resetKinds(dst[:declared])
	root.ForEach(func(key, value gjson.Result) bool {
		if k, ok := e.top.keys[key.Str]; ok {
			err = e.top.assign(e.top.entries[k].fields, value, dst)
			return err == nil
		}
		switch e.additional {
		case AdditionalKeep:
			extra = appendExtra(extra, key.Raw, value.Raw)
		case AdditionalFail:
			err = undeclared(key.Str, value.Raw)
			return false
		}
		return true
	})
	if err != nil {
		return dst, err
	}
	if err := e.top.finish(root, dst[:declared]); err != nil {
		return dst, err
	}
	e.setExtra(dst, extra)
	return dst, nil
}

// assign converts value into every field read from one plain key. A repeated key keeps
// its first value, as gjson.Get does.
func (p *objectPlan) assign(idx []int, value gjson.Result, dst []Value) error {
	for _, i := range idx {
		if dst[i].Kind != Absent {
			continue
		}
		v, err := p.fields[i].convert(value, dst[i].L)
		if err != nil {
			return err
		}
		dst[i] = v
	}
	return nil
}

// fill extracts the fields of an object plan from obj into dst (reused when large enough).
func (p *objectPlan) fill(obj gjson.Result, dst []Value) ([]Value, error) {
	n := len(p.fields)
	if cap(dst) < n {
		dst = make([]Value, n)
	}
	dst = dst[:n]
	resetKinds(dst)
	var err error
	if p.plain > 0 {
		obj.ForEach(func(key, value gjson.Result) bool {
			if k, ok := p.keys[key.Str]; ok {
				err = p.assign(p.entries[k].fields, value, dst)
			}
			return err == nil
		})
		if err != nil {
			return dst, err
		}
	}
	return dst, p.finish(obj, dst)
}

// convert turns one JSON value into the field's typed value. reuse is a spare backing
// array for object and list values.
func (p *fieldPlan) convert(r gjson.Result, reuse []Value) (Value, error) {
	if !r.Exists() {
		return Value{}, nil
	}
	if r.Type == gjson.Null {
		return Value{Kind: Null}, nil
	}
	switch p.field.Type {
	case schema.Object:
		if !r.IsObject() {
			return Value{}, p.fail(r.Raw, "expected a JSON object")
		}
		l, err := p.obj.fill(r, reuse)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: Object, L: l}, nil
	case schema.List:
		if !r.IsArray() {
			return Value{}, p.fail(r.Raw, "expected a JSON array")
		}
		l, err := p.fillList(r, reuse)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: List, L: l}, nil
	}
	v, reason := p.convertScalar(r)
	if reason != "" {
		return Value{}, p.fail(r.Raw, reason)
	}
	return v, nil
}

// fillList converts the elements of an array; elements without a declared item type
// are kept as JSON.
func (p *fieldPlan) fillList(r gjson.Result, reuse []Value) ([]Value, error) {
	out := reuse[:0]
	spare := reuse[:cap(reuse)]
	var err error
	r.ForEach(func(_, elem gjson.Result) bool {
		var old []Value
		if i := len(out); i < len(spare) {
			old = spare[i].L
		}
		var v Value
		if p.item == nil {
			v = Value{Kind: JSON, S: compactString(elem.Raw)}
			if elem.Type == gjson.Null {
				v = Value{Kind: Null}
			}
		} else if v, err = p.item.convert(elem, old); err != nil {
			return false
		}
		out = append(out, v)
		return true
	})
	if len(out) == 0 {
		out = nil
	}
	return out, err
}

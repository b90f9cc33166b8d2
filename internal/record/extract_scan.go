package record

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// This file is the fast extraction path: one pass over the record that dispatches each
// key to its fields and converts values where they lie, without building gjson results
// for the common cases. It reads strict JSON only (see errNotStrict) and otherwise
// returns exactly what the general path (extract_gjson.go) returns.

// extractScan is Extract for strict JSON; it returns errNotStrict for anything else.
func (e *Extractor) extractScan(raw string, dst Row) (Row, error) {
	start := skipSpace(raw, 0)
	if start >= len(raw) || raw[start] != '{' {
		return dst, errNotStrict
	}
	n := len(e.out.Fields)
	if cap(dst) < n {
		dst = make(Row, n)
	}
	dst = dst[:n]
	declared := len(e.top.fields)
	resetKinds(dst[:declared])
	var extra []byte
	if e.additional == AdditionalKeep {
		extra = e.extra[:0]
	}
	end, err := e.top.scanFields(raw, start, dst[:declared], e.additional, &extra)
	if err != nil {
		return dst, err
	}
	if skipSpace(raw, end) != len(raw) {
		// gjson reads on past the object; leave such input to it.
		return dst, errNotStrict
	}
	if err := e.top.finish(gjson.Result{Type: gjson.JSON, Raw: raw[start:]}, dst[:declared]); err != nil {
		return dst, err
	}
	e.setExtra(dst, extra)
	return dst, nil
}

// scanFields reads the object at s[i] (a '{') into dst, whose values are already reset,
// and returns the index after it. Undeclared keys are gathered into extra (keep),
// rejected (fail) or ignored (drop; always so in nested objects).
func (p *objectPlan) scanFields(s string, i int, dst []Value, additional string, extra *[]byte) (int, error) {
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, nil
	}
	for pos := 0; ; pos++ {
		if i >= len(s) || s[i] != '"' {
			return 0, errNotStrict
		}
		e, kend := p.predicted(s, i, pos)
		var keyRaw, key string // set when e is nil
		if e == nil {
			var kesc, ok bool
			if kend, kesc, ok = scanString(s, i); !ok {
				return 0, errNotStrict
			}
			keyRaw = s[i:kend]
			key = keyRaw[1 : len(keyRaw)-1]
			if kesc {
				key = gjson.Parse(keyRaw).Str
			}
			e = p.lookup(key, pos)
		}
		if i = skipSpace(s, kend); i >= len(s) || s[i] != ':' {
			return 0, errNotStrict
		}
		i = skipSpace(s, i+1)
		end := -1
		if e != nil {
			// A repeated key keeps its first value, as gjson.Get does.
			for _, f := range e.fields {
				if dst[f].Kind != Absent {
					continue
				}
				vend, err := p.fields[f].scan(s, i, &dst[f])
				if err != nil {
					return 0, err
				}
				end = vend
			}
		} else if additional == AdditionalKeep || additional == AdditionalFail {
			vend, err := skipValue(s, i, 0)
			if err != nil {
				return 0, err
			}
			if additional == AdditionalFail {
				return 0, undeclared(key, s[i:vend])
			}
			*extra = appendExtra(*extra, keyRaw, s[i:vend])
			end = vend
		}
		if end < 0 {
			var err error
			if end, err = skipValue(s, i, 0); err != nil {
				return 0, err
			}
		}
		i = skipSpace(s, end)
		switch {
		case i < len(s) && s[i] == ',':
			i = skipSpace(s, i+1)
		case i < len(s) && s[i] == '}':
			return i + 1, nil
		default:
			return 0, errNotStrict
		}
	}
}

// scanFill extracts the fields of an object plan from the object at s[i] into dst
// (reused when large enough) and returns the index after the object.
func (p *objectPlan) scanFill(s string, i int, dst []Value) ([]Value, int, error) {
	n := len(p.fields)
	if cap(dst) < n {
		dst = make([]Value, n)
	}
	dst = dst[:n]
	resetKinds(dst)
	end, err := p.scanFields(s, i, dst, AdditionalDrop, nil)
	if err != nil {
		return dst, 0, err
	}
	return dst, end, p.finish(gjson.Result{Type: gjson.JSON, Raw: s[i:end]}, dst)
}

// scan converts the JSON value at s[i] into the field's typed value, stored in *dst on
// success, and returns the index after it. dst.L is a spare backing array for object
// and list values. The common cases are converted where they lie; the others go
// through convertScalar as on the general path.
func (p *fieldPlan) scan(s string, i int, dst *Value) (int, error) {
	if i >= len(s) {
		return 0, errNotStrict
	}
	var end int
	var typ gjson.Type
	ok := true
	switch s[i] {
	case '"':
		var esc bool
		if end, esc, ok = scanString(s, i); !ok {
			return 0, errNotStrict
		}
		if !esc {
			switch text := s[i+1 : end-1]; p.typ {
			case typeString:
				*dst = Value{Kind: String, S: text, Verbatim: true}
				return end, nil
			case typeTime, typeDate:
				if reason := p.scanTime(text, dst); reason != "" {
					return 0, p.fail(s[i:end], reason)
				}
				return end, nil
			}
		}
		typ = gjson.String
	case 'n':
		if end, ok = scanLiteral(s, i, "null"); !ok {
			return 0, errNotStrict
		}
		*dst = Value{Kind: Null}
		return end, nil
	case 't', 'f':
		word, v := "true", Value{Kind: Bool, I: 1}
		typ = gjson.True
		if s[i] == 'f' {
			word, v = "false", Value{Kind: Bool}
			typ = gjson.False
		}
		if end, ok = scanLiteral(s, i, word); !ok {
			return 0, errNotStrict
		}
		switch p.typ {
		case typeBool:
			*dst = v
			return end, nil
		case typeString:
			*dst = Value{Kind: String, S: word}
			return end, nil
		}
	case '{', '[':
		switch {
		case s[i] == '{' && p.typ == typeObject:
			l, end, err := p.obj.scanFill(s, i, dst.L)
			if err != nil {
				return 0, err
			}
			*dst = Value{Kind: Object, L: l}
			return end, nil
		case s[i] == '[' && p.typ == typeList:
			l, end, err := p.scanList(s, i, dst.L)
			if err != nil {
				return 0, err
			}
			*dst = Value{Kind: List, L: l}
			return end, nil
		}
		var err error
		if end, err = skipContainer(s, i, 1); err != nil {
			return 0, err
		}
		typ = gjson.JSON
	default:
		var n number
		if end, n, ok = scanNumber(s, i); !ok {
			return 0, errNotStrict
		}
		switch p.typ {
		case typeInt:
			if v, ok := n.int64(); ok {
				*dst = Value{Kind: Int, I: v}
				if v != 0 || n.flags&numNeg == 0 { // an integer literal is its canonical text, but -0
					dst.S, dst.Verbatim = s[i:end], true
				}
				return end, nil
			}
		case typeFloat:
			if f, ok := n.float64(); ok {
				*dst = Value{Kind: Float, F: f}
				if n.canonical(s[i:end]) {
					dst.S, dst.Verbatim = s[i:end], true
				}
				return end, nil
			}
		case typeString:
			*dst = Value{Kind: String, S: s[i:end]}
			return end, nil
		}
		typ = gjson.Number
	}
	return end, p.convertRaw(s[i:end], typ, dst)
}

// convertRaw converts the non-null JSON value raw of the given type as the general
// path does, into *dst.
func (p *fieldPlan) convertRaw(raw string, typ gjson.Type, dst *Value) error {
	var reason string
	switch p.typ {
	case typeObject:
		reason = "expected a JSON object"
	case typeList:
		reason = "expected a JSON array"
	default:
		var v Value
		if v, reason = p.convertScalar(result(raw, typ)); reason == "" {
			*dst = v
			return nil
		}
	}
	return p.fail(raw, reason)
}

// result returns a JSON value of the given type as gjson presents it.
func result(raw string, typ gjson.Type) gjson.Result {
	switch typ {
	case gjson.String:
		return gjson.Parse(raw)
	case gjson.Number:
		f, _ := strconv.ParseFloat(raw, 64)
		return gjson.Result{Type: gjson.Number, Raw: raw, Num: f}
	}
	return gjson.Result{Type: typ, Raw: raw}
}

// scanList converts the elements of the array at s[i]; elements without a declared item
// type are kept as JSON.
func (p *fieldPlan) scanList(s string, i int, reuse []Value) ([]Value, int, error) {
	out := reuse[:0]
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return nil, i + 1, nil
	}
	for {
		// The new element keeps the L of the one it replaces, for reuse.
		if len(out) < cap(out) {
			out = out[:len(out)+1]
		} else {
			out = append(out, Value{})
		}
		el := &out[len(out)-1]
		var end int
		var err error
		if p.item == nil {
			if end, err = skipValue(s, i, 0); err != nil {
				return nil, 0, err
			}
			*el = Value{Kind: JSON, S: compactString(s[i:end])}
			if s[i] == 'n' {
				*el = Value{Kind: Null}
			}
		} else if end, err = p.item.scan(s, i, el); err != nil {
			return nil, 0, err
		}
		i = skipSpace(s, end)
		switch {
		case i < len(s) && s[i] == ',':
			i = skipSpace(s, i+1)
		case i < len(s) && s[i] == ']':
			return out, i + 1, nil
		default:
			return nil, 0, errNotStrict
		}
	}
}

// scanTime converts the text of a time string into *dst, or returns the reason it
// does not fit.
func (p *fieldPlan) scanTime(text string, dst *Value) string {
	if p.iso {
		if sec, micros, ok := parseISOFast(text); ok {
			*dst = Value{Kind: Time, I: micros}
			if p.typ == typeDate {
				*dst = Value{Kind: Date, I: floorDiv(sec, 86400)}
			}
			return ""
		}
	}
	v, reason := p.timeValue(parseTimeString(text, p.field.Format))
	if reason == "" {
		*dst = v
	}
	return reason
}

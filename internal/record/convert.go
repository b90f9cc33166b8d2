package record

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// FieldError is a record value that does not fit its declared field. The record that
// holds it is rejected, not the run.
type FieldError struct {
	// Field is the column, dotted for nested fields ("public_metrics.like_count") and
	// with [] for list elements ("tags[]"); empty when the whole record is at fault.
	Field string
	// Value is the offending raw JSON, truncated to 80 bytes; empty when missing.
	Value string
	// Reason says what is wrong and how to fix it.
	Reason string
}

// Error returns `field "<name>": <reason> (got <value>)`.
func (e *FieldError) Error() string {
	msg := e.Reason
	if e.Field != "" {
		msg = fmt.Sprintf("field %q: %s", e.Field, e.Reason)
	}
	if e.Value != "" {
		msg += " (got " + e.Value + ")"
	}
	return msg
}

const maxErrorValue = 80

// truncate shortens raw to at most 80 bytes without splitting a UTF-8 sequence.
func truncate(raw string) string {
	if len(raw) <= maxErrorValue {
		return raw
	}
	cut := maxErrorValue - len("…")
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	return raw[:cut] + "…"
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
			return Value{}, p.fail(r, "expected a JSON object")
		}
		l, err := p.obj.fill(r, reuse)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: Object, L: l}, nil
	case schema.List:
		if !r.IsArray() {
			return Value{}, p.fail(r, "expected a JSON array")
		}
		l, err := p.fillList(r, reuse)
		if err != nil {
			return Value{}, err
		}
		return Value{Kind: List, L: l}, nil
	}
	v, reason := p.convertScalar(r)
	if reason != "" {
		return Value{}, p.fail(r, reason)
	}
	return v, nil
}

func (p *fieldPlan) fail(r gjson.Result, reason string) error {
	return &FieldError{Field: p.name, Value: truncate(r.Raw), Reason: reason}
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

// convertScalar converts a non-null value for the scalar types; it returns a reason
// when the value does not fit.
func (p *fieldPlan) convertScalar(r gjson.Result) (Value, string) {
	switch p.field.Type {
	case schema.String:
		switch r.Type {
		case gjson.String:
			return Value{Kind: String, S: r.Str}, ""
		case gjson.JSON:
			return Value{Kind: String, S: compactString(r.Raw)}, ""
		}
		// Numbers keep their exact digits; true/false their literal.
		return Value{Kind: String, S: r.Raw}, ""
	case schema.Int:
		return toInt(r)
	case schema.Float:
		return toFloat(r)
	case schema.Bool:
		return toBool(r)
	case schema.Timestamp, schema.Date:
		pt, err := parseTimeJSON(r, p.field.Format)
		if err != nil {
			var te *TimeError
			if errors.As(err, &te) {
				return Value{}, te.Reason
			}
			return Value{}, err.Error()
		}
		if p.field.Type == schema.Date {
			return Value{Kind: Date, I: floorDiv(pt.t.Unix(), 86400)}, ""
		}
		return Value{Kind: Time, I: pt.t.UnixMicro()}, ""
	}
	return Value{Kind: JSON, S: compactString(r.Raw)}, ""
}

func toInt(r gjson.Result) (Value, string) {
	var text string
	switch r.Type {
	case gjson.Number:
		text = r.Raw
	case gjson.String:
		text = r.Str
	default:
		return Value{}, "expected an integer"
	}
	if allDigitsSigned(text) {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return Value{Kind: Int, I: n}, ""
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return Value{}, "not an integer"
	case allDigitsSigned(text) || math.Abs(f) >= 1<<63:
		return Value{}, "integer out of int64 range (declare type: string to keep the exact digits)"
	case f != math.Trunc(f) || math.Abs(f) >= 1<<53:
		return Value{}, "has a fraction (declare type: float, or type: string to keep the exact digits)"
	}
	return Value{Kind: Int, I: int64(f)}, ""
}

func allDigitsSigned(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return allDigits(s)
}

func toFloat(r gjson.Result) (Value, string) {
	var f float64
	switch r.Type {
	case gjson.Number:
		f = r.Num
	case gjson.String:
		var err error
		if f, err = strconv.ParseFloat(r.Str, 64); err != nil {
			return Value{}, "not a number"
		}
	default:
		return Value{}, "expected a number"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Value{}, "not a finite number"
	}
	return Value{Kind: Float, F: f}, ""
}

func toBool(r gjson.Result) (Value, string) {
	switch r.Type {
	case gjson.True:
		return Value{Kind: Bool, I: 1}, ""
	case gjson.False:
		return Value{Kind: Bool}, ""
	case gjson.String:
		switch r.Str {
		case "true", "True", "TRUE", "1":
			return Value{Kind: Bool, I: 1}, ""
		case "false", "False", "FALSE", "0":
			return Value{Kind: Bool}, ""
		}
	case gjson.Number:
		switch r.Raw {
		case "1":
			return Value{Kind: Bool, I: 1}, ""
		case "0":
			return Value{Kind: Bool}, ""
		}
	}
	return Value{}, "expected a boolean (true or false)"
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

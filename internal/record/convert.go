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

func (p *fieldPlan) fail(raw, reason string) error {
	return &FieldError{Field: p.name, Value: truncate(raw), Reason: reason}
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
		return p.timeValue(parseTimeJSON(r, p.field.Format))
	}
	return Value{Kind: JSON, S: compactString(r.Raw)}, ""
}

// timeValue turns a parsed time into the field's timestamp or date value, or the
// reason it failed.
func (p *fieldPlan) timeValue(pt parsedTime, err error) (Value, string) {
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

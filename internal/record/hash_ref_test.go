package record

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// This file keeps the canonical form as first written, field by field and without
// compiled plans, as the reference the Hasher is checked against (hash_equiv_test.go).

// refHasher builds canonical JSON the reference way.
type refHasher struct {
	json Hasher
}

// sorted returns the indexes of fields in ascending order of name.
func (h *refHasher) sorted(fields []schema.Field) []int {
	idx := make([]int, len(fields))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(fields[a].Name, fields[b].Name) })
	return idx
}

func (h *refHasher) appendObject(dst []byte, fields []schema.Field, vals []Value) []byte {
	dst = append(dst, '{')
	first := true
	for _, i := range h.sorted(fields) {
		if i >= len(vals) || vals[i].Kind == Absent {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = refAppendJSONString(dst, fields[i].Name)
		dst = append(dst, ':')
		dst = h.appendValue(dst, &fields[i], vals[i])
	}
	return append(dst, '}')
}

// appendValue appends the canonical JSON of v; f gives the names of object children
// and the element field of lists.
func (h *refHasher) appendValue(dst []byte, f *schema.Field, v Value) []byte {
	switch v.Kind {
	case Absent, Null:
		return append(dst, "null"...)
	case Bool:
		if v.I != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Int:
		return strconv.AppendInt(dst, v.I, 10)
	case Float:
		return refAppendCanonicalFloat(dst, v.F)
	case String:
		return refAppendJSONString(dst, v.S)
	case Time:
		dst = append(dst, '"')
		dst = refAppendTimeText(dst, v.I)
		return append(dst, '"')
	case Date:
		dst = append(dst, '"')
		dst = refAppendDateText(dst, v.I)
		return append(dst, '"')
	case JSON:
		return h.appendCanonicalJSON(dst, gjson.Parse(v.S))
	case Object:
		return h.appendObject(dst, f.Fields, v.L)
	case List:
		item := f.Items
		if item == nil {
			// Elements of a list without an item type are JSON values, which need no field.
			item = f
		}
		dst = append(dst, '[')
		for i, e := range v.L {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = h.appendValue(dst, item, e)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

// appendCanonicalJSON re-canonicalizes a json value. The hot-path rewrite left this
// code unchanged, so the reference delegates to it rather than keep a copy.
func (h *refHasher) appendCanonicalJSON(dst []byte, r gjson.Result) []byte {
	return h.json.appendCanonicalJSON(dst, r)
}

// appendCanonicalFloat writes integral floats below 2^53 as integers and others in the
// shortest round-trip form.
func refAppendCanonicalFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Inf"`...)
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// appendJSONString appends s quoted, escaping only '"', '\' and control characters.
func refAppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendTimeText appends UTC microseconds as YYYY-MM-DDThh:mm:ss.ffffffZ.
func refAppendTimeText(dst []byte, micros int64) []byte {
	t := time.UnixMicro(micros).UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
	}
	h, mi, sec := t.Clock()
	dst = refAppendDate(dst, y, int(mo), d)
	dst = append(dst, 'T')
	dst = refAppendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = refAppendPadded(dst, mi, 2)
	dst = append(dst, ':')
	dst = refAppendPadded(dst, sec, 2)
	dst = append(dst, '.')
	dst = refAppendPadded(dst, t.Nanosecond()/1000, 6)
	return append(dst, 'Z')
}

// appendDateText appends days since the epoch as YYYY-MM-DD.
func refAppendDateText(dst []byte, days int64) []byte {
	t := time.Unix(days*86400, 0).UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, "2006-01-02")
	}
	return refAppendDate(dst, y, int(mo), d)
}

func refAppendDate(dst []byte, y, mo, d int) []byte {
	dst = refAppendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = refAppendPadded(dst, mo, 2)
	dst = append(dst, '-')
	return refAppendPadded(dst, d, 2)
}

// appendPadded appends a non-negative v as exactly width decimal digits.
func refAppendPadded(dst []byte, v, width int) []byte {
	n := len(dst)
	for range width {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= n; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

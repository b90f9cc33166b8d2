package format

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// NewJSONL returns a Writer that writes rows of s to w as JSON Lines: one compact JSON
// object per line, keys in schema order. Absent values are omitted and Null values are
// written as null. Timestamps are RFC 3339 in UTC with a "Z" suffix and up to microsecond
// precision, trailing fractional zeros trimmed (2024-01-15T10:30:00.5Z); dates are
// YYYY-MM-DD; JSON values are written verbatim; floats that are NaN or infinite, which
// JSON cannot represent, are written as null. Ints are JSON numbers: consumers that
// parse numbers as doubles lose precision above 2^53, so ids that need exact 64-bit
// values should be declared as strings. Output is buffered; Close flushes it.
func NewJSONL(w io.Writer, s schema.Schema) Writer {
	return &jsonlWriter{w: bufio.NewWriterSize(w, 64<<10), fields: s.Fields}
}

type jsonlWriter struct {
	w      *bufio.Writer
	fields []schema.Field
	line   []byte
}

// Write encodes row as one line.
func (j *jsonlWriter) Write(row record.Row) error {
	if len(row) != len(j.fields) {
		return fmt.Errorf("jsonl: row has %d values, schema has %d fields", len(row), len(j.fields))
	}
	line, err := appendObject(j.line[:0], j.fields, row)
	if err != nil {
		return fmt.Errorf("jsonl: %w", err)
	}
	line = append(line, '\n')
	j.line = line
	if _, err := j.w.Write(line); err != nil {
		return fmt.Errorf("jsonl: write: %w", err)
	}
	return nil
}

// Close flushes buffered lines.
func (j *jsonlWriter) Close() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("jsonl: flush: %w", err)
	}
	return nil
}

// fieldError is an encoding error with the path of the field, relative to the value
// being encoded; paths are joined only on the error path so that encoding allocates
// nothing per field.
type fieldError struct {
	path string
	msg  string
}

func (e *fieldError) Error() string { return fmt.Sprintf("field %q %s", e.path, e.msg) }

// under prefixes the error's path with name (a field name, or "[]" for list elements).
func (e *fieldError) under(name string) *fieldError {
	switch {
	case e.path == "":
		e.path = name
	case e.path[0] == '[':
		e.path = name + e.path
	default:
		e.path = name + "." + e.path
	}
	return e
}

// appendObject appends the JSON object of values aligned with fields; values beyond
// the end of vals count as Absent.
func appendObject(b []byte, fields []schema.Field, vals []record.Value) ([]byte, error) {
	b = append(b, '{')
	first := true
	for i, f := range fields {
		if i >= len(vals) || vals[i].Kind == record.Absent {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.Name)
		b = append(b, ':')
		var err *fieldError
		if b, err = appendValue(b, f, vals[i]); err != nil {
			return b, err.under(f.Name)
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, f schema.Field, v record.Value) ([]byte, *fieldError) {
	switch v.Kind {
	case record.Absent, record.Null:
		return append(b, "null"...), nil
	case record.Bool:
		return strconv.AppendBool(b, v.I == 1), nil
	case record.Int:
		return strconv.AppendInt(b, v.I, 10), nil
	case record.Float:
		return appendFloat(b, v.F), nil
	case record.String:
		return appendString(b, v.S), nil
	case record.Time:
		return appendTime(b, v.I), nil
	case record.Date:
		b = append(b, '"')
		b = time.Unix(v.I*86400, 0).UTC().AppendFormat(b, time.DateOnly)
		return append(b, '"'), nil
	case record.JSON:
		if v.S == "" {
			return append(b, "null"...), nil
		}
		return append(b, v.S...), nil
	case record.Object:
		if f.Type != schema.Object {
			return b, &fieldError{msg: fmt.Sprintf("of type %s holds an object", f.Type)}
		}
		b, err := appendObject(b, f.Fields, v.L)
		if err != nil {
			return b, err.(*fieldError)
		}
		return b, nil
	case record.List:
		if f.Type != schema.List || f.Items == nil {
			return b, &fieldError{msg: fmt.Sprintf("of type %s holds a list", f.Type)}
		}
		b = append(b, '[')
		for i, e := range v.L {
			if i > 0 {
				b = append(b, ',')
			}
			var err *fieldError
			if b, err = appendValue(b, *f.Items, e); err != nil {
				return b, err.under("[]")
			}
		}
		return append(b, ']'), nil
	}
	return b, &fieldError{msg: fmt.Sprintf("has unknown value kind %d", v.Kind)}
}

// appendTime appends micros as a quoted RFC 3339 UTC timestamp.
func appendTime(b []byte, micros int64) []byte {
	b = append(b, '"')
	b = time.UnixMicro(micros).UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendFloat formats like encoding/json (and JavaScript): the shortest text that
// parses back to the same double.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD; HTML
// characters are not escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

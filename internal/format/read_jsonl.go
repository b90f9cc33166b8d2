package format

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// maxJSONLLine bounds the length of one JSON Lines record the reader accepts.
const maxJSONLLine = 64 << 20

// ReadJSONL returns the rows of the JSON Lines in r, typed by s: the inverse of
// NewJSONL. A key missing from a line is Absent, null is Null, and keys not in s are
// ignored. Blank lines are skipped. The sequence yields at most one error, naming the
// line, after which it stops.
func ReadJSONL(r io.Reader, s schema.Schema) iter.Seq2[record.Row, error] {
	return func(yield func(record.Row, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxJSONLLine)
		line := 0
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			vals, err := decodeObject(b, s.Fields, "")
			if err != nil {
				yield(nil, fmt.Errorf("jsonl line %d: %w", line, err))
				return
			}
			if !yield(record.Row(vals), nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(nil, fmt.Errorf("jsonl line %d: %w", line+1, err))
		}
	}
}

func decodeObject(b []byte, fields []schema.Field, path string) ([]record.Value, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	vals := make([]record.Value, len(fields))
	for i, f := range fields {
		raw, ok := m[f.Name]
		if !ok {
			continue
		}
		v, err := decodeValue(raw, f, path+f.Name)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

func decodeValue(raw json.RawMessage, f schema.Field, path string) (record.Value, error) {
	if string(raw) == "null" {
		return record.Value{Kind: record.Null}, nil
	}
	bad := func(err error) (record.Value, error) {
		return record.Value{}, fmt.Errorf("field %q (%s): %w", path, f.Type, err)
	}
	switch f.Type {
	case schema.String:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad(err)
		}
		return record.Value{Kind: record.String, S: s}, nil
	case schema.Int:
		i, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return bad(err)
		}
		return record.Value{Kind: record.Int, I: i}, nil
	case schema.Float:
		x, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return bad(err)
		}
		return record.Value{Kind: record.Float, F: x}, nil
	case schema.Bool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return bad(err)
		}
		if b {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case schema.Timestamp, schema.Date:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return bad(err)
		}
		if f.Type == schema.Date {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return bad(err)
			}
			return record.Value{Kind: record.Date, I: t.Unix() / 86400}, nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return bad(err)
		}
		return record.Value{Kind: record.Time, I: t.UnixMicro()}, nil
	case schema.JSON:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return bad(err)
		}
		return record.Value{Kind: record.JSON, S: buf.String()}, nil
	case schema.Object:
		kids, err := decodeObject(raw, f.Fields, path+".")
		if err != nil {
			return record.Value{}, err
		}
		return record.Value{Kind: record.Object, L: kids}, nil
	case schema.List:
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return bad(err)
		}
		if f.Items == nil {
			return bad(fmt.Errorf("list without items"))
		}
		l := make([]record.Value, len(elems))
		for i, e := range elems {
			v, err := decodeValue(e, *f.Items, path+"[]")
			if err != nil {
				return v, err
			}
			l[i] = v
		}
		return record.Value{Kind: record.List, L: l}, nil
	}
	return bad(fmt.Errorf("unknown type"))
}

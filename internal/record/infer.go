package record

import (
	"strconv"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
)

// observed accumulates what one key held across the samples.
type observed struct {
	name      string
	bools     bool
	ints      bool // integral numbers within int64
	bigInts   bool // integral numbers beyond int64
	floats    bool // numbers with a fraction or an exponent
	strings   bool
	nonTimes  bool // some string is not a zoned timestamp
	composite bool // an object or an array
}

// Infer returns the top-level columns of sample records (raw JSON objects, typically the
// first page) for streams that declare no fields. Columns appear in order of first
// appearance. Per key, ignoring nulls:
//   - all true/false: bool;
//   - all numbers: int when every one is integral and fits int64 (written without a
//     fraction or exponent), float when any has a fraction or exponent, string when an
//     integer is beyond int64 (its digits are kept exactly);
//   - all strings: timestamp when every one is an ISO 8601 / RFC 3339 date-time with an
//     explicit zone (Z, +00:00, +0000), else string;
//   - objects, arrays, or a mix of kinds: json;
//   - only nulls: string.
//
// Samples that are not JSON objects are skipped.
func Infer(samples []string) schema.Schema {
	var keys []*observed
	index := make(map[string]*observed)
	for _, raw := range samples {
		root := gjson.Parse(raw)
		if !root.IsObject() {
			continue
		}
		root.ForEach(func(k, v gjson.Result) bool {
			o, ok := index[k.Str]
			if !ok {
				o = &observed{name: k.Str}
				index[k.Str] = o
				keys = append(keys, o)
			}
			o.observe(v)
			return true
		})
	}
	fields := make([]schema.Field, len(keys))
	for i, o := range keys {
		fields[i] = schema.Field{Name: o.name, Type: o.decide()}
	}
	return schema.Schema{Fields: fields}
}

func (o *observed) observe(v gjson.Result) {
	switch v.Type {
	case gjson.Null:
	case gjson.True, gjson.False:
		o.bools = true
	case gjson.Number:
		if allDigitsSigned(v.Raw) {
			if _, err := strconv.ParseInt(v.Raw, 10, 64); err == nil {
				o.ints = true
			} else {
				o.bigInts = true
			}
		} else {
			o.floats = true
		}
	case gjson.String:
		o.strings = true
		if !o.nonTimes {
			p, reason := parseISO(v.Str)
			o.nonTimes = reason != "" || !p.zoned
		}
	default:
		o.composite = true
	}
}

func (o *observed) decide() schema.Type {
	numbers := o.ints || o.bigInts || o.floats
	kinds := 0
	for _, b := range []bool{o.bools, numbers, o.strings, o.composite} {
		if b {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return schema.String
	case kinds > 1 || o.composite:
		return schema.JSON
	case o.bools:
		return schema.Bool
	case o.strings && !o.nonTimes:
		return schema.Timestamp
	case o.strings:
		return schema.String
	case o.floats:
		return schema.Float
	case o.bigInts:
		return schema.String
	}
	return schema.Int
}

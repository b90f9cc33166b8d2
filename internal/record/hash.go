package record

import (
	"encoding/hex"
	"strconv"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
	"github.com/zeebo/xxh3"
)

// Hasher computes the deterministic identity of records: content hashes and keys. Its
// buffers are reused, so hashing allocates nothing per record once warm; one Hasher must
// not be used by several goroutines at once. The zero value is ready to use.
//
// The content hash is xxh3-128 over the record's canonical JSON, defined as follows:
//
//   - A row, and an object value, is a JSON object of its fields in ascending byte order
//     of field name; Absent fields are omitted. No whitespace anywhere.
//   - Null is null; a bool is true or false; an int is its decimal digits.
//   - A float with an integral value below 2^53 in magnitude is written as an integer
//     (so 1.0 and 1 hash alike, and -0 is 0); other floats use the shortest form that
//     round-trips (strconv 'g', precision -1: 1.5, 1e+21, 1e-07); NaN and ±Inf, which
//     extraction never produces, are the strings "NaN", "+Inf" and "-Inf".
//   - A string is quoted; only '"', '\' and control characters below U+0020 are escaped
//     (\", \\, \b, \f, \n, \r, \t, else \u00XX, lower-case hex); everything else,
//     including non-ASCII text, is written as raw UTF-8 bytes.
//   - A timestamp is the string "YYYY-MM-DDThh:mm:ss.ffffffZ" (UTC, always six
//     fraction digits); a date is the string "YYYY-MM-DD".
//   - A json value is re-canonicalized: object keys sorted by their decoded bytes
//     (duplicate keys keep their order), strings re-escaped as above, numbers written as
//     above (integer literals beyond int64 keep their exact digits), whitespace removed.
//   - A list is [e1,e2,...], each element canonical (Absent elements as null).
//
// A Hasher compiles the canonical layout of each schema it meets once (see hashPlan),
// identifying a field list by its backing array: a schema's fields must not be
// modified in place after it has been hashed.
type Hasher struct {
	buf   []byte
	pairs []jsonPair
	plans map[orderKey]*hashPlan
	last  *hashPlan // the plan of the last top-level field list, checked first
}

type jsonPair struct {
	key   string
	value gjson.Result
}

// Sum returns the content hash of row, whose values are aligned with s.Fields.
func (h *Hasher) Sum(s schema.Schema, row Row) [16]byte {
	h.buf = h.appendObject(h.buf[:0], h.topPlan(s.Fields), row)
	return xxh3.Hash128(h.buf).Bytes()
}

// AppendCanonical appends the canonical JSON of row (see Hasher) to dst.
func (h *Hasher) AppendCanonical(dst []byte, s schema.Schema, row Row) []byte {
	return h.appendObject(dst, h.topPlan(s.Fields), row)
}

// Identify returns row's key and content hash, and appends the key's text to dst.
//
// The content hash is Sum. The key is the hash of the canonical JSON array of the
// primary key values (pk holds indexes into s.Fields; Absent values count as null), or
// the content hash when pk is empty. The key's text, for the _key column, is readable:
// for one key field its plain text (a string unquoted, 1577730467436138524; a number's
// digits; a timestamp or date as in the canonical form; null when Absent or null); for
// several, the canonical JSON array (["acme",42]); without a primary key, the content
// hash in hex. The canonical key array is written once for both the key and its text.
func (h *Hasher) Identify(dst []byte, s schema.Schema, row Row, pk []int) (key, sum [16]byte, out []byte) {
	sum = h.Sum(s, row)
	if len(pk) == 0 {
		return sum, sum, hex.AppendEncode(dst, sum[:])
	}
	h.buf = h.appendKeyArray(h.buf[:0], s, row, pk)
	key = xxh3.Hash128(h.buf).Bytes()
	arr := h.buf
	if len(pk) > 1 {
		return key, sum, append(dst, arr...)
	}
	switch v := &row[pk[0]]; v.Kind {
	case String:
		return key, sum, append(dst, v.S...)
	case Absent, Null:
		return key, sum, append(dst, "null"...)
	case Time, Date:
		// ["2024-01-15"]: the text without the brackets and quotes.
		return key, sum, append(dst, arr[2:len(arr)-2]...)
	}
	return key, sum, append(dst, arr[1:len(arr)-1]...)
}

func (h *Hasher) appendKeyArray(dst []byte, s schema.Schema, row Row, pk []int) []byte {
	dst = append(dst, '[')
	for i, idx := range pk {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = h.appendValueNode(dst, &s.Fields[idx], &row[idx], nil)
	}
	return append(dst, ']')
}

func (h *Hasher) appendObject(dst []byte, plan *hashPlan, vals []Value) []byte {
	open := len(dst)
	for k := range plan.fields {
		hf := &plan.fields[k]
		if hf.idx >= len(vals) || vals[hf.idx].Kind == Absent {
			continue
		}
		dst = append(dst, hf.key...)
		// The commonest kinds are written here, saving a call per value.
		switch v := &vals[hf.idx]; v.Kind {
		case String:
			dst = appendStringValue(dst, v)
		case Int:
			dst = appendIntValue(dst, v)
		default:
			dst = h.appendValueNode(dst, hf.field, v, hf.node)
		}
	}
	if len(dst) == open {
		return append(dst, '{', '}')
	}
	// Every key was written after a comma; the first comma opens the object.
	dst[open] = '{'
	return append(dst, '}')
}

// appendValueNode appends the canonical JSON of v; f gives the names of object children
// and the element field of lists, node its compiled layout when known (nil or stale: it
// is looked up).
func (h *Hasher) appendValueNode(dst []byte, f *schema.Field, v *Value, node *hashNode) []byte {
	switch v.Kind {
	case Absent, Null:
		return append(dst, "null"...)
	case Bool:
		if v.I != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case Int:
		return appendIntValue(dst, v)
	case Float:
		if v.Verbatim {
			return append(dst, v.S...)
		}
		return appendCanonicalFloat(dst, v.F)
	case String:
		return appendStringValue(dst, v)
	case Time:
		dst = append(dst, '"')
		dst = appendTimeText(dst, v.I)
		return append(dst, '"')
	case Date:
		dst = append(dst, '"')
		dst = appendDateText(dst, v.I)
		return append(dst, '"')
	case JSON:
		return h.appendCanonicalJSON(dst, gjson.Parse(v.S))
	case Object:
		var plan *hashPlan
		if node != nil && node.obj.matches(f.Fields) {
			plan = node.obj
		} else {
			plan = h.plan(f.Fields)
		}
		return h.appendObject(dst, plan, v.L)
	case List:
		item := f.Items
		if item == nil {
			// Elements of a list without an item type are JSON values, which need no field.
			item = f
		}
		var itemNode *hashNode
		if node != nil {
			itemNode = node.item
		}
		dst = append(dst, '[')
		for i := range v.L {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = h.appendValueNode(dst, item, &v.L[i], itemNode)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

// appendIntValue appends the canonical JSON of the Int v: its digits as extraction read
// them when it marked them Verbatim, else formatted.
func appendIntValue(dst []byte, v *Value) []byte {
	if v.Verbatim {
		return append(dst, v.S...)
	}
	return strconv.AppendInt(dst, v.I, 10)
}

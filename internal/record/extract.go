package record

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/internal/schema"
)

// What to do with top-level record keys that no field declares.
const (
	// AdditionalKeep gathers undeclared keys into the ExtraField column (the default).
	AdditionalKeep = "keep"
	// AdditionalDrop ignores undeclared keys.
	AdditionalDrop = "drop"
	// AdditionalFail rejects a record that has an undeclared key.
	AdditionalFail = "fail"
)

// ExtraField is the name of the json column that holds undeclared top-level keys when
// additional fields are kept.
const ExtraField = "_extra"

// Extractor turns raw JSON records into rows of one schema. It keeps scratch buffers, so
// one Extractor must not be used by several goroutines at once; create one per worker.
type Extractor struct {
	out        schema.Schema
	top        *objectPlan
	additional string
	extra      []byte
}

// objectPlan is the compiled form of a list of fields read from one JSON object.
type objectPlan struct {
	fields []fieldPlan
	// keys maps every declared key of the object (a plain path, or the first segment
	// of a dotted one) to its entry.
	keys    map[string]int32
	entries []keyEntry
	// plain counts the fields read directly from one key.
	plain int
	// complex lists the fields whose path needs gjson.Get.
	complex []int
	// seq remembers the entry met at each position of the last object scanned (-1:
	// none), so that records whose keys come in a stable order are matched by one
	// string comparison per key instead of a map lookup.
	seq []int32
}

// keyEntry is one declared key of an object.
type keyEntry struct {
	key string
	// verbatim: the key's JSON text is the key itself between quotes (it holds no quote,
	// backslash or control character), so it can be matched byte for byte.
	verbatim bool
	// fields are the fields read from this key directly, in declaration order; empty
	// when the key only leads to complex paths.
	fields []int
	// words and masks hold the key and its closing quote as little-endian words, for a
	// verbatim key of at most 15 bytes (words is 0 otherwise): predicted compares them
	// in one or two loads.
	words      int
	word, mask [2]uint64
}

// newKeyEntry returns the entry of key.
func newKeyEntry(key string) keyEntry {
	e := keyEntry{key: key, verbatim: verbatimKey(key)}
	if text := key + `"`; e.verbatim && len(text) <= 16 {
		e.words = (len(text) + 7) / 8
		for k := range len(text) {
			e.word[k/8] |= uint64(text[k]) << (8 * (k % 8))
			e.mask[k/8] |= 0xff << (8 * (k % 8))
		}
	}
	return e
}

// maxSeq bounds the key positions remembered per object.
const maxSeq = 64

// fieldPlan is the compiled form of one field.
type fieldPlan struct {
	field *schema.Field
	typ   fieldType
	iso   bool   // a timestamp or date whose format reads ISO 8601 text
	name  string // the column's dotted name, for errors
	path  string
	obj   *objectPlan // Object fields
	item  *fieldPlan  // List fields (nil: elements kept as JSON)
}

// fieldType is schema.Type as a small integer, for cheap dispatch per value.
type fieldType uint8

const (
	typeString fieldType = iota
	typeInt
	typeFloat
	typeBool
	typeTime
	typeDate
	typeJSON
	typeObject
	typeList
)

// typeOf returns the fieldType of t, a known type.
func typeOf(t schema.Type) fieldType {
	switch t {
	case schema.Int:
		return typeInt
	case schema.Float:
		return typeFloat
	case schema.Bool:
		return typeBool
	case schema.Timestamp:
		return typeTime
	case schema.Date:
		return typeDate
	case schema.JSON:
		return typeJSON
	case schema.Object:
		return typeObject
	case schema.List:
		return typeList
	}
	return typeString
}

// NewExtractor compiles s for extraction. additional is "keep" (also when empty), "drop"
// or "fail", and applies to top-level keys only. A key counts as declared when a field's
// path is that key or starts with it ("public_metrics.like_count" declares
// "public_metrics"). With "keep", undeclared keys are gathered, in record order, into
// the ExtraField column as a compact JSON object (Absent when there are none).
// NewExtractor fails on an invalid field (unknown type, unknown time format, duplicate
// or reserved name).
func NewExtractor(s schema.Schema, additional string) (*Extractor, error) {
	switch additional {
	case "":
		additional = AdditionalKeep
	case AdditionalKeep, AdditionalDrop, AdditionalFail:
	default:
		return nil, fmt.Errorf("additional_fields %q: expected keep, drop or fail", additional)
	}
	top, err := compileObject(s.Fields, "")
	if err != nil {
		return nil, err
	}
	out := schema.Schema{Fields: slices.Clone(s.Fields)}
	if additional == AdditionalKeep {
		if s.Index(ExtraField) >= 0 {
			return nil, fmt.Errorf("field %q: name is reserved for undeclared fields (rename it, or set additional_fields: drop)", ExtraField)
		}
		out.Fields = append(out.Fields, schema.Field{Name: ExtraField, Type: schema.JSON})
	}
	return &Extractor{out: out, top: top, additional: additional}, nil
}

// Schema returns the columns of the rows Extract produces: the declared fields, plus a
// final ExtraField json column when additional fields are kept.
func (e *Extractor) Schema() schema.Schema { return e.out }

func compileObject(fields []schema.Field, prefix string) (*objectPlan, error) {
	p := &objectPlan{fields: make([]fieldPlan, len(fields)), keys: make(map[string]int32)}
	seen := make(map[string]bool, len(fields))
	for i := range fields {
		f := &fields[i]
		name := prefix + f.Name
		if f.Name == "" {
			return nil, fmt.Errorf("field %d of %q: name is empty", i+1, strings.TrimSuffix(prefix, "."))
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("field %q: declared twice", name)
		}
		seen[f.Name] = true
		fp, err := compileField(f, name)
		if err != nil {
			return nil, err
		}
		p.fields[i] = *fp
		switch path := fp.path; {
		case isPlainKey(path):
			e := p.declare(path)
			e.fields = append(e.fields, i)
			p.plain++
		default:
			p.complex = append(p.complex, i)
			if first, _, ok := strings.Cut(path, "."); ok && isPlainKey(first) {
				p.declare(first)
			}
		}
	}
	return p, nil
}

// declare returns the entry of key, adding it when new.
func (p *objectPlan) declare(key string) *keyEntry {
	e, ok := p.keys[key]
	if !ok {
		e = int32(len(p.entries))
		p.keys[key] = e
		p.entries = append(p.entries, newKeyEntry(key))
	}
	return &p.entries[e]
}

func verbatimKey(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c == '"' || c == '\\' || c < 0x20 {
			return false
		}
	}
	return true
}

// predicted returns the entry of the key whose opening quote is s[i], the pos-th key of
// its object, and the index past its closing quote, when it is the declared key last
// seen at pos written verbatim: a comparison of bytes instead of scanning the key and
// looking it up. Otherwise it returns nil.
func (p *objectPlan) predicted(s string, i, pos int) (*keyEntry, int) {
	if pos >= len(p.seq) || p.seq[pos] < 0 {
		return nil, 0
	}
	e := &p.entries[p.seq[pos]]
	if e.words > 0 && i+1+8*e.words <= len(s) {
		if load64(s, i+1)&e.mask[0] != e.word[0] || (e.words == 2 && load64(s, i+9)&e.mask[1] != e.word[1]) {
			return nil, 0
		}
		return e, i + 2 + len(e.key)
	}
	end := i + 1 + len(e.key)
	if !e.verbatim || end >= len(s) || s[end] != '"' || s[i+1:end] != e.key {
		return nil, 0
	}
	return e, end + 1
}

// lookup returns the entry of key, the pos-th key of the object, or nil when the key
// is not declared.
func (p *objectPlan) lookup(key string, pos int) *keyEntry {
	if pos < len(p.seq) {
		if e := p.seq[pos]; e >= 0 && p.entries[e].key == key {
			return &p.entries[e]
		}
	}
	e, ok := p.keys[key]
	if !ok {
		e = -1
	}
	switch {
	case pos < len(p.seq):
		p.seq[pos] = e
	case pos == len(p.seq) && pos < maxSeq:
		p.seq = append(p.seq, e)
	}
	if e < 0 {
		return nil
	}
	return &p.entries[e]
}

func compileField(f *schema.Field, name string) (*fieldPlan, error) {
	fp := &fieldPlan{field: f, typ: typeOf(f.Type), name: name, path: f.SourcePath()}
	fp.iso = (fp.typ == typeTime || fp.typ == typeDate) && (f.Format == FormatDetect || f.Format == FormatRFC3339)
	switch f.Type {
	case schema.String, schema.Int, schema.Float, schema.Bool, schema.JSON:
	case schema.Timestamp, schema.Date:
		if err := ValidateTimeFormat(f.Format); err != nil {
			return nil, fmt.Errorf("field %q: %w", name, err)
		}
	case schema.Object:
		obj, err := compileObject(f.Fields, name+".")
		if err != nil {
			return nil, err
		}
		fp.obj = obj
	case schema.List:
		if f.Items != nil {
			item, err := compileField(f.Items, name+"[]")
			if err != nil {
				return nil, err
			}
			fp.item = item
		}
	default:
		return nil, fmt.Errorf("field %q: unknown type %q (expected one of %s)", name, f.Type, typeNames())
	}
	return fp, nil
}

func typeNames() string {
	names := make([]string, len(schema.Types))
	for i, t := range schema.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// isPlainKey reports whether a gjson path is one object key without any path syntax.
func isPlainKey(path string) bool {
	return path != "" && !strings.ContainsAny(path, ".|#@*?\\{}[]!=<>%,:\"'")
}

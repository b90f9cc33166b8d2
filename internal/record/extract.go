package record

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/tidwall/gjson"
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
	// byKey maps a plain top-level key to the fields read from it directly.
	byKey map[string][]int
	// complex lists the fields whose path needs gjson.Get.
	complex []int
	// declared holds the first segment of every simple path (for additional fields).
	declared map[string]bool
}

// fieldPlan is the compiled form of one field.
type fieldPlan struct {
	field *schema.Field
	name  string // the column's dotted name, for errors
	path  string
	obj   *objectPlan // Object fields
	item  *fieldPlan  // List fields (nil: elements kept as JSON)
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
	p := &objectPlan{
		fields:   make([]fieldPlan, len(fields)),
		byKey:    make(map[string][]int),
		declared: make(map[string]bool),
	}
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
			p.byKey[path] = append(p.byKey[path], i)
			p.declared[path] = true
		default:
			p.complex = append(p.complex, i)
			if first, _, ok := strings.Cut(path, "."); ok && isPlainKey(first) {
				p.declared[first] = true
			}
		}
	}
	return p, nil
}

func compileField(f *schema.Field, name string) (*fieldPlan, error) {
	fp := &fieldPlan{field: f, name: name, path: f.SourcePath()}
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
		return nil, fmt.Errorf("field %q: unknown type %q (expected one of %s)", name, f.Type, typeList())
	}
	return fp, nil
}

func typeList() string {
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

// Extract fills one row from raw, one record's JSON object, which must be valid JSON
// (it was selected from a parsed response). The row is aligned with Schema(). dst's
// backing arrays, including those of nested objects and lists, are reused when large
// enough, so a caller that keeps rows must pass nil (or a fresh row) each time.
//
// A key that is missing yields an Absent value; a JSON null yields Null. Errors are
// *FieldError values naming the offending column.
func (e *Extractor) Extract(raw string, dst Row) (Row, error) {
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
		idx, ok := e.top.byKey[key.Str]
		if ok {
			err = e.top.assign(idx, value, dst)
			return err == nil
		}
		if e.top.declared[key.Str] {
			return true
		}
		switch e.additional {
		case AdditionalKeep:
			if len(extra) == 0 {
				extra = append(extra, '{')
			} else {
				extra = append(extra, ',')
			}
			extra = appendCompact(extra, key.Raw)
			extra = append(extra, ':')
			extra = appendCompact(extra, value.Raw)
		case AdditionalFail:
			err = &FieldError{Field: key.Str, Value: truncate(value.Raw), Reason: "field is not declared (declare it, or set additional_fields: keep or drop)"}
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
	if e.additional == AdditionalKeep {
		e.extra = extra
		dst[n-1] = Value{}
		if len(extra) > 0 {
			extra = append(extra, '}')
			e.extra = extra
			dst[n-1] = Value{Kind: JSON, S: string(extra)}
		}
	}
	return dst, nil
}

// resetKinds marks every value Absent while keeping its L for reuse.
func resetKinds(vals []Value) {
	for i := range vals {
		vals[i].Kind = Absent
	}
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

// finish reads the complex paths, clears fields left Absent and checks required ones.
func (p *objectPlan) finish(obj gjson.Result, dst []Value) error {
	for _, i := range p.complex {
		v, err := p.fields[i].convert(obj.Get(p.fields[i].path), dst[i].L)
		if err != nil {
			return err
		}
		dst[i] = v
	}
	for i := range dst {
		if dst[i].Kind == Absent {
			dst[i] = Value{}
		}
		if p.fields[i].field.Required && dst[i].IsNull() {
			reason := "required field is missing"
			if dst[i].Kind == Null {
				reason = "required field is null"
			}
			return &FieldError{Field: p.fields[i].name, Reason: reason}
		}
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
	if len(p.byKey) > 0 {
		obj.ForEach(func(key, value gjson.Result) bool {
			if idx, ok := p.byKey[key.Str]; ok {
				err = p.assign(idx, value, dst)
			}
			return err == nil
		})
		if err != nil {
			return dst, err
		}
	}
	return dst, p.finish(obj, dst)
}

// Package schema describes the typed columns of a stream: the fields a source spec declares
// (or that are inferred from the first page of records), their types, and a stable fingerprint
// that changes whenever the shape of the written files would change.
package schema

import (
	"encoding/hex"
	"strings"

	"github.com/zeebo/xxh3"
)

// Type is the declared type of a field.
type Type string

// The field types a spec may declare.
const (
	String    Type = "string"    // UTF-8 text; JSON numbers are kept as their exact digits
	Int       Type = "int"       // signed 64-bit integer; JSON strings holding digits are parsed
	Float     Type = "float"     // IEEE 754 double
	Bool      Type = "bool"      // true/false
	Timestamp Type = "timestamp" // an instant, stored as UTC microseconds
	Date      Type = "date"      // a calendar date without a time zone
	JSON      Type = "json"      // any JSON value, kept verbatim as compact text
	Object    Type = "object"    // a nested object with declared Fields
	List      Type = "list"      // a JSON array whose elements are all of type Items
)

// Types lists every valid Type, in documentation order.
var Types = []Type{String, Int, Float, Bool, Timestamp, Date, JSON, Object, List}

// Field is one declared column. Object fields carry their children in Fields; list fields
// carry their element type in Items (whose Name is ignored).
type Field struct {
	// Name is the column name in the written files.
	Name string `yaml:"name" json:"name"`
	// Type is the column type.
	Type Type `yaml:"type" json:"type"`
	// Path is the location of the value inside the record, as a dotted path
	// (gjson syntax). Empty means the same as Name.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Format tells how a timestamp or date is written by the API: "" (detect),
	// "rfc3339", "unix", "unix_ms", "unix_float", "date" (YYYY-MM-DD), "yyyymmdd",
	// or a Go reference layout such as "2006-01-02 15:04:05".
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// Fields are the children of an object field.
	Fields []Field `yaml:"fields,omitempty" json:"fields,omitempty"`
	// Items is the element type of a list field.
	Items *Field `yaml:"items,omitempty" json:"items,omitempty"`
	// Required makes a record without this field (or with null) a rejected record.
	Required bool `yaml:"required,omitempty" json:"required,omitempty"`
}

// SourcePath returns Path, or Name when Path is empty.
func (f Field) SourcePath() string {
	if f.Path != "" {
		return f.Path
	}
	return f.Name
}

// Schema is the ordered list of columns of one stream.
type Schema struct {
	Fields []Field `json:"fields"`
}

// Index returns the position of the top-level field named name, or -1.
func (s Schema) Index(name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Fingerprint returns a short stable hex digest of the column names, types and nesting.
// Two schemas with the same fingerprint produce files with the same physical schema.
func (s Schema) Fingerprint() string {
	var b strings.Builder
	for _, f := range s.Fields {
		writeShape(&b, f)
		b.WriteByte(';')
	}
	sum := xxh3.HashString128(b.String()).Bytes()
	return hex.EncodeToString(sum[:8])
}

func writeShape(b *strings.Builder, f Field) {
	b.WriteString(f.Name)
	b.WriteByte(':')
	b.WriteString(string(f.Type))
	switch f.Type {
	case Object:
		b.WriteByte('{')
		for _, c := range f.Fields {
			writeShape(b, c)
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case List:
		b.WriteByte('[')
		if f.Items != nil {
			writeShape(b, *f.Items)
		}
		b.WriteByte(']')
	}
}

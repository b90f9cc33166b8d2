// Package record holds the typed values of one record, turns raw API JSON into them
// (field selection, UTC time parsing, exact integers), and gives every record its
// deterministic identity: a key and a content hash.
package record

// Kind tells which member of a Value is meaningful.
type Kind uint8

// The kinds of values.
const (
	// Absent marks a declared field that the API did not send at all.
	Absent Kind = iota
	// Null marks a field the API sent as JSON null.
	Null
	// Bool is true when I == 1.
	Bool
	// Int is a signed 64-bit integer in I.
	Int
	// Float is a double in F.
	Float
	// String is text in S.
	String
	// Time is an instant: microseconds since the Unix epoch, UTC, in I.
	Time
	// Date is a calendar date: days since 1970-01-01 in I.
	Date
	// JSON is compact JSON text in S.
	JSON
	// List holds its elements in L.
	List
	// Object holds its children in L, aligned with the schema field's Fields.
	Object
)

// Value is one typed value. It is a plain struct (not an interface) so that rows of
// values can be built and hashed without allocation per field.
type Value struct {
	Kind Kind
	// Verbatim, for a String, tells that S holds no '"', '\\' or control character, so
	// that its canonical JSON is S between quotes as it stands; for an Int, that S holds
	// I's decimal digits as the canonical JSON writes them (the API's own text); for a
	// Float, that S holds F as the canonical JSON writes it (the API's own text). False
	// means unknown.
	Verbatim bool
	I        int64
	F        float64
	S        string
	L        []Value
}

// IsNull reports whether v carries no value (absent or JSON null).
func (v Value) IsNull() bool { return v.Kind == Absent || v.Kind == Null }

// Row is one record as values aligned with the schema's top-level fields.
type Row []Value

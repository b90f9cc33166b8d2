package format

import (
	"fmt"
	"reflect"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/sluice-dev/sluice/internal/schema"
)

// parquetSchema returns the Parquet schema of s: every column optional, fields in schema
// order (parquet.Group would sort them by name), objects as groups and lists as the
// standard three-level LIST.
func parquetSchema(s schema.Schema) (*parquet.Schema, error) {
	root, err := groupNode(s.Fields, "")
	if err != nil {
		return nil, err
	}
	return parquet.NewSchema("sluice", root), nil
}

func groupNode(fields []schema.Field, path string) (orderedGroup, error) {
	g := orderedGroup{names: make([]string, len(fields)), nodes: make([]parquet.Node, len(fields))}
	seen := make(map[string]bool, len(fields))
	for i, f := range fields {
		if f.Name == "" {
			return g, fmt.Errorf("field %d of %q has no name", i, path)
		}
		if seen[f.Name] {
			return g, fmt.Errorf("duplicate field %q", path+f.Name)
		}
		seen[f.Name] = true
		n, err := fieldNode(f, path+f.Name)
		if err != nil {
			return g, err
		}
		g.names[i], g.nodes[i] = f.Name, parquet.Optional(n)
	}
	return g, nil
}

// fieldNode returns the (not yet optional) node of one field.
func fieldNode(f schema.Field, path string) (parquet.Node, error) {
	switch f.Type {
	case schema.String, schema.JSON:
		// JSON is stored as a plain UTF-8 string: every reader shows it as text and
		// DuckDB casts it with ::JSON, without depending on a JSON extension.
		return parquet.String(), nil
	case schema.Int:
		return parquet.Leaf(parquet.Int64Type), nil
	case schema.Float:
		return parquet.Leaf(parquet.DoubleType), nil
	case schema.Bool:
		return parquet.Leaf(parquet.BooleanType), nil
	case schema.Timestamp:
		return parquet.TimestampAdjusted(parquet.Microsecond, true), nil
	case schema.Date:
		return parquet.Date(), nil
	case schema.Object:
		if len(f.Fields) == 0 {
			return nil, fmt.Errorf("object field %q has no fields", path)
		}
		return groupNode(f.Fields, path+".")
	case schema.List:
		if f.Items == nil {
			return nil, fmt.Errorf("list field %q has no items", path)
		}
		items := *f.Items
		items.Name = "element"
		n, err := fieldNode(items, path+"[]")
		if err != nil {
			return nil, err
		}
		return parquet.List(parquet.Optional(n)), nil
	}
	return nil, fmt.Errorf("field %q: unknown type %q", path, f.Type)
}

// orderedGroup is a Parquet group whose children keep their declared order.
type orderedGroup struct {
	names []string
	nodes []parquet.Node
}

var _ parquet.Node = orderedGroup{}

func (g orderedGroup) ID() int                        { return 0 }
func (g orderedGroup) String() string                 { return parquet.Group(g.asMap()).String() }
func (g orderedGroup) Type() parquet.Type             { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool                 { return false }
func (g orderedGroup) Repeated() bool                 { return false }
func (g orderedGroup) Required() bool                 { return true }
func (g orderedGroup) Leaf() bool                     { return false }
func (g orderedGroup) Encoding() encoding.Encoding    { return nil }
func (g orderedGroup) Compression() compress.Codec    { return nil }
func (g orderedGroup) GoType() reflect.Type           { return parquet.Group(g.asMap()).GoType() }
func (g orderedGroup) asMap() map[string]parquet.Node { return mapOf(g.names, g.nodes) }

func (g orderedGroup) Fields() []parquet.Field {
	fields := make([]parquet.Field, len(g.nodes))
	for i := range g.nodes {
		fields[i] = namedField{Node: g.nodes[i], name: g.names[i]}
	}
	return fields
}

func mapOf(names []string, nodes []parquet.Node) map[string]parquet.Node {
	m := make(map[string]parquet.Node, len(names))
	for i, n := range names {
		m[n] = nodes[i]
	}
	return m
}

// namedField is one child of an orderedGroup. Value is never used: rows are shredded
// by this package, not by reflection.
type namedField struct {
	parquet.Node
	name string
}

func (f namedField) Name() string                      { return f.name }
func (f namedField) Value(reflect.Value) reflect.Value { return reflect.Value{} }

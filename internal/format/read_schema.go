package format

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/sluice-dev/sluice/internal/schema"
)

// fieldsOfNodes derives schema fields from the Parquet nodes of a file written without
// a stored sluice schema.
func fieldsOfNodes(nodes []parquet.Field, prefix string) ([]schema.Field, error) {
	fields := make([]schema.Field, len(nodes))
	for i, n := range nodes {
		f, err := fieldOfNode(n.Name(), n, prefix+n.Name())
		if err != nil {
			return nil, err
		}
		fields[i] = f
	}
	return fields, nil
}

func fieldOfNode(name string, n parquet.Node, path string) (schema.Field, error) {
	f := schema.Field{Name: name}
	if !n.Leaf() {
		if isList(n) {
			elem, err := listElement(n, path)
			if err != nil {
				return f, err
			}
			items, err := fieldOfNode("", elem, path+"[]")
			if err != nil {
				return f, err
			}
			f.Type, f.Items = schema.List, &items
			return f, nil
		}
		kids, err := fieldsOfNodes(n.Fields(), path+".")
		if err != nil {
			return f, err
		}
		f.Type, f.Fields = schema.Object, kids
		return f, nil
	}
	t := n.Type()
	if lt := t.LogicalType(); lt != nil {
		switch lt.Value.(type) {
		case *format.TimestampType:
			f.Type = schema.Timestamp
			return f, nil
		case *format.DateType:
			f.Type = schema.Date
			return f, nil
		case *format.JsonType:
			f.Type = schema.JSON
			return f, nil
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		f.Type = schema.Bool
	case parquet.Int32, parquet.Int64:
		f.Type = schema.Int
	case parquet.Float, parquet.Double:
		f.Type = schema.Float
	case parquet.ByteArray:
		f.Type = schema.String
	default:
		return f, fmt.Errorf("column %q: unsupported physical type %s", path, t.Kind())
	}
	return f, nil
}

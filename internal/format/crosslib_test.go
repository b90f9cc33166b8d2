package format

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// TestParquetReadByArrow reads files of the production writer with arrow-go, an
// independent implementation, and compares every value and the Arrow types.
func TestParquetReadByArrow(t *testing.T) {
	cases := []struct {
		name string
		opt  ParquetOptions
	}{
		{"one row group", ParquetOptions{}},
		{"row group per two rows", ParquetOptions{RowGroupRows: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := writeParquet(t, fullSchema, tc.opt, fullRows())
			tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(file), nil,
				pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			wantTypes := map[string]string{
				"id": "utf8", "n": "int64", "f": "float64", "ok": "bool",
				"ts": "timestamp[us, tz=UTC]", "d": "date32", "raw": "utf8",
				"owner":  "struct<id: utf8 nullable, tags: list<element: utf8, nullable> nullable, geo: struct<lat: float64 nullable, lon: float64 nullable> nullable>",
				"tags":   "list<element: utf8, nullable>",
				"events": "list<element: struct<name: utf8 nullable, at: timestamp[us, tz=UTC] nullable>, nullable>",
				"matrix": "list<element: list<element: int64, nullable>, nullable>",
			}
			for i, f := range tbl.Schema().Fields() {
				if f.Name != fullSchema.Fields[i].Name || f.Type.String() != wantTypes[f.Name] || !f.Nullable {
					t.Errorf("field %d: %s %s nullable=%v, want %s %s nullable", i, f.Name, f.Type, f.Nullable,
						fullSchema.Fields[i].Name, wantTypes[fullSchema.Fields[i].Name])
				}
			}
			if d := diffRows(collapseAbsent(fullRows()), arrowRows(t, tbl, fullSchema)); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// arrowRows converts every row of tbl, whose columns are s's fields, to record rows.
func arrowRows(t *testing.T, tbl arrow.Table, s schema.Schema) []record.Row {
	t.Helper()
	got := make([]record.Row, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		row := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				if got[row] == nil {
					got[row] = make(record.Row, tbl.NumCols())
				}
				v, err := arrowValue(chunk, i, s.Fields[c])
				if err != nil {
					t.Fatal(err)
				}
				got[row][c] = v
				row++
			}
		}
	}
	return got
}

// arrowValue converts element i of arr, typed by f, to a record value.
func arrowValue(arr arrow.Array, i int, f schema.Field) (record.Value, error) {
	if arr.IsNull(i) {
		return record.Value{Kind: record.Null}, nil
	}
	switch a := arr.(type) {
	case *array.String:
		if f.Type == schema.JSON {
			return record.Value{Kind: record.JSON, S: a.Value(i)}, nil
		}
		return record.Value{Kind: record.String, S: a.Value(i)}, nil
	case *array.Int64:
		return record.Value{Kind: record.Int, I: a.Value(i)}, nil
	case *array.Float64:
		return record.Value{Kind: record.Float, F: a.Value(i)}, nil
	case *array.Boolean:
		if a.Value(i) {
			return record.Value{Kind: record.Bool, I: 1}, nil
		}
		return record.Value{Kind: record.Bool}, nil
	case *array.Timestamp:
		if u := a.DataType().(*arrow.TimestampType).Unit; u != arrow.Microsecond {
			return record.Value{}, fmt.Errorf("timestamp unit %s", u)
		}
		return record.Value{Kind: record.Time, I: int64(a.Value(i))}, nil
	case *array.Date32:
		return record.Value{Kind: record.Date, I: int64(a.Value(i))}, nil
	case *array.Struct:
		kids := make([]record.Value, a.NumField())
		for j := range kids {
			v, err := arrowValue(a.Field(j), i, f.Fields[j])
			if err != nil {
				return v, err
			}
			kids[j] = v
		}
		return record.Value{Kind: record.Object, L: kids}, nil
	case *array.List:
		start, end := a.ValueOffsets(i)
		elems := make([]record.Value, 0, end-start)
		for j := start; j < end; j++ {
			v, err := arrowValue(a.ListValues(), int(j), *f.Items)
			if err != nil {
				return v, err
			}
			elems = append(elems, v)
		}
		return record.Value{Kind: record.List, L: elems}, nil
	}
	return record.Value{}, fmt.Errorf("unexpected arrow array %T", arr)
}

// TestReadParquetFromArrow reads a file written by arrow-go (no stored sluice schema)
// with ReadParquet: the schema is derived from the Parquet types, so JSON columns come
// back as strings. It also checks that the arrow-go benchmark candidate writes the
// same data as the production writer.
func TestReadParquetFromArrow(t *testing.T) {
	var buf bytes.Buffer
	w, err := newArrowParquet(&buf, fullSchema, ParquetOptions{RowGroupRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range fullRows() {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s, got := readAllParquet(t, buf.Bytes())
	wantSchema := schema.Schema{Fields: append([]schema.Field(nil), fullSchema.Fields...)}
	wantSchema.Fields[6].Type = schema.String
	if s.Fingerprint() != wantSchema.Fingerprint() {
		t.Errorf("derived schema %+v, want %+v", s, wantSchema)
	}
	want := collapseAbsent(fullRows())
	for _, r := range want {
		if r[6].Kind == record.JSON {
			r[6].Kind = record.String
		}
	}
	if d := diffRows(want, got); d != "" {
		t.Fatal(d)
	}
}

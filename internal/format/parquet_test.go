package format

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// writeParquet writes rows with the production writer and returns the file.
func writeParquet(t *testing.T, s schema.Schema, opt ParquetOptions, rows []record.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewParquet(&buf, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openParquet opens file with parquet-go, for its metadata and page indexes.
func openParquet(t *testing.T, file []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// readAllParquet reads every row of file with ReadParquet.
func readAllParquet(t *testing.T, file []byte) (schema.Schema, []record.Row) {
	t.Helper()
	s, seq, err := ReadParquet(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var rows []record.Row
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return s, rows
}

func TestParquetRoundTrip(t *testing.T) {
	many := make([]record.Row, 0, 1000)
	for i := range 1000 {
		many = append(many, fullRows()[i%len(fullRows())])
	}
	cases := []struct {
		name      string
		opt       ParquetOptions
		rows      []record.Row
		rowGroups int
	}{
		{"every type and nesting", ParquetOptions{}, fullRows(), 1},
		{"no rows", ParquetOptions{}, nil, 0},
		{"row groups by rows", ParquetOptions{RowGroupRows: 3}, fullRows(), 2},
		// Values count their bytes (strings 4 more), and each null one byte.
		{"row groups by bytes", ParquetOptions{RowGroupBytes: 4 << 10}, many, 19},
		{"many batches", ParquetOptions{}, many, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := writeParquet(t, fullSchema, tc.opt, tc.rows)
			s, got := readAllParquet(t, file)
			if s.Fingerprint() != fullSchema.Fingerprint() {
				t.Errorf("schema fingerprint %s, want %s", s.Fingerprint(), fullSchema.Fingerprint())
			}
			if d := diffRows(collapseAbsent(tc.rows), got); d != "" {
				t.Fatal(d)
			}
			f := openParquet(t, file)
			if n := len(f.RowGroups()); n != tc.rowGroups {
				t.Errorf("%d row groups, want %d", n, tc.rowGroups)
			}
			if f.NumRows() != int64(len(tc.rows)) {
				t.Errorf("file has %d rows, want %d", f.NumRows(), len(tc.rows))
			}
		})
	}
}

func TestParquetPhysicalSchema(t *testing.T) {
	file := writeParquet(t, fullSchema, ParquetOptions{}, nil)
	f := openParquet(t, file)
	want := `message sluice {
	optional binary id (STRING);
	optional int64 n (INT(64,true));
	optional double f;
	optional boolean ok;
	optional int64 ts (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS));
	optional int32 d (DATE);
	optional binary raw (STRING);
	optional group owner {
		optional binary id (STRING);
		optional group tags (LIST) {
			repeated group list {
				optional binary element (STRING);
			}
		}
		optional group geo {
			optional double lat;
			optional double lon;
		}
	}
	optional group tags (LIST) {
		repeated group list {
			optional binary element (STRING);
		}
	}
	optional group events (LIST) {
		repeated group list {
			optional group element {
				optional binary name (STRING);
				optional int64 at (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS));
			}
		}
	}
	optional group matrix (LIST) {
		repeated group list {
			optional group element (LIST) {
				repeated group list {
					optional int64 element (INT(64,true));
				}
			}
		}
	}
}`
	if got := f.Schema().String(); got != want {
		t.Errorf("schema:\n%s\nwant:\n%s", got, want)
	}
}

func TestParquetCodecIsZstd(t *testing.T) {
	file := writeParquet(t, fullSchema, ParquetOptions{}, fullRows())
	f := openParquet(t, file)
	n := 0
	for _, rg := range f.Metadata().RowGroups {
		for _, col := range rg.Columns {
			n++
			if got := col.MetaData.Codec.String(); got != "ZSTD" {
				t.Errorf("column %v codec %s, want ZSTD", col.MetaData.PathInSchema, got)
			}
		}
	}
	if n != 15 {
		t.Errorf("%d column chunks, want 15", n)
	}
}

func TestParquetWriteErrors(t *testing.T) {
	cases := []struct {
		name string
		s    schema.Schema
		row  record.Row
		want string
	}{
		{"short row", benchSchema, record.Row{num(1)}, "parquet: row has 1 values, schema has 13 fields"},
		{"string for int", schema.Schema{Fields: []schema.Field{{Name: "n", Type: schema.Int}}},
			record.Row{str("1")}, `parquet: field "n" of type int: unexpected value kind 5`},
		{"int in nested list", schema.Schema{Fields: []schema.Field{{Name: "o", Type: schema.Object, Fields: []schema.Field{
			{Name: "l", Type: schema.List, Items: &schema.Field{Type: schema.Timestamp}}}}}},
			record.Row{obj(list(num(1)))}, `parquet: field "o.l[]" of type timestamp: unexpected value kind 3`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewParquet(&bytes.Buffer{}, tc.s, ParquetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = w.Write(tc.row)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if err := w.Write(fullRows()[0]); err == nil || err.Error() != tc.want {
				t.Fatalf("write after failed write: %v, want %q", err, tc.want)
			}
			if err := w.Close(); err == nil || err.Error() != tc.want {
				t.Fatalf("close after failed write: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParquetSchemaErrors(t *testing.T) {
	cases := []struct {
		name string
		s    schema.Schema
		want string
	}{
		{"unknown type", schema.Schema{Fields: []schema.Field{{Name: "x", Type: "map"}}}, `parquet schema: field "x": unknown type "map"`},
		{"list without items", schema.Schema{Fields: []schema.Field{{Name: "l", Type: schema.List}}}, `parquet schema: list field "l" has no items`},
		{"empty object", schema.Schema{Fields: []schema.Field{{Name: "o", Type: schema.Object}}}, `parquet schema: object field "o" has no fields`},
		{"duplicate", schema.Schema{Fields: []schema.Field{{Name: "a", Type: schema.Int}, {Name: "a", Type: schema.Int}}}, `parquet schema: duplicate field "a"`},
		{"nested duplicate", schema.Schema{Fields: []schema.Field{{Name: "o", Type: schema.Object, Fields: []schema.Field{
			{Name: "a", Type: schema.Int}, {Name: "a", Type: schema.Int}}}}}, `parquet schema: duplicate field "o.a"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewParquet(&bytes.Buffer{}, tc.s, ParquetOptions{})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParquetWriteAfterClose(t *testing.T) {
	w, err := NewParquet(&bytes.Buffer{}, fullSchema, ParquetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := w.Write(fullRows()[0]); err == nil || err.Error() != "parquet: write after close" {
		t.Fatalf("write after close: %v", err)
	}
}

func TestReadParquetErrors(t *testing.T) {
	_, _, err := ReadParquet(strings.NewReader("not parquet"), 11)
	if err == nil || !strings.HasPrefix(err.Error(), "open parquet: ") {
		t.Fatalf("error %v, want an open parquet error", err)
	}
}

func TestNewDispatches(t *testing.T) {
	cases := []struct {
		f      Format
		prefix string
		err    string
	}{
		{Parquet, "PAR1", ""},
		{JSONL, `{"id":"1784140000000000001","n":42,`, ""},
		{"csv", "", `unknown format "csv" (use parquet or jsonl)`},
	}
	for _, tc := range cases {
		t.Run(string(tc.f), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(tc.f, &buf, fullSchema, ParquetOptions{})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(fullRows()[0]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), tc.prefix) {
				t.Errorf("output starts %q, want %q", buf.String()[:min(40, buf.Len())], tc.prefix)
			}
		})
	}
}

func TestReadParquetStopsEarly(t *testing.T) {
	file := writeParquet(t, fullSchema, ParquetOptions{RowGroupRows: 2}, fullRows())
	_, seq, err := ReadParquet(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var got []record.Row
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
		if len(got) == 3 {
			break
		}
	}
	if d := diffRows(collapseAbsent(fullRows()[:3]), got); d != "" {
		t.Fatal(d)
	}
}

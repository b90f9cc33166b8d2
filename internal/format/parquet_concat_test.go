package format

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

func TestConcatParquet(t *testing.T) {
	many := make([]record.Row, 0, 700)
	for i := range 700 {
		many = append(many, fullRows()[i%len(fullRows())])
	}
	cases := []struct {
		name      string
		parts     [][]record.Row
		opts      []ParquetOptions
		rowGroups int
	}{
		{"one part", [][]record.Row{fullRows()}, []ParquetOptions{{}}, 1},
		{"three parts", [][]record.Row{fullRows(), many[:5], fullRows()[1:]}, []ParquetOptions{{}, {}, {}}, 3},
		{"parts of several row groups", [][]record.Row{many, fullRows()}, []ParquetOptions{{RowGroupBytes: 4 << 10}, {RowGroupRows: 2}}, 0},
		{"an empty part", [][]record.Row{fullRows(), nil, fullRows()}, []ParquetOptions{{}, {}, {}}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var parts []Part
			var want []record.Row
			wantGroups := 0
			for i, rows := range tc.parts {
				file := writeParquet(t, fullSchema, tc.opts[i], rows)
				f := openParquet(t, file)
				wantGroups += len(f.RowGroups())
				parts = append(parts, Part{R: bytes.NewReader(file), Size: int64(len(file))})
				want = append(want, rows...)
			}
			if tc.rowGroups > 0 && wantGroups != tc.rowGroups {
				t.Fatalf("parts hold %d row groups, case expects %d", wantGroups, tc.rowGroups)
			}
			var out bytes.Buffer
			n, err := ConcatParquet(&out, parts)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(len(want)) {
				t.Errorf("ConcatParquet reports %d rows, want %d", n, len(want))
			}
			file := out.Bytes()
			s, got := readAllParquet(t, file)
			if s.Fingerprint() != fullSchema.Fingerprint() {
				t.Errorf("schema fingerprint %s, want %s", s.Fingerprint(), fullSchema.Fingerprint())
			}
			if d := diffRows(collapseAbsent(want), got); d != "" {
				t.Fatal(d)
			}
			f := openParquet(t, file)
			if len(f.RowGroups()) != wantGroups || f.NumRows() != int64(len(want)) {
				t.Errorf("%d row groups and %d rows, want %d and %d", len(f.RowGroups()), f.NumRows(), wantGroups, len(want))
			}
			if len(f.OffsetIndexes()) != wantGroups*len(f.Schema().Columns()) || len(f.ColumnIndexes()) != len(f.OffsetIndexes()) {
				t.Errorf("%d offset and %d column indexes, want %d each", len(f.OffsetIndexes()), len(f.ColumnIndexes()), wantGroups*len(f.Schema().Columns()))
			}
			// The shifted page offsets must point at page headers: read every page.
			for _, rg := range f.RowGroups() {
				for _, cc := range rg.ColumnChunks() {
					oi, err := cc.OffsetIndex()
					if err != nil {
						t.Fatal(err)
					}
					pages := cc.Pages()
					for k := range oi.NumPages() {
						if err := pages.SeekToRow(oi.FirstRowIndex(k)); err != nil {
							t.Fatalf("seek to page %d: %v", k, err)
						}
						if _, err := pages.ReadPage(); err != nil {
							t.Fatalf("page %d: %v", k, err)
						}
					}
					pages.Close()
				}
			}
			tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(file), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
			if err != nil {
				t.Fatalf("arrow-go cannot read the concatenated file: %v", err)
			}
			defer tbl.Release()
			if d := diffRows(collapseAbsent(want), arrowRows(t, tbl, fullSchema)); d != "" {
				t.Fatalf("arrow-go: %s", d)
			}
		})
	}
}

func TestConcatParquetRejects(t *testing.T) {
	other := schema.Schema{Fields: []schema.Field{{Name: "id", Type: schema.String}}}
	a := writeParquet(t, fullSchema, ParquetOptions{}, fullRows())
	b := writeParquet(t, other, ParquetOptions{}, []record.Row{{str("x")}})
	cases := []struct {
		name  string
		parts []Part
		want  string
	}{
		{"no parts", nil, "parquet concat: no parts"},
		{"schemas differ", []Part{{bytes.NewReader(a), int64(len(a))}, {bytes.NewReader(b), int64(len(b))}}, "part 1 has another schema"},
		{"not parquet", []Part{{strings.NewReader("{}\n"), 3}}, "parquet concat: part 0:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ConcatParquet(&bytes.Buffer{}, tc.parts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

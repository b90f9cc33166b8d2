package format

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestParquetColumnLayout checks how the pipeline's record shape is laid out: the
// encoding of each kind of column, page bounds in the column index, and row groups cut
// by the byte limit with their compressed pages within it.
func TestParquetColumnLayout(t *testing.T) {
	rows := pipelineRows(t, 5000)
	var buf bytes.Buffer
	w, err := NewParquet(&buf, pipelineSchema, ParquetOptions{RowGroupBytes: 512 << 10})
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
	f := openParquet(t, buf.Bytes())

	var groups []int64
	for _, rg := range f.Metadata().RowGroups {
		groups = append(groups, rg.NumRows)
		if rg.TotalCompressedSize > 512<<10 {
			t.Errorf("row group of %d rows holds %d compressed bytes, over the 512 KiB limit", rg.NumRows, rg.TotalCompressedSize)
		}
	}
	if got, want := fmt.Sprint(groups), "[1644 1646 1646 64]"; got != want {
		t.Errorf("rows per row group %s, want %s", got, want)
	}

	// Strings of few values (tags and handles, drawn from 64) keep their dictionary;
	// distinct ones (bodies, hashes) are written plain.
	cases := []struct {
		column   string
		encoding string
	}{
		{"id", "DELTA_BINARY_PACKED"},
		{"created_at", "DELTA_BINARY_PACKED"},
		{"body", "DELTA_LENGTH_BYTE_ARRAY"},
		{"author.handle", "RLE_DICTIONARY"},
		{"ratio", "PLAIN"},
		{"author.id", "DELTA_BINARY_PACKED"},
		{"author.verified", "PLAIN"},
		{"tags.list.element", "RLE_DICTIONARY"},
		{"_hash", "DELTA_LENGTH_BYTE_ARRAY"},
	}
	chunks := map[string]int{}
	for i, c := range f.Metadata().RowGroups[0].Columns {
		chunks[joinPath(c.MetaData.PathInSchema)] = i
	}
	for _, tc := range cases {
		t.Run(tc.column, func(t *testing.T) {
			i, ok := chunks[tc.column]
			if !ok {
				t.Fatalf("no column %s in %v", tc.column, chunks)
			}
			md := f.Metadata().RowGroups[0].Columns[i].MetaData
			var encodings []string
			for _, s := range md.EncodingStats {
				encodings = append(encodings, s.PageType.String()+" "+s.Encoding.String())
			}
			want := []string{"DATA_PAGE_V2 " + tc.encoding}
			if tc.encoding == "RLE_DICTIONARY" {
				want = append([]string{"DICTIONARY_PAGE PLAIN"}, want...)
			}
			if !slices.Equal(encodings, want) {
				t.Errorf("pages %v, want %v", encodings, want)
			}
			// Page bounds live in the column index: one min and max per page.
			ci, err := f.RowGroups()[0].ColumnChunks()[i].ColumnIndex()
			if err != nil {
				t.Fatal(err)
			}
			if ci.NumPages() == 0 || len(ci.MinValue(0).Bytes()) == 0 || len(ci.MaxValue(ci.NumPages()-1).Bytes()) == 0 {
				t.Errorf("column index with %d pages and no bounds", ci.NumPages())
			}
		})
	}
}

func joinPath(p []string) string { return strings.Join(p, ".") }

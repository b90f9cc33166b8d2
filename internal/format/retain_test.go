package format

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// scratch holds the strings of one row in a single reusable byte buffer, the way the
// engine's rows point into a pooled HTTP response body.
type scratch struct{ buf []byte }

// alias returns a deep copy of v whose strings point into s.buf and whose lists are
// fresh slices, so that scribble can destroy everything the copy references.
func (s *scratch) alias(v record.Value) record.Value {
	switch v.Kind {
	case record.String, record.JSON:
		if v.S != "" {
			start := len(s.buf)
			s.buf = append(s.buf, v.S...)
			v.S = unsafe.String(&s.buf[start], len(v.S))
		}
	case record.List, record.Object:
		l := make([]record.Value, len(v.L))
		for i, e := range v.L {
			l[i] = s.alias(e)
		}
		v.L = l
	}
	return v
}

// scribble overwrites the row's string bytes and every value it holds.
func scribble(buf []byte, row record.Row) {
	for i := range buf {
		buf[i] = '#'
	}
	for i := range row {
		if row[i].Kind == record.List || row[i].Kind == record.Object {
			scribble(nil, row[i].L)
		}
		row[i] = record.Value{Kind: record.String, S: "overwritten"}
	}
}

// TestParquetWriteRetainsNothing writes rows whose strings live in one buffer that is
// overwritten, together with the row itself, as soon as Write returns; the file must
// still hold the original values. Cases cross batch and row group boundaries.
func TestParquetWriteRetainsNothing(t *testing.T) {
	distinct := func(n int) []record.Row {
		rows := make([]record.Row, n)
		for i := range rows {
			r := fullRows()[i%len(fullRows())]
			r[0] = str("row-" + strconv.Itoa(i))
			rows[i] = r
		}
		return rows
	}
	cases := []struct {
		name string
		s    schema.Schema
		opt  ParquetOptions
		rows []record.Row
	}{
		{"every type in one batch", fullSchema, ParquetOptions{}, fullRows()},
		{"many batches and row groups", fullSchema, ParquetOptions{RowGroupRows: 150}, distinct(1000)},
		{"pipeline shape", pipelineSchema, ParquetOptions{RowGroupBytes: 64 << 10}, pipelineRows(t, 700)},
		// 150 KiB strings outgrow the arena within a batch and past maxArena.
		{"huge strings", fullSchema, ParquetOptions{}, huge(100, 150<<10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var file bytes.Buffer
			w, err := NewParquet(&file, tc.s, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			var sc scratch
			row := make(record.Row, len(tc.s.Fields))
			for _, want := range tc.rows {
				sc.buf = sc.buf[:0]
				for i, v := range want {
					row[i] = sc.alias(v)
				}
				if err := w.Write(row); err != nil {
					t.Fatal(err)
				}
				scribble(sc.buf, row)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			s, got := readAllParquet(t, file.Bytes())
			if s.Fingerprint() != tc.s.Fingerprint() {
				t.Errorf("schema fingerprint %s, want %s", s.Fingerprint(), tc.s.Fingerprint())
			}
			if d := diffRows(collapseAbsent(tc.rows), got); d != "" {
				t.Fatal(d)
			}
		})
	}
}

// huge returns n rows of fullSchema whose id and raw JSON are about size bytes each.
func huge(n, size int) []record.Row {
	rows := make([]record.Row, n)
	for i := range rows {
		r := fullRows()[0]
		r[0] = str(strings.Repeat(strconv.Itoa(i), size/len(strconv.Itoa(i))))
		r[6] = raw(`"` + strings.Repeat("x", size) + strconv.Itoa(i) + `"`)
		rows[i] = r
	}
	return rows
}

// pipelineRows returns n distinct rows of pipelineSchema whose strings are their own.
func pipelineRows(t *testing.T, n int) []record.Row {
	t.Helper()
	var p pipelinePage
	rows := make([]record.Row, 0, n)
	for first := 0; first < n; first += pipelinePerPage {
		p.fill(first)
		for _, r := range p.rows[:min(pipelinePerPage, n-first)] {
			rows = append(rows, deepCopy(r))
		}
	}
	return rows
}

func deepCopy(r record.Row) record.Row {
	out := make(record.Row, len(r))
	for i, v := range r {
		switch v.Kind {
		case record.String, record.JSON:
			v.S = string([]byte(v.S))
		case record.List, record.Object:
			v.L = deepCopy(v.L)
		}
		out[i] = v
	}
	return out
}

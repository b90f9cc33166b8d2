package format

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
)

// TestParquetWorkersWriteTheSameFile writes rows of the benchmark shape (several pages
// per column and several row groups) and the every-type rows with 1, 2 and 4 column
// workers, and twice more with page buffers kept from one writer to the next: the files
// must be byte-identical and read back as the rows written.
func TestParquetWorkersWriteTheSameFile(t *testing.T) {
	var pipeRows []record.Row
	for first := 0; first < 3000; first += pipelinePerPage {
		var page pipelinePage // rows of its own, so earlier pages stay intact
		page.fill(first)
		pipeRows = append(pipeRows, page.rows...)
	}
	// Rows of 20 KB strings fill a job's byte limit within one batch.
	var big []record.Row
	for i := range 300 {
		big = append(big, record.Row{
			str(strings.Repeat(string(rune('a'+i%26)), 20<<10)), num(int64(i)), flt(float64(i) / 3), boolean(i%2 == 0),
			record.Value{Kind: record.Null}, record.Value{Kind: record.Null}, record.Value{Kind: record.Null},
			record.Value{Kind: record.Null}, record.Value{Kind: record.Null}, record.Value{Kind: record.Null},
			record.Value{Kind: record.Null},
		})
	}
	cases := []struct {
		name string
		s    []record.Row
		opt  ParquetOptions
		full bool
	}{
		{name: "large strings", s: big, full: true},
		{name: "benchmark rows, row groups of 1000", s: pipeRows, opt: ParquetOptions{RowGroupRows: 1000}},
		{name: "benchmark rows, row groups of 100 KB", s: pipeRows, opt: ParquetOptions{RowGroupBytes: 100 << 10}},
		{name: "every type", s: fullRows(), full: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sch := pipelineSchema
			if tc.full {
				sch = fullSchema
			}
			var first []byte
			for _, workers := range []int{1, 2, 4} {
				opt := tc.opt
				opt.Workers = workers
				file := writeParquet(t, sch, opt, tc.s)
				if first == nil {
					first = file
					_, got := readAllParquet(t, file)
					want := tc.s
					if tc.full {
						want = collapseAbsent(tc.s)
					}
					if d := diffRows(want, got); d != "" {
						t.Fatalf("rows read back differ: %s", d)
					}
					continue
				}
				if !bytes.Equal(file, first) {
					t.Fatalf("%d workers wrote %d bytes, different from 1 worker's %d", workers, len(file), len(first))
				}
			}
			// Page buffers and encoders kept from one writer to the next change nothing.
			var bufs ParquetBuffers
			for i := range 2 {
				opt := tc.opt
				opt.Buffers = &bufs
				if file := writeParquet(t, sch, opt, tc.s); !bytes.Equal(file, first) {
					t.Fatalf("writer %d with kept buffers wrote %d bytes, different from a fresh writer's %d", i+1, len(file), len(first))
				}
			}
		})
	}
}

// TestParquetPageCuts checks when a column's open page is handed to the encoders: at the
// end of the first row that brings its values to pageSize, and for that column only.
// Rows of 20 KB strings fill the first column's page in six rows (6 × 20,484 bytes);
// the file then holds pages of six rows and of the rest.
func TestParquetPageCuts(t *testing.T) {
	row := record.Row{str(strings.Repeat("y", 20<<10)), num(1), flt(0.5), boolean(true), {Kind: record.Null}, {Kind: record.Null},
		{Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}}
	cases := []struct {
		rows  int
		cut   int     // pages of the first column handed over
		open  int     // rows in its open page
		pages []int64 // first row of each of its pages in the file
	}{
		{5, 0, 5, []int64{0}},
		{6, 1, 0, []int64{0}},
		{7, 1, 1, []int64{0, 6}},
		{13, 2, 1, []int64{0, 6, 12}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.rows, " rows"), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewParquet(&buf, fullSchema, ParquetOptions{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			for range tc.rows {
				if err := w.Write(row); err != nil {
					t.Fatal(err)
				}
			}
			p := w.(*parquetWriter)
			if got := len(p.chunks[0]); got != tc.cut || p.sh.pages[0].rows != tc.open {
				t.Fatalf("first column: %d pages handed over, %d rows open; want %d and %d", got, p.sh.pages[0].rows, tc.cut, tc.open)
			}
			if got := len(p.chunks[1]); got != 0 || p.sh.pages[1].rows != tc.rows {
				t.Fatalf("second column: %d pages handed over, %d rows open; want 0 and %d", got, p.sh.pages[1].rows, tc.rows)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f := openParquet(t, buf.Bytes())
			var firsts []int64
			for _, loc := range f.OffsetIndexes()[0].PageLocations {
				firsts = append(firsts, loc.FirstRowIndex)
			}
			if fmt.Sprint(firsts) != fmt.Sprint(tc.pages) {
				t.Fatalf("pages of the first column start at rows %v, want %v", firsts, tc.pages)
			}
		})
	}
}

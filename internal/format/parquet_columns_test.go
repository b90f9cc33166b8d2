package format

import (
	"bytes"
	"io"
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

// TestParquetJobHandOver checks when shredded rows go to the column workers: after
// jobBatches batches of ordinary rows, but after a single batch of rows whose values pass
// jobBytes.
func TestParquetJobHandOver(t *testing.T) {
	small := record.Row{str("x"), num(1), flt(0.5), boolean(true), {Kind: record.Null}, {Kind: record.Null},
		{Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}, {Kind: record.Null}}
	large := append(record.Row{str(strings.Repeat("y", 20<<10))}, small[1:]...)
	cases := []struct {
		name    string
		row     record.Row
		rows    int
		handed  bool // a job is in flight
		pending int  // completed batches still with the shredder
	}{
		{"one batch of small rows stays", small, batchRows, false, 1},
		{"jobBatches batches of small rows go", small, jobBatches * batchRows, true, 0},
		{"one batch of large rows goes", large, batchRows, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewParquet(io.Discard, fullSchema, ParquetOptions{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			for range tc.rows {
				if err := w.Write(tc.row); err != nil {
					t.Fatal(err)
				}
			}
			p := w.(*parquetWriter)
			if (p.job != nil) != tc.handed || p.sh.batches() != tc.pending {
				t.Fatalf("job in flight %v with %d batches pending; want %v and %d", p.job != nil, p.sh.batches(), tc.handed, tc.pending)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

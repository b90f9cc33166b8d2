package format

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

func TestDictionaryIndex(t *testing.T) {
	d := newDictionary()
	// Enough entries to grow the table several times, the empty string, and a value
	// larger than a storage chunk.
	var vals []string
	for i := range 3000 {
		vals = append(vals, fmt.Sprintf("value %d", i))
	}
	vals = append(vals, "", strings.Repeat("x", dictStoreChunk+1))
	for round := range 2 {
		for want, v := range vals {
			got, ok := d.index(v)
			if !ok || int(got) != want {
				t.Fatalf("round %d: index(%.20q) = %d, %v; want %d, true", round, v, got, ok, want)
			}
		}
	}
	if !slices.Equal(d.vals, vals) {
		t.Fatal("entries differ from the values added, in order")
	}
	plain := 0
	for _, v := range vals {
		plain += 4 + len(v)
	}
	if d.plain != plain {
		t.Fatalf("plain size %d, want %d", d.plain, plain)
	}

	// Past the byte limit a new value is refused and nothing changes; known values are
	// still found.
	d.limit = d.plain + 4 + 3
	if _, ok := d.index("four"); ok {
		t.Fatal("a value past the limit was added")
	}
	if k, ok := d.index("abc"); !ok || int(k) != len(vals) {
		t.Fatalf("a value just within the limit: %d, %v; want %d, true", k, ok, len(vals))
	}
	if k, ok := d.index("value 7"); !ok || k != 7 {
		t.Fatalf("a known value at the limit: %d, %v; want 7, true", k, ok)
	}

	d.reset()
	if len(d.vals) != 0 || d.plain != 0 || !d.on || d.pages != 0 {
		t.Fatalf("after reset: %d entries, plain %d, on %v, pages %d", len(d.vals), d.plain, d.on, d.pages)
	}
	if k, ok := d.index("value 9"); !ok || k != 0 {
		t.Fatalf("first value after reset: %d, %v; want 0, true", k, ok)
	}
}

func TestDictionaryEntryLimit(t *testing.T) {
	d := newDictionary()
	for i := range maxDictValues {
		if _, ok := d.index(fmt.Sprint(i)); !ok {
			t.Fatalf("entry %d refused", i)
		}
	}
	if _, ok := d.index("one more"); ok {
		t.Fatalf("entry %d added, past maxDictValues", maxDictValues)
	}
}

func TestDictBounds(t *testing.T) {
	dict := make([]string, 130)
	for i := range dict {
		dict[i] = fmt.Sprintf("v%03d", i)
	}
	dict[70], dict[129] = "", "zz"
	cases := []struct {
		name    string
		idx     []int32
		min     string
		max     string
		ok      bool
		entries []string
	}{
		{"one value", []int32{5, 5, 5}, "v005", "v005", true, dict},
		{"entries in several words", []int32{64, 3, 128, 3, 100}, "v003", "v128", true, dict},
		{"the empty string", []int32{10, 70, 129}, "", "zz", true, dict},
		{"no values", nil, "", "", false, dict},
		{"a smaller dictionary reuses the marks", []int32{1, 0}, "v000", "v001", true, dict[:2]},
	}
	var seen []uint64
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pg := &leafPage{idx: tc.idx, dict: tc.entries}
			var lo, hi string
			var ok bool
			lo, hi, ok, seen = dictBounds(pg, seen)
			if lo != tc.min || hi != tc.max || ok != tc.ok {
				t.Fatalf("bounds %q, %q (ok %v); want %q, %q (ok %v)", lo, hi, ok, tc.min, tc.max, tc.ok)
			}
		})
	}
}

// TestParquetDictionaryFallback checks which byte-array columns keep their dictionary:
// one of few values does; one of distinct values drops it at its first page; one whose
// values turn distinct drops it when the dictionary reaches its limit, mid-page. Plain
// pages are DELTA_LENGTH_BYTE_ARRAY for text (values with nothing in common) and
// DELTA_BYTE_ARRAY for values that share long prefixes (zero-padded numbers). Every
// value reads back, and each page's column index bounds are its own.
func TestParquetDictionaryFallback(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{
		{Name: "status", Type: schema.String},
		{Name: "text", Type: schema.String},
		{Name: "drift", Type: schema.String},
	}}
	// 100-byte values: 1103 of them (104 bytes each, with the length) fill a page.
	long := func(prefix string, i int) string { return fmt.Sprintf("%s%0*d", prefix, 100-len(prefix), i) }
	var rows []record.Row
	for i := range 3000 {
		drift := long("few ", i%10)
		if i >= 1500 {
			drift = long("many ", i)
		}
		status := []string{"draft", "published", "archived", ""}[i%4]
		text := fmt.Sprintf("%016x", mix(uint64(i))) + strings.Repeat(" words", 14)
		rows = append(rows, record.Row{str(status), str(text), str(drift)})
	}
	rows[7][0] = record.Value{Kind: record.Null}

	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			var buf strings.Builder
			w, err := NewParquet(&buf, s, ParquetOptions{Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			// Room for the ten first values and 29 distinct ones: the 30th, in row 1529,
			// does not fit.
			w.(*parquetWriter).sh.dicts[2].limit = 39 * 104
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			file := []byte(buf.String())
			f := openParquet(t, file)
			want := map[string]string{
				"status": "[DICTIONARY_PAGE PLAIN 1 DATA_PAGE_V2 RLE_DICTIONARY 1]",
				"text":   "[DATA_PAGE_V2 DELTA_LENGTH_BYTE_ARRAY 3]",
				"drift":  "[DICTIONARY_PAGE PLAIN 1 DATA_PAGE_V2 RLE_DICTIONARY 1 DATA_PAGE_V2 DELTA_BYTE_ARRAY 2]",
			}
			wantEncodings := map[string]string{
				"status": "[RLE PLAIN RLE_DICTIONARY]",
				"text":   "[RLE DELTA_LENGTH_BYTE_ARRAY]",
				"drift":  "[RLE PLAIN RLE_DICTIONARY DELTA_BYTE_ARRAY]",
			}
			for _, c := range f.Metadata().RowGroups[0].Columns {
				md := c.MetaData
				name := joinPath(md.PathInSchema)
				var stats []string
				for _, st := range md.EncodingStats {
					stats = append(stats, fmt.Sprint(st.PageType, " ", st.Encoding, " ", st.Count))
				}
				if got := fmt.Sprint(stats); got != want[name] {
					t.Errorf("%s: pages %s, want %s", name, got, want[name])
				}
				if got := fmt.Sprint(md.Encoding); got != wantEncodings[name] {
					t.Errorf("%s: encodings %s, want %s", name, got, wantEncodings[name])
				}
				hasDict := strings.Contains(want[name], "DICTIONARY_PAGE")
				if start := c.FileOffset; hasDict != (md.DictionaryPageOffset > 0) || (hasDict && (start != md.DictionaryPageOffset || md.DataPageOffset <= start)) {
					t.Errorf("%s: file offset %d, dictionary page at %d, data pages at %d", name, start, md.DictionaryPageOffset, md.DataPageOffset)
				}
			}
			// The drifting column's pages start where the page cuts fall: 1103 values a page.
			var firsts []int64
			for _, loc := range f.OffsetIndexes()[2].PageLocations {
				firsts = append(firsts, loc.FirstRowIndex)
			}
			if got := fmt.Sprint(firsts); got != "[0 1103 2206]" {
				t.Errorf("drift pages start at rows %s, want [0 1103 2206]", got)
			}
			ci, err := f.RowGroups()[0].ColumnChunks()[2].ColumnIndex()
			if err != nil {
				t.Fatal(err)
			}
			wantBounds := [][2]string{
				{long("few ", 0)[:16], "few 000000000001"},
				{long("few ", 0)[:16], "many 00000000001"}, // shortened to 16 bytes
				{long("many ", 2206)[:16], "many 00000000001"},
			}
			for p, wb := range wantBounds {
				if lo, hi := string(ci.MinValue(p).ByteArray()), string(ci.MaxValue(p).ByteArray()); lo != wb[0] || hi != wb[1] {
					t.Errorf("drift page %d bounds %q, %q; want %q, %q", p, lo, hi, wb[0], wb[1])
				}
			}
			sci, err := f.RowGroups()[0].ColumnChunks()[0].ColumnIndex()
			if err != nil {
				t.Fatal(err)
			}
			if lo, hi := string(sci.MinValue(0).ByteArray()), string(sci.MaxValue(0).ByteArray()); lo != "" || hi != "published" {
				t.Errorf("status bounds %q, %q; want \"\", \"published\"", lo, hi)
			}
			_, got := readAllParquet(t, file)
			if d := diffRows(rows, got); d != "" {
				t.Fatalf("rows read back differ: %s", d)
			}
		})
	}
}

// TestParquetDictionaryPerRowGroup checks that each row group's chunk has a dictionary
// of its own, holding the values that chunk uses, in order of first use.
func TestParquetDictionaryPerRowGroup(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "tag", Type: schema.String}}}
	var rows []record.Row
	for i := range 250 {
		rows = append(rows, record.Row{str(fmt.Sprintf("tag%d", i/10))}) // tag0 ×10, tag1 ×10, ...
	}
	file := writeParquet(t, s, ParquetOptions{RowGroupRows: 100}, rows)
	f := openParquet(t, file)
	if n := len(f.Metadata().RowGroups); n != 3 {
		t.Fatalf("%d row groups, want 3", n)
	}
	for g, rg := range f.RowGroups() {
		pages := rg.ColumnChunks()[0].Pages()
		pg, err := pages.ReadPage()
		if err != nil {
			t.Fatal(err)
		}
		dict := pg.Dictionary()
		if dict == nil {
			t.Fatalf("row group %d: no dictionary", g)
		}
		var entries []string
		for i := range dict.Len() {
			entries = append(entries, dict.Index(int32(i)).String())
		}
		var want []string
		for k := g * 10; k < min(g*10+10, 25); k++ {
			want = append(want, fmt.Sprintf("tag%d", k))
		}
		if !slices.Equal(entries, want) {
			t.Errorf("row group %d: dictionary %v, want %v", g, entries, want)
		}
		pages.Close()
	}
	_, got := readAllParquet(t, file)
	if d := diffRows(rows, got); d != "" {
		t.Fatalf("rows read back differ: %s", d)
	}
}

// TestParquetDictionaryNullPages checks the encodings of pages without values: a page
// of nulls between pages of values is a dictionary page, so the chunk is dictionary
// pages only; a column of nulls only has no dictionary and plain pages; a column of
// empty strings keeps a one-entry dictionary (indexes of bit width 0).
func TestParquetDictionaryNullPages(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{
		{Name: "sparse", Type: schema.String},
		{Name: "none", Type: schema.String},
		{Name: "empty", Type: schema.String},
	}}
	null := record.Value{Kind: record.Null}
	// In sparse, 1103 values of 100 bytes fill the first page; 114,688 nulls (a byte
	// each) the second; the rest is the third. None has two pages of nulls.
	var rows []record.Row
	for i := range 1103 + 114688 + 300 {
		v := null
		if i < 1103 || i >= 1103+114688 {
			v = str(fmt.Sprintf("%0100d", i%7))
		}
		rows = append(rows, record.Row{v, null, str("")})
	}
	file := writeParquet(t, s, ParquetOptions{}, rows)
	f := openParquet(t, file)
	want := map[string]string{
		"sparse": "[DICTIONARY_PAGE PLAIN 1 DATA_PAGE_V2 RLE_DICTIONARY 3]",
		"none":   "[DATA_PAGE_V2 DELTA_LENGTH_BYTE_ARRAY 2]",
		"empty":  "[DICTIONARY_PAGE PLAIN 1 DATA_PAGE_V2 RLE_DICTIONARY 5]", // 4 bytes a value: 28,672 a page
	}
	for _, c := range f.Metadata().RowGroups[0].Columns {
		var stats []string
		for _, st := range c.MetaData.EncodingStats {
			stats = append(stats, fmt.Sprint(st.PageType, " ", st.Encoding, " ", st.Count))
		}
		if name := joinPath(c.MetaData.PathInSchema); fmt.Sprint(stats) != want[name] {
			t.Errorf("%s: pages %v, want %s", name, stats, want[name])
		}
	}
	_, got := readAllParquet(t, file)
	if d := diffRows(rows, got); d != "" {
		t.Fatalf("rows read back differ: %s", d)
	}
}

// FuzzParquetStringsRoundTrip writes string columns built from the input and reads them
// back: the values, split on zero bytes (a lone 0xff byte is a null), repeated to fill
// pages, with a dictionary limit and row groups sized by the input, so dictionaries are
// kept, dropped at the first page or mid-page, and plain pages are DELTA_LENGTH or
// DELTA_BYTE_ARRAY. Every value must read back.
func FuzzParquetStringsRoundTrip(f *testing.F) {
	f.Add([]byte("draft\x00published\x00\xff\x00archived"), uint16(64), uint16(100), uint8(50))
	f.Add([]byte("https://example.com/p/1\x00https://example.com/p/2\x00\x00x"), uint16(30), uint16(0), uint8(200))
	f.Add([]byte("\xff\x00\xff\x00a"), uint16(0), uint16(7), uint8(255))
	s := schema.Schema{Fields: []schema.Field{
		{Name: "v", Type: schema.String},
		{Name: "numbered", Type: schema.String},
	}}
	f.Fuzz(func(t *testing.T, data []byte, limit, groupRows uint16, repeat uint8) {
		parts := bytes.Split(data, []byte{0})
		if len(parts) > 2000 {
			parts = parts[:2000]
		}
		var rows []record.Row
		for r := range int(repeat) + 1 {
			for i, p := range parts {
				v := str(string(p))
				if len(p) == 1 && p[0] == 0xff {
					v = record.Value{Kind: record.Null}
				}
				// The same value made distinct by a counter: long shared prefixes.
				numbered := str(fmt.Sprintf("%s#%08d", p, r*len(parts)+i))
				rows = append(rows, record.Row{v, numbered})
			}
		}
		var buf bytes.Buffer
		w, err := NewParquet(&buf, s, ParquetOptions{RowGroupRows: int64(groupRows)})
		if err != nil {
			t.Fatal(err)
		}
		if limit > 0 {
			for _, d := range w.(*parquetWriter).sh.dicts {
				d.limit = int(limit)
			}
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_, got := readAllParquet(t, buf.Bytes())
		if d := diffRows(rows, got); d != "" {
			t.Fatalf("rows read back differ: %s", d)
		}
	})
}

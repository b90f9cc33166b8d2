package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go/encoding/delta"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// stringPage returns an open page holding the byte-array values vs.
func stringPage(vs ...string) *leafPage {
	pg := &leafPage{}
	pg.reset()
	for _, v := range vs {
		pg.data = append(pg.data, v...)
		pg.offs = append(pg.offs, uint32(len(pg.data)))
	}
	return pg
}

func TestPageBounds(t *testing.T) {
	strs := stringPage
	le64 := func(v int64) string { return string(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
	le32 := func(v int32) string { return string(binary.LittleEndian.AppendUint32(nil, uint32(v))) }
	f64 := func(f float64) string { return string(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))) }
	cases := []struct {
		name     string
		kind     leafKind
		pg       *leafPage
		min, max string
		ok, nan  bool
	}{
		{"strings", byteArrayLeaf, strs("m", "b", "z", "q"), "b", "z", true, false},
		{"equal first eight bytes", byteArrayLeaf, strs("abcdefgh1", "abcdefgh0", "abcdefgh2", "abcdefgh"), "abcdefgh", "abcdefgh2", true, false},
		{"short values and a zero byte", byteArrayLeaf, strs("ab\x00", "ab", "ab\x00\x00"), "ab", "ab\x00\x00", true, false},
		{"the empty string", byteArrayLeaf, strs("x", "", "y"), "", "y", true, false},
		{"bytes above 0x7f sort after", byteArrayLeaf, strs("\xff", "a", "\x80zz"), "a", "\xff", true, false},
		{"no values", byteArrayLeaf, strs(), "", "", false, false},
		{"int64 signed", int64Leaf, &leafPage{ints: []int64{5, -7, math.MaxInt64, 0}}, le64(-7), le64(math.MaxInt64), true, false},
		{"int32 dates", int32Leaf, &leafPage{ints: []int64{-3, 19000, 2}}, le32(-3), le32(19000), true, false},
		{"doubles skip NaN", doubleLeaf, &leafPage{floats: []float64{math.NaN(), 2.5, -1, math.NaN()}}, f64(-1), f64(2.5), true, false},
		{"only NaN", doubleLeaf, &leafPage{floats: []float64{math.NaN()}}, f64(math.NaN()), f64(math.NaN()), true, true},
		{"zero bounds are signed", doubleLeaf, &leafPage{floats: []float64{0, 0}}, f64(math.Copysign(0, -1)), f64(0), true, false},
		{"the empty string is a value", byteArrayLeaf, strs("", ""), "", "", true, false},
		{"booleans", boolLeaf, &leafPage{bools: []bool{true, false}}, "\x00", "\x01", true, false},
		{"true only", boolLeaf, &leafPage{bools: []bool{true, true}}, "\x01", "\x01", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi, ok, nan := pageBounds(tc.kind, tc.pg, nil, nil)
			if string(lo) != tc.min || string(hi) != tc.max || ok != tc.ok || nan != tc.nan {
				t.Fatalf("bounds %q, %q (ok %v, NaN %v); want %q, %q (ok %v, NaN %v)", lo, hi, ok, nan, tc.min, tc.max, tc.ok, tc.nan)
			}
		})
	}
}

func TestShortBounds(t *testing.T) {
	long := "abcdefghijklmnopqrstuvwxyz"
	cases := []struct {
		v, min, max string
	}{
		{"short", "short", "short"},
		{long[:16], long[:16], long[:16]},
		{long, long[:16], "abcdefghijklmnoq"},
		{"abcdefghijklmno\xffzz", "abcdefghijklmno\xff", "abcdefghijklmnp"},
		{strings.Repeat("\xff", 20), strings.Repeat("\xff", 16), strings.Repeat("\xff", 20)},
		// UTF-8 is cut between characters, and the maximum's last character incremented.
		{"a" + strings.Repeat("é", 20), "a" + strings.Repeat("é", 7), "a" + strings.Repeat("é", 6) + "ê"},
		{strings.Repeat("€", 10), strings.Repeat("€", 5), strings.Repeat("€", 4) + "₭"},
		{"abcdefghijklmn" + strings.Repeat("\U0010FFFF", 3), "abcdefghijklmn", "abcdefghijklmo"},
		{"abcdefghijklm\ud7ffzzzz", "abcdefghijklm\ud7ff", "abcdefghijklm\ue000"},
	}
	for _, tc := range cases {
		if got := string(shortMin([]byte(tc.v))); got != tc.min {
			t.Errorf("shortMin(%q) = %q, want %q", tc.v, got, tc.min)
		}
		if got := string(shortMax([]byte(tc.v))); got != tc.max {
			t.Errorf("shortMax(%q) = %q, want %q", tc.v, got, tc.max)
		}
		if string(shortMax([]byte(tc.v))) < tc.v {
			t.Errorf("shortMax(%q) sorts before the value", tc.v)
		}
		if utf8.ValidString(tc.v) && (!utf8.ValidString(tc.min) || !utf8.ValidString(tc.max)) {
			t.Errorf("bounds of %q are not UTF-8", tc.v)
		}
	}
}

// TestParquetChunkStatistics writes pages of known values and reads back what readers
// use to skip data: exact chunk statistics and null counts, per-page bounds (shortened
// for long strings) and the boundary order of the column index.
func TestParquetChunkStatistics(t *testing.T) {
	s := schema.Schema{Fields: []schema.Field{{Name: "n", Type: schema.Int}, {Name: "s", Type: schema.String}}}
	long := strings.Repeat("q", 40)
	var rows []record.Row
	for i := range 20_000 {
		sv := record.Value{Kind: record.Null}
		if i%4 != 0 {
			sv = str(fmt.Sprintf("%s%05d", long, i))
		}
		rows = append(rows, record.Row{num(int64(i) - 100), sv})
	}
	file := writeParquet(t, s, ParquetOptions{Workers: 2}, rows)
	f := openParquet(t, file)
	rg := f.Metadata().RowGroups
	if len(rg) != 1 {
		t.Fatalf("%d row groups, want 1", len(rg))
	}
	n, sc := rg[0].Columns[0].MetaData, rg[0].Columns[1].MetaData
	if got := int64(binary.LittleEndian.Uint64(n.Statistics.MinValue)); got != -100 {
		t.Errorf("int column minimum %d, want -100", got)
	}
	if got := int64(binary.LittleEndian.Uint64(n.Statistics.MaxValue)); got != 19_899 {
		t.Errorf("int column maximum %d, want 19899", got)
	}
	if n.Statistics.NullCount != 0 || sc.Statistics.NullCount != 5000 {
		t.Errorf("null counts %d and %d, want 0 and 5000", n.Statistics.NullCount, sc.Statistics.NullCount)
	}
	if got, want := string(sc.Statistics.MinValue), long+"00001"; got != want {
		t.Errorf("string column minimum %q, want %q (exact)", got, want)
	}
	if got, want := string(sc.Statistics.MaxValue), long+"19999"; got != want {
		t.Errorf("string column maximum %q, want %q (exact)", got, want)
	}
	for col, want := range []string{"ASCENDING", "ASCENDING"} {
		ci := f.ColumnIndexes()[col]
		if got := ci.BoundaryOrder.String(); got != want {
			t.Errorf("column %d boundary order %s, want %s", col, got, want)
		}
		if len(ci.MinValues) < 2 {
			t.Fatalf("column %d has %d pages, want several", col, len(ci.MinValues))
		}
	}
	ci := f.ColumnIndexes()[1]
	if got := string(ci.MinValues[0]); got != long[:16] {
		t.Errorf("first page minimum %q, want the 16-byte prefix %q", got, long[:16])
	}
	if got, want := string(ci.MaxValues[0]), long[:15]+"r"; got != want {
		t.Errorf("first page maximum %q, want %q", got, want)
	}
	var nulls int64
	for _, c := range ci.NullCounts {
		nulls += c
	}
	if nulls != 5000 {
		t.Errorf("page null counts add up to %d, want 5000", nulls)
	}
}

// TestParquetStatisticsEdgeCases covers bounds that are easy to get wrong: the empty
// string as a page's minimum (a value, not a null page), pages of NaN only (not null
// pages, and left out of the chunk's statistics and order), and values too long to keep
// exactly in the chunk's statistics.
func TestParquetStatisticsEdgeCases(t *testing.T) {
	strCol := schema.Schema{Fields: []schema.Field{{Name: "s", Type: schema.String}}}
	fltCol := schema.Schema{Fields: []schema.Field{{Name: "f", Type: schema.Float}}}
	emptyFirst := []record.Row{{str("")}, {str("zzz")}}
	for range 4000 {
		emptyFirst = append(emptyFirst, record.Row{str("m" + strings.Repeat("x", 99))})
	}
	var nanFirst []record.Row
	for i := range 40_000 {
		f := math.NaN()
		if i >= 20_000 {
			f = float64(i - 30_000)
		}
		nanFirst = append(nanFirst, record.Row{flt(f)})
	}
	var long []record.Row
	for i := range 3 {
		long = append(long, record.Row{str(strings.Repeat(string(rune('a'+i)), 5000))})
	}
	f64 := func(f float64) string { return string(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))) }
	cases := []struct {
		name      string
		s         schema.Schema
		rows      []record.Row
		nullPages string
		order     string
		min, max  string // the chunk's statistics
		idx       string // the first page's bounds in the column index
	}{
		{"empty string minimum", strCol, emptyFirst, "[false false false false]", "UNORDERED", "", "zzz", `"" "zzz"`},
		{"NaN pages", fltCol, nanFirst, "[false false false]", "UNORDERED", f64(-10_000), f64(9_999),
			fmt.Sprintf("%q %q", f64(math.NaN()), f64(math.NaN()))},
		{"values too long for the statistics", strCol, long, "[false]", "ASCENDING", "", "",
			fmt.Sprintf("%q %q", strings.Repeat("a", 16), strings.Repeat("c", 15)+"d")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := writeParquet(t, tc.s, ParquetOptions{}, tc.rows)
			f := openParquet(t, file)
			ci := f.ColumnIndexes()[0]
			if got := fmt.Sprint(ci.NullPages); got != tc.nullPages {
				t.Errorf("null pages %s, want %s", got, tc.nullPages)
			}
			if got := ci.BoundaryOrder.String(); got != tc.order {
				t.Errorf("boundary order %s, want %s", got, tc.order)
			}
			st := f.Metadata().RowGroups[0].Columns[0].MetaData.Statistics
			if string(st.MinValue) != tc.min || string(st.MaxValue) != tc.max {
				t.Errorf("chunk bounds %q, %q; want %q, %q", st.MinValue, st.MaxValue, tc.min, tc.max)
			}
			if got := fmt.Sprintf("%q %q", ci.MinValues[0], ci.MaxValues[0]); got != tc.idx {
				t.Errorf("first page's column index bounds %s, want %s", got, tc.idx)
			}
			_, got := readAllParquet(t, file)
			if len(got) != len(tc.rows) {
				t.Fatalf("read %d rows, want %d", len(got), len(tc.rows))
			}
		})
	}
}

func TestPrefixLengths(t *testing.T) {
	page := stringPage
	cases := []struct {
		name string
		pg   *leafPage
		want int
	}{
		{"no values", page(), 0},
		{"one value", page("abc"), 0},
		{"short values", page("abc", "abd", "ab", "b"), 2 + 2 + 0},
		{"differ in the ninth byte", page("abcdefghX", "abcdefghY"), 8},
		{"differ in the eighth byte", page("abcdefgX1", "abcdefgY1"), 7},
		{"one value a prefix of the next", page("2024-01-01", "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z"), 10 + 18},
		{"the empty string", page("", "x", "", ""), 0},
		{"identical long values", page(strings.Repeat("z", 20), strings.Repeat("z", 20)), 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lens, got := prefixLengths(tc.pg, nil)
			sum := 0
			for _, p := range lens {
				sum += int(p)
			}
			if got != tc.want || sum != got || len(lens) != len(tc.pg.offs)-1 || (len(lens) > 0 && lens[0] != 0) {
				t.Fatalf("shared prefixes %d (lengths %v), want %d", got, lens, tc.want)
			}
			// The page encoded from these lengths is what parquet-go's encoder writes.
			e := &pageEncoder{i32: lens}
			if err := e.deltaByteArray(tc.pg); err != nil {
				t.Fatal(err)
			}
			var ref delta.ByteArrayEncoding
			want, err := ref.EncodeByteArray(nil, tc.pg.data, tc.pg.offs)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(e.vals, want) {
				t.Fatalf("DELTA_BYTE_ARRAY %x, parquet-go writes %x", e.vals, want)
			}
		})
	}
}

package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

func TestPageBounds(t *testing.T) {
	strs := func(vs ...string) *leafPage {
		pg := &leafPage{}
		pg.reset()
		for _, v := range vs {
			pg.data = append(pg.data, v...)
			pg.offs = append(pg.offs, uint32(len(pg.data)))
		}
		return pg
	}
	le64 := func(v int64) string { return string(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
	le32 := func(v int32) string { return string(binary.LittleEndian.AppendUint32(nil, uint32(v))) }
	f64 := func(f float64) string { return string(binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))) }
	cases := []struct {
		name     string
		kind     leafKind
		pg       *leafPage
		min, max string
	}{
		{"strings", byteArrayLeaf, strs("m", "b", "z", "q"), "b", "z"},
		{"equal first eight bytes", byteArrayLeaf, strs("abcdefgh1", "abcdefgh0", "abcdefgh2", "abcdefgh"), "abcdefgh", "abcdefgh2"},
		{"short values and a zero byte", byteArrayLeaf, strs("ab\x00", "ab", "ab\x00\x00"), "ab", "ab\x00\x00"},
		{"the empty string", byteArrayLeaf, strs("x", "", "y"), "", "y"},
		{"bytes above 0x7f sort after", byteArrayLeaf, strs("\xff", "a", "\x80zz"), "a", "\xff"},
		{"no values", byteArrayLeaf, strs(), "", ""},
		{"int64 signed", int64Leaf, &leafPage{ints: []int64{5, -7, math.MaxInt64, 0}}, le64(-7), le64(math.MaxInt64)},
		{"int32 dates", int32Leaf, &leafPage{ints: []int64{-3, 19000, 2}}, le32(-3), le32(19000)},
		{"doubles skip NaN", doubleLeaf, &leafPage{floats: []float64{math.NaN(), 2.5, -1, math.NaN()}}, f64(-1), f64(2.5)},
		{"only NaN", doubleLeaf, &leafPage{floats: []float64{math.NaN()}}, "", ""},
		{"booleans", boolLeaf, &leafPage{bools: []bool{true, false}}, "\x00", "\x01"},
		{"true only", boolLeaf, &leafPage{bools: []bool{true, true}}, "\x01", "\x01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := pageBounds(tc.kind, tc.pg, nil, nil)
			if string(lo) != tc.min || string(hi) != tc.max {
				t.Fatalf("bounds %q, %q; want %q, %q", lo, hi, tc.min, tc.max)
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
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
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

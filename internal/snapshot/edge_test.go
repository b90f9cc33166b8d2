package snapshot

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// TestDiffEdges covers duplicate keys, empty sides and files without _absent.
func TestDiffEdges(t *testing.T) {
	s := fieldsSchema()
	r := func(id, name string) record.Row { return row(s, id, map[string]record.Value{"name": str(name)}) }
	var filler []record.Row
	for i := range 200 {
		filler = append(filler, r(fmt.Sprintf("f%03d", i), "same"))
	}
	cases := []struct {
		name       string
		prev, cur  []record.Row
		wantRows   []string // change key name-in-image, in key order
		wantDups   [2]int64
		wantCounts [4]int64 // added, modified, deleted, unchanged
	}{
		{
			name: "first occurrence wins in both files",
			prev: []record.Row{r("a", "first"), r("b", "x"), r("a", "second"), r("a", "third")},
			cur:  []record.Row{r("b", "y"), r("a", "first"), r("b", "x")},
			// prev a=first, cur a=first: unchanged; b: x -> y (the first cur row).
			wantRows:   []string{"MODIFIED b y"},
			wantDups:   [2]int64{2, 1},
			wantCounts: [4]int64{0, 1, 0, 1},
		},
		{
			name: "first occurrence wins across row groups",
			prev: slices.Concat([]record.Row{r("a", "first")}, filler, []record.Row{r("a", "later")}),
			cur:  slices.Concat(filler, []record.Row{r("a", "later")}, filler, []record.Row{r("a", "last")}),
			// prev keeps a=first, cur keeps a=later.
			wantRows:   []string{"MODIFIED a later"},
			wantDups:   [2]int64{1, 201},
			wantCounts: [4]int64{0, 1, 0, 200},
		},
		{
			name:       "empty previous",
			cur:        []record.Row{r("a", "1"), r("b", "2")},
			wantRows:   []string{"ADDED a 1", "ADDED b 2"},
			wantCounts: [4]int64{2, 0, 0, 0},
		},
		{
			name:       "empty current",
			prev:       []record.Row{r("a", "1"), r("b", "2")},
			wantRows:   []string{"DELETED a 1", "DELETED b 2"},
			wantCounts: [4]int64{0, 0, 2, 0},
		},
		{
			name:       "both empty",
			wantCounts: [4]int64{0, 0, 0, 0},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prev := snap{data: s, pk: []int{0}, rows: tc.prev}.file(t, "prev")
			cur := snap{data: s, pk: []int{0}, rows: tc.cur}.file(t, "cur")
			sum, rows, _ := runDiff(t, prev, cur, Options{TempDir: t.TempDir()})
			var got []string
			for _, d := range rows {
				got = append(got, d.change+" "+d.key+" "+nameOf(t, d.image))
			}
			slices.SortFunc(got, compareKeyPart)
			if !slices.Equal(got, tc.wantRows) {
				t.Errorf("rows %q, want %q", got, tc.wantRows)
			}
			if d := [2]int64{sum.Prev.Duplicates, sum.Cur.Duplicates}; d != tc.wantDups {
				t.Errorf("duplicates %v, want %v", d, tc.wantDups)
			}
			if c := [4]int64{sum.Added, sum.Modified, sum.Deleted, sum.Unchanged}; c != tc.wantCounts {
				t.Errorf("counts %v, want %v", c, tc.wantCounts)
			}
			if sum.Prev.Rows != int64(len(tc.prev)) || sum.Cur.Rows != int64(len(tc.cur)) {
				t.Errorf("rows %d/%d, want %d/%d", sum.Prev.Rows, sum.Cur.Rows, len(tc.prev), len(tc.cur))
			}
		})
	}
}

// compareKeyPart orders "CHANGE key name" strings by key.
func compareKeyPart(a, b string) int {
	return strings.Compare(strings.Fields(a)[1], strings.Fields(b)[1])
}

// nameOf returns the name field of an image's canonical JSON, or "-".
func nameOf(t *testing.T, image string) string {
	t.Helper()
	_, rest, ok := strings.Cut(image, `"name":"`)
	if !ok {
		return "-"
	}
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

// TestDiffForeignFile diffs a file written without _absent (any tool that writes _key
// and _hash): nothing is absent, nulls are nulls.
func TestDiffForeignFile(t *testing.T) {
	data := schema.Schema{Fields: []schema.Field{{Name: "id", Type: schema.String}, {Name: "v", Type: schema.Int}}}
	full := schema.Schema{Fields: append(slices.Clone(data.Fields),
		schema.Field{Name: KeyColumn, Type: schema.String}, schema.Field{Name: HashColumn, Type: schema.String})}
	var h record.Hasher
	write := func(rows ...record.Row) File {
		var buf bytes.Buffer
		w, err := format.NewParquet(&buf, full, format.ParquetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			sum := h.Sum(data, r)
			if err := w.Write(append(slices.Clone(r), str(r[0].S), str(hex.EncodeToString(sum[:])))); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return File{Name: "foreign", R: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}
	}
	prev := write(record.Row{str("a"), num(1)}, record.Row{str("b"), num(2)})
	cur := write(record.Row{str("a"), null}, record.Row{str("b"), num(2)})
	_, rows, _ := runDiff(t, prev, cur, Options{})
	want := []diffRow{{change: "MODIFIED", key: "a", prevHash: rows[0].prevHash, hash: rows[0].hash, changed: "v:1>null", image: `{"id":"a","v":null}`}}
	if !slices.Equal(rows, want) {
		t.Fatalf("rows %+v, want %+v", rows, want)
	}
}

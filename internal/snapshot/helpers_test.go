package snapshot

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// snap is a snapshot under construction: a data schema, its primary key and rows.
type snap struct {
	data schema.Schema
	pk   []int
	rows []record.Row
	// groupRows is the row group size (default 64, so small tests span row groups).
	groupRows int64
}

// file writes s as a snapshot file.
func (s snap) file(t testing.TB, name string) File {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, s.data, format.ParquetOptions{RowGroupRows: cmp.Or(s.groupRows, 64)})
	if err != nil {
		t.Fatal(err)
	}
	var h record.Hasher
	for _, row := range s.rows {
		_, sum, key := h.Identify(nil, s.data, row, s.pk)
		if err := w.Write(row, string(key), sum); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return File{Name: name, R: bytes.NewReader(buf.Bytes()), Size: int64(buf.Len())}
}

func str(s string) record.Value { return record.Value{Kind: record.String, S: s} }
func num(i int64) record.Value  { return record.Value{Kind: record.Int, I: i} }
func js(s string) record.Value  { return record.Value{Kind: record.JSON, S: s} }
func obj(v ...record.Value) record.Value {
	return record.Value{Kind: record.Object, L: v}
}

var (
	null   = record.Value{Kind: record.Null}
	absent = record.Value{Kind: record.Absent}
)

// diffRow is a diff file row in a comparable form.
type diffRow struct {
	change, key, prevHash, hash string
	changed                     string // path:old>new;... with ~ for absent
	image                       string // canonical JSON of the image, absent fields omitted
}

// runDiff diffs prev and cur and returns the summary and the diff file's rows.
func runDiff(t testing.TB, prev, cur File, opt Options) (Summary, []diffRow, []byte) {
	t.Helper()
	var out bytes.Buffer
	sum, err := Diff(context.Background(), prev, cur, &out, opt)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return sum, readDiff(t, out.Bytes()), out.Bytes()
}

// readDiff decodes a diff file.
func readDiff(t testing.TB, b []byte) []diffRow {
	t.Helper()
	s, rows, err := format.ReadParquet(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	img := schema.Schema{Fields: s.Fields[6:]}
	idx := newAbsentIndex(img.Fields)
	var h record.Hasher
	var out []diffRow
	for row, err := range rows {
		if err != nil {
			t.Fatal(err)
		}
		image := append(record.Row(nil), row[6:]...)
		for _, p := range row[5].L {
			idx.restore(image, p.S)
		}
		d := diffRow{change: row[0].S, key: row[1].S, prevHash: text(row[2]), hash: text(row[3]),
			image: string(h.AppendCanonical(nil, img, image))}
		var parts []string
		for _, c := range row[4].L {
			parts = append(parts, fmt.Sprintf("%s:%s>%s", c.L[0].S, text(c.L[1]), text(c.L[2])))
		}
		d.changed = strings.Join(parts, ";")
		out = append(out, d)
	}
	return out
}

func text(v record.Value) string {
	if v.IsNull() {
		return "~"
	}
	return v.S
}

// keysOf returns the keys of the rows with the given change, sorted.
func keysOf(rows []diffRow, change Change) []string {
	var keys []string
	for _, r := range rows {
		if r.change == string(change) {
			keys = append(keys, r.key)
		}
	}
	slices.Sort(keys)
	return keys
}

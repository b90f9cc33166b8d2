package snapshot

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

func fieldsSchema(extra ...schema.Field) schema.Schema {
	f := []schema.Field{
		{Name: "id", Type: schema.String},
		{Name: "name", Type: schema.String},
		{Name: "n", Type: schema.Int},
		{Name: "owner", Type: schema.Object, Fields: []schema.Field{
			{Name: "name", Type: schema.String}, {Name: "age", Type: schema.Int}}},
		{Name: "meta", Type: schema.JSON},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
	}
	return schema.Schema{Fields: append(f, extra...)}
}

// row builds a row of fieldsSchema with every field absent but those given by name.
func row(s schema.Schema, id string, set map[string]record.Value) record.Row {
	r := make(record.Row, len(s.Fields))
	r[0] = str(id)
	for name, v := range set {
		i := s.Index(name)
		if i < 0 {
			panic("no field " + name)
		}
		r[i] = v
	}
	return r
}

func list(v ...record.Value) record.Value { return record.Value{Kind: record.List, L: v} }

// TestDiffFieldChanges checks every kind of field-level change by its exact diff row.
func TestDiffFieldChanges(t *testing.T) {
	prevS := fieldsSchema(schema.Field{Name: "extra", Type: schema.String}, schema.Field{Name: "count", Type: schema.Int})
	curS := fieldsSchema(schema.Field{Name: "count", Type: schema.String}, schema.Field{Name: "added_col", Type: schema.Int})
	base := map[string]record.Value{"name": str("x"), "n": num(1), "owner": obj(str("o"), num(3)), "meta": js(`{"k":1}`), "tags": list(str("t"))}
	with := func(changes map[string]record.Value) map[string]record.Value {
		m := map[string]record.Value{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range changes {
			m[k] = v
		}
		return m
	}
	type pair struct{ prev, cur map[string]record.Value }
	cases := map[string]pair{
		"a-unchanged":        {base, base},
		"b-nested":           {base, with(map[string]record.Value{"owner": obj(str("p"), num(3))})},
		"c-json-type":        {with(map[string]record.Value{"meta": js("5")}), with(map[string]record.Value{"meta": js(`"5"`)})},
		"d-declared-type":    {with(map[string]record.Value{"count": num(5)}), with(map[string]record.Value{"count": str("5")})},
		"e-null-to-missing":  {with(map[string]record.Value{"name": null}), with(map[string]record.Value{"name": absent})},
		"f-missing-to-null":  {with(map[string]record.Value{"n": absent}), with(map[string]record.Value{"n": null})},
		"g-prev-only-field":  {with(map[string]record.Value{"extra": str("x")}), base},
		"h-cur-only-field":   {base, with(map[string]record.Value{"added_col": num(7)})},
		"i-deleted":          {map[string]record.Value{"name": str("del"), "count": num(4)}, nil},
		"j-added":            {nil, map[string]record.Value{"name": str("new"), "added_col": num(2)}},
		"k-object-appears":   {with(map[string]record.Value{"owner": absent}), base},
		"l-list":             {base, with(map[string]record.Value{"tags": list(str("t"), str("u"))})},
		"m-nested-null":      {with(map[string]record.Value{"owner": obj(null, num(3))}), with(map[string]record.Value{"owner": obj(absent, num(3))})},
		"n-two-fields":       {base, with(map[string]record.Value{"n": num(2), "owner": obj(str("o"), num(4))})},
		"o-null-object-kids": {with(map[string]record.Value{"owner": null}), with(map[string]record.Value{"owner": obj(absent, absent)})},
	}
	want := map[string]diffRow{
		"b-nested":           {change: "MODIFIED", changed: `owner.name:"o">"p"`},
		"c-json-type":        {change: "MODIFIED", changed: `meta:5>"5"`},
		"d-declared-type":    {change: "MODIFIED", changed: `count:5>"5"`},
		"e-null-to-missing":  {change: "MODIFIED", changed: `name:null>~`},
		"f-missing-to-null":  {change: "MODIFIED", changed: `n:~>null`},
		"g-prev-only-field":  {change: "MODIFIED", changed: `extra:"x">~`},
		"h-cur-only-field":   {change: "MODIFIED", changed: `added_col:~>7`},
		"i-deleted":          {change: "DELETED", image: `{"count":"4","id":"i-deleted","name":"del"}`},
		"j-added":            {change: "ADDED", image: `{"added_col":2,"id":"j-added","name":"new"}`},
		"k-object-appears":   {change: "MODIFIED", changed: `owner:~>{"age":3,"name":"o"}`},
		"l-list":             {change: "MODIFIED", changed: `tags:["t"]>["t","u"]`},
		"m-nested-null":      {change: "MODIFIED", changed: `owner.name:null>~`},
		"n-two-fields":       {change: "MODIFIED", changed: `n:1>2;owner.age:3>4`},
		"o-null-object-kids": {change: "MODIFIED", changed: `owner:null>{}`},
	}
	var prev, cur snap
	prev.data, cur.data = prevS, curS
	prevRows, curRows := map[string]record.Row{}, map[string]record.Row{}
	for id, p := range cases {
		if p.prev != nil {
			prevRows[id] = row(prevS, id, p.prev)
			prev.rows = append(prev.rows, prevRows[id])
		}
		if p.cur != nil {
			curRows[id] = row(curS, id, p.cur)
			cur.rows = append(cur.rows, curRows[id])
		}
	}
	prev.pk, cur.pk = []int{0}, []int{0}
	sum, rows, _ := runDiff(t, prev.file(t, "prev"), cur.file(t, "cur"), Options{})
	var h record.Hasher
	hashOf := func(s schema.Schema, r record.Row) string {
		if r == nil {
			return "~"
		}
		b := h.Sum(s, r)
		return hex.EncodeToString(b[:])
	}
	got := map[string]diffRow{}
	for _, r := range rows {
		if _, dup := got[r.key]; dup {
			t.Errorf("key %s appears twice", r.key)
		}
		got[r.key] = r
	}
	if len(got) != len(want) {
		t.Errorf("got %d diff rows, want %d", len(got), len(want))
	}
	for key, w := range want {
		g, ok := got[key]
		if !ok {
			t.Errorf("%s: no diff row", key)
			continue
		}
		w.key = key
		w.prevHash, w.hash = hashOf(prevS, prevRows[key]), hashOf(curS, curRows[key])
		if w.image == "" {
			w.image = string(h.AppendCanonical(nil, curS, curRows[key]))
		}
		if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", key, g, w)
		}
	}
	wantSum := Summary{
		Prev:  SideSummary{Rows: 14, ContentHash: sum.Prev.ContentHash},
		Cur:   SideSummary{Rows: 14, ContentHash: sum.Cur.ContentHash},
		Added: 1, Modified: 12, Deleted: 1, Unchanged: 1,
	}
	if sum.Prev.ContentHash != setHash(prevS, prev.rows) || sum.Cur.ContentHash != setHash(curS, cur.rows) {
		t.Errorf("content hashes %s %s, want the set hashes of the rows", sum.Prev.ContentHash, sum.Cur.ContentHash)
	}
	if !equalSummary(sum, wantSum) {
		t.Errorf("summary %+v, want %+v", sum, wantSum)
	}
}

func setHash(s schema.Schema, rows []record.Row) string {
	var h record.Hasher
	var set record.SetHash
	for _, r := range rows {
		set.Add(h.Sum(s, r))
	}
	return set.String()
}

func equalSummary(a, b Summary) bool {
	return a.Prev == b.Prev && a.Cur == b.Cur && a.Added == b.Added && a.Modified == b.Modified &&
		a.Deleted == b.Deleted && a.Unchanged == b.Unchanged && len(a.Sample) == len(b.Sample)
}

// TestDiffErrors checks that unreadable inputs fail with a message naming the file.
func TestDiffErrors(t *testing.T) {
	good := snap{data: fieldsSchema(), pk: []int{0}, rows: []record.Row{row(fieldsSchema(), "a", nil)}}.file(t, "good.parquet")
	var plain bytes.Buffer
	noKey := snap{data: fieldsSchema()}
	w, err := format.NewParquet(&plain, noKey.data, format.ParquetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(row(noKey.data, "a", nil)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		prev, cur File
		want      string
	}{
		{"not parquet", File{Name: "junk.parquet", R: strings.NewReader("not a parquet file"), Size: 18}, good,
			"snapshot junk.parquet: "},
		{"no key column", good, File{Name: "plain.parquet", R: bytes.NewReader(plain.Bytes()), Size: int64(plain.Len())},
			"snapshot plain.parquet: no _key column: not a snapshot file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Diff(context.Background(), tc.prev, tc.cur, nil, Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// TestDiffCancelled checks that a cancelled diff fails and leaves no temporary files.
func TestDiffCancelled(t *testing.T) {
	dir := t.TempDir()
	s := genSnap(500, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Diff(ctx, s.file(t, "a"), s.file(t, "b"), nil, Options{TempDir: dir})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 0 {
		t.Fatalf("left %d entries in the temp dir", len(left))
	}
}

// TestDiffGenerated diffs generated snapshots under several memory budgets and bucket
// counts: the key sets are exact and every configuration writes the same bytes.
func TestDiffGenerated(t *testing.T) {
	base := genSnap(3000, 1)
	next, want := mutate(base, 2, 0.03, 0.1, 0.05)
	prev, cur := base.file(t, "prev"), next.file(t, "cur")
	// One row group per file: the diff file is the same.
	base.groupRows, next.groupRows = 1<<20, 1<<20
	bigPrev, bigCur := base.file(t, "prev"), next.file(t, "cur")
	_, _, ref := runDiff(t, prev, cur, Options{Workers: 1, Buckets: 1})
	cases := []struct {
		name      string
		opt       Options
		wantSpill bool
		big       bool
	}{
		{"one row group per file, pages", Options{}, false, true},
		{"in memory, default", Options{}, false, false},
		{"in memory, one bucket, one worker", Options{Workers: 1, Buckets: 1}, false, false},
		{"tiny budget, many buckets", Options{MemoryBudget: 4096, Buckets: 1024, Workers: 4}, true, false},
		{"tiny budget, few buckets", Options{MemoryBudget: 1, Buckets: 2, Workers: 3}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.TempDir = t.TempDir()
			tc.opt.Sample = 3
			p, c := prev, cur
			if tc.big {
				p, c = bigPrev, bigCur
			}
			sum, rows, b := runDiff(t, p, c, tc.opt)
			checkKeys(t, rows, want)
			if !bytes.Equal(b, ref) {
				t.Errorf("diff file differs from the reference (%d bytes vs %d)", len(b), len(ref))
			}
			if sum.Spilled != tc.wantSpill {
				t.Errorf("spilled %v, want %v", sum.Spilled, tc.wantSpill)
			}
			if sum.Added != int64(len(want.added)) || sum.Modified != int64(len(want.modified)) ||
				sum.Deleted != int64(len(want.deleted)) || sum.Unchanged != want.unchanged {
				t.Errorf("summary %+v, want %d/%d/%d/%d", sum, len(want.added), len(want.modified), len(want.deleted), want.unchanged)
			}
			if sum.Prev.Rows != 3000 || sum.Cur.Rows != int64(len(next.rows)) {
				t.Errorf("rows %d/%d, want 3000/%d", sum.Prev.Rows, sum.Cur.Rows, len(next.rows))
			}
			for _, r := range rows {
				if r.change == "MODIFIED" && !strings.HasPrefix(r.changed, "followers:") {
					t.Fatalf("key %s: changed %q, want only followers", r.key, r.changed)
				}
			}
			if len(sum.Sample) != 3 || sum.Sample[0].Key != rows[0].key {
				t.Errorf("sample %+v does not start with the first row %s", sum.Sample, rows[0].key)
			}
			left, _ := os.ReadDir(tc.opt.TempDir)
			if len(left) != 0 {
				t.Errorf("left %d entries in the temp dir", len(left))
			}
		})
	}
}

// TestDiffMultiPage diffs files whose column chunks span many pages.
func TestDiffMultiPage(t *testing.T) {
	base := genSnap(40000, 3)
	next, want := mutate(base, 4, 0.01, 0.05, 0.01)
	base.groupRows, next.groupRows = 1<<20, 1<<20
	sum, rows, _ := runDiff(t, base.file(t, "prev"), next.file(t, "cur"), Options{})
	checkKeys(t, rows, want)
	if sum.Unchanged != want.unchanged {
		t.Errorf("unchanged %d, want %d", sum.Unchanged, want.unchanged)
	}
	for _, r := range rows {
		if r.change == "MODIFIED" && !strings.HasPrefix(r.changed, "followers:") {
			t.Fatalf("key %s: changed %q, want only followers", r.key, r.changed)
		}
	}
}

package snapshot

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
)

// genSchema is the shape of generated snapshots: flat and nested fields of every kind.
func genSchema() schema.Schema {
	return schema.Schema{Fields: []schema.Field{
		{Name: "id", Type: schema.Int},
		{Name: "handle", Type: schema.String},
		{Name: "followers", Type: schema.Int},
		{Name: "score", Type: schema.Float},
		{Name: "verified", Type: schema.Bool},
		{Name: "seen", Type: schema.Timestamp},
		{Name: "owner", Type: schema.Object, Fields: []schema.Field{
			{Name: "name", Type: schema.String}, {Name: "since", Type: schema.Date}}},
		{Name: "tags", Type: schema.List, Items: &schema.Field{Type: schema.String}},
		{Name: "meta", Type: schema.JSON},
	}}
}

func genRow(r *rand.Rand, id int64) record.Row {
	row := record.Row{
		num(id),
		str(fmt.Sprintf("user_%d", r.IntN(1000000))),
		num(r.Int64N(100000)),
		{Kind: record.Float, F: float64(r.IntN(10000)) / 8},
		{Kind: record.Bool, I: int64(r.IntN(2))},
		{Kind: record.Time, I: 1704067200000000 + r.Int64N(1e12)},
		obj(str(fmt.Sprintf("o%d", r.IntN(50))), record.Value{Kind: record.Date, I: 19000 + r.Int64N(400)}),
		list(str("a"), str(fmt.Sprint(r.IntN(9)))),
		js(fmt.Sprintf(`{"v":%d}`, r.IntN(5))),
	}
	// Some values are null or absent, so those paths are exercised at scale too.
	switch r.IntN(10) {
	case 0:
		row[1] = null
	case 1:
		row[2] = absent
	case 2:
		row[6].L[0] = absent
	case 3:
		row[7] = null
	}
	return row
}

// genSnap returns n generated records with ids 0..n-1, in a shuffled order.
func genSnap(n int, seed uint64) snap {
	r := rand.New(rand.NewPCG(seed, 7))
	s := snap{data: genSchema(), pk: []int{0}}
	for i := range n {
		s.rows = append(s.rows, genRow(r, int64(i)))
	}
	r.Shuffle(len(s.rows), func(i, j int) { s.rows[i], s.rows[j] = s.rows[j], s.rows[i] })
	return s
}

// expectation is what a diff of a mutated snapshot must find.
type expectation struct {
	added, modified, deleted []string
	unchanged                int64
}

// mutate returns a copy of s with about the given fractions of its records deleted,
// modified (one field changed) and added, and the key sets a diff must report.
func mutate(s snap, seed uint64, del, mod, add float64) (snap, expectation) {
	r := rand.New(rand.NewPCG(seed, 11))
	out := snap{data: s.data, pk: s.pk}
	var e expectation
	next := int64(len(s.rows)) * 10
	for _, row := range s.rows {
		key := fmt.Sprint(row[0].I)
		switch x := r.Float64(); {
		case x < del:
			e.deleted = append(e.deleted, key)
			continue
		case x < del+mod:
			row = slices.Clone(row)
			row[2] = num(row[2].I + 1 + r.Int64N(5))
			e.modified = append(e.modified, key)
		default:
			e.unchanged++
		}
		out.rows = append(out.rows, row)
	}
	for range int(float64(len(s.rows)) * add) {
		next++
		out.rows = append(out.rows, genRow(r, next))
		e.added = append(e.added, fmt.Sprint(next))
	}
	r.Shuffle(len(out.rows), func(i, j int) { out.rows[i], out.rows[j] = out.rows[j], out.rows[i] })
	for _, ks := range [][]string{e.added, e.modified, e.deleted} {
		slices.Sort(ks)
	}
	return out, e
}

func checkKeys(t *testing.T, rows []diffRow, e expectation) {
	t.Helper()
	for _, c := range []struct {
		change Change
		want   []string
	}{{Added, e.added}, {Modified, e.modified}, {Deleted, e.deleted}} {
		if got := keysOf(rows, c.change); !slices.Equal(got, c.want) {
			t.Errorf("%s keys: got %d %v..., want %d %v...", c.change, len(got), head(got), len(c.want), head(c.want))
		}
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

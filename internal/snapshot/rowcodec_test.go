package snapshot

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/internal/record"
)

// encodeFetched encodes a fetched row as the fetcher does.
func encodeFetched(ord int64, key string, row record.Row) []byte {
	b := appendFetchedHead(nil, ord, key, len(row))
	for i := range row {
		b = appendValue(b, &row[i])
	}
	return b
}

// TestModifiedChangesEncoded checks that comparing a MODIFIED row with prev's values
// left encoded finds the same changes as comparing the decoded rows.
func TestModifiedChangesEncoded(t *testing.T) {
	s := genSchema()
	r := rand.New(rand.NewPCG(8, 9))
	rb := newRowBuilder(s, s)
	if !rb.pair.same {
		t.Fatal("identical schemas are not paired field by field")
	}
	changed := 0
	for i := range 2000 {
		prev := genRow(r, int64(i))
		cur := genRow(r, int64(i))
		// Keep some fields equal, so both equal and different encodings are compared.
		for j := range cur {
			if r.IntN(2) == 0 {
				cur[j] = prev[j]
			}
		}
		if r.IntN(4) == 0 {
			cur[3] = record.Value{Kind: record.Float, F: math.Copysign(0, -1)}
			prev[3] = record.Value{Kind: record.Float, F: 0}
		}
		lazy := rowDecoder{b: encodeFetched(1, "k", prev), vals: &rb.vals}
		p, err := lazy.next(true)
		if err != nil || p.row != nil {
			t.Fatalf("lazy next: %v, row %v", err, p.row)
		}
		full := rowDecoder{b: encodeFetched(2, "k", cur), vals: &rb.vals}
		c, err := full.next(false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rb.modifiedChanges(nil, &p, &c)
		if err != nil {
			t.Fatal(err)
		}
		want := rb.appendChanges(nil, rb.pair, prev, cur)
		if !slices.EqualFunc(got, want, sameFieldChange) {
			t.Fatalf("row %d: encoded comparison %s, decoded %s", i, fieldChanges(got), fieldChanges(want))
		}
		changed += len(got)
	}
	if changed == 0 {
		t.Fatal("no changes compared")
	}
}

func sameFieldChange(a, b FieldChange) bool {
	eq := func(x, y *string) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return a.Path == b.Path && eq(a.Old, b.Old) && eq(a.New, b.New)
}

func fieldChanges(fcs []FieldChange) string {
	var out []string
	for _, fc := range fcs {
		s := func(p *string) string {
			if p == nil {
				return "~"
			}
			return *p
		}
		out = append(out, fmt.Sprintf("%s:%s>%s", fc.Path, s(fc.Old), s(fc.New)))
	}
	return fmt.Sprint(out)
}

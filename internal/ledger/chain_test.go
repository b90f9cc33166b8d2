package ledger_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
)

func TestChainAppendAndReconcile(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		c, etag, err := ledger.ReadChain(ctx, st, testStream)
		if err != nil || etag != "" || c.Head() != nil {
			t.Fatalf("empty chain: %+v %q %v", c, etag, err)
		}
		d1 := time.Date(2024, 1, 14, 0, 0, 0, 0, time.UTC)
		d2 := d1.AddDate(0, 0, 1)
		first := ledger.Link{Date: "2024-01-14", RunID: "run1", RunTimestamp: "20240114T090000Z", Records: 3, ContentHash: "h1",
			Key: testStream.SnapshotKey(d1, "20240114T090000Z", "parquet"), MetadataKey: testStream.SnapshotMetadataKey(d1, "20240114T090000Z")}
		second := ledger.Link{Date: "2024-01-15", RunID: "run2", RunTimestamp: "20240115T090000Z", Records: 4, ContentHash: "h2",
			Key: testStream.SnapshotKey(d2, "20240115T090000Z", "parquet"), MetadataKey: testStream.SnapshotMetadataKey(d2, "20240115T090000Z"),
			DiffKey: testStream.DiffKey(d1, d2, "20240115T090000Z", "parquet"), DiffMetadataKey: testStream.DiffMetadataKey(d1, d2, "20240115T090000Z"), Added: 1}
		if err := ledger.AppendLink(ctx, st, testStream, c, etag, first); err != nil {
			t.Fatal(err)
		}
		// A writer holding the old (empty) chain loses the race.
		if err := ledger.AppendLink(ctx, st, testStream, c, etag, second); !errors.Is(err, ledger.ErrConflict) {
			t.Fatalf("stale append: %v, want ErrConflict", err)
		}
		c, etag, err = ledger.ReadChain(ctx, st, testStream)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.AppendLink(ctx, st, testStream, c, etag, second); err != nil {
			t.Fatal(err)
		}
		c, _, err = ledger.ReadChain(ctx, st, testStream)
		if err != nil || len(c.Links) != 2 || c.Head().ContentHash != "h2" || c.Links[0].Key != first.Key {
			t.Fatalf("chain %+v, %v", c, err)
		}
		// Reconcile removes the files of a capture that never moved the head, and keeps
		// every file a link names and anything that is not a snapshot file.
		orphans := []string{
			testStream.SnapshotKey(d2, "20240115T100000Z", "parquet"), testStream.SnapshotMetadataKey(d2, "20240115T100000Z"),
			testStream.DiffKey(d1, d2, "20240115T100000Z", "parquet"),
		}
		other := testStream.SnapshotPrefix() + "README.txt"
		for _, k := range append(append(append(first.Keys(), second.Keys()...), orphans...), other) {
			put(t, st, k, []byte("x"))
		}
		rep, err := ledger.ReconcileSnapshots(ctx, st, testStream)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(rep.Removed)
		want := slices.Clone(orphans)
		slices.Sort(want)
		if !slices.Equal(rep.Removed, want) {
			t.Fatalf("removed %q, want %q", rep.Removed, want)
		}
		kept := append(append(first.Keys(), second.Keys()...), other, testStream.ChainKey())
		slices.Sort(kept)
		if got := keys(t, st); !slices.Equal(got, kept) {
			t.Fatalf("keys after reconcile %q, want %q", got, kept)
		}
	})
}

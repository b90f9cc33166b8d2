package layout_test

import (
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
)

func TestSnapshotKeys(t *testing.T) {
	s := layout.Stream{Source: "instagram", Account: "17841400000000001", Name: "followers"}
	d1 := time.Date(2024, 1, 14, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	const ts = "20240115T103000Z"
	for _, c := range []struct{ name, got, want string }{
		{"snapshot", s.SnapshotKey(d2, ts, "parquet"), "instagram/17841400000000001/snapshots/followers/snapshot_2024-01-15_20240115T103000Z.parquet"},
		{"snapshot metadata", s.SnapshotMetadataKey(d2, ts), "instagram/17841400000000001/snapshots/followers/metadata_snapshot_2024-01-15_20240115T103000Z.json"},
		{"diff", s.DiffKey(d1, d2, ts, "parquet"), "instagram/17841400000000001/diffs/followers/diff_2024-01-14_2024-01-15_20240115T103000Z.parquet"},
		{"diff metadata", s.DiffMetadataKey(d1, d2, ts), "instagram/17841400000000001/diffs/followers/metadata_diff_2024-01-14_2024-01-15_20240115T103000Z.json"},
		{"chain", s.ChainKey(), "_sluice/state/instagram/17841400000000001/followers/snapshots/chain.json"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

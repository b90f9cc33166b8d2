package layout_test

import (
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
)

func TestStateKeys(t *testing.T) {
	s := layout.Stream{Source: "instagram", Account: "17841400000000001", Name: "posts"}
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	jan31 := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	la := time.FixedZone("PST", -8*3600)
	tests := []struct{ name, got, want string }{
		{"checkpoint prefix", s.CheckpointPrefix(), "_sluice/state/instagram/17841400000000001/posts/checkpoints/"},
		{"checkpoint", s.CheckpointKey(jan1, jan31), "_sluice/state/instagram/17841400000000001/posts/checkpoints/2024-01-01_2024-01-31.json"},
		{"checkpoint of a non-UTC time", s.CheckpointKey(jan1.In(la), jan31.In(la)), "_sluice/state/instagram/17841400000000001/posts/checkpoints/2024-01-01_2024-01-31.json"},
		{"snapshot checkpoint", s.CheckpointKey(time.Time{}, time.Time{}), "_sluice/state/instagram/17841400000000001/posts/checkpoints/snapshot.json"},
		{"staging prefix", s.StagingPrefix(), "_sluice/staging/instagram/17841400000000001/posts/"},
		{"staged part", s.StagingKey(jan1, jan31, "a1b2c3", 7, "jsonl"), "_sluice/staging/instagram/17841400000000001/posts/2024-01-01_2024-01-31/a1b2c3-00007.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestParsePartitionFile(t *testing.T) {
	s := layout.Stream{Source: "demo", Account: "acme", Name: "posts"}
	day := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	const ts = "20240115T103000Z"
	tests := []struct {
		key  string
		want layout.PartitionFile
		ok   bool
	}{
		{"demo/acme/posts/2024/01/15/data_" + ts + ".parquet", layout.PartitionFile{Day: day, Role: "data", TS: ts}, true},
		{"demo/acme/posts/2024/01/15/data_" + ts + ".jsonl", layout.PartitionFile{Day: day, Role: "data", TS: ts}, true},
		{"demo/acme/posts/2024/01/15/metadata_" + ts + ".json", layout.PartitionFile{Day: day, Role: "metadata", TS: ts}, true},
		{"demo/acme/posts/2024/01/15/quality_" + ts + ".json", layout.PartitionFile{Day: day, Role: "quality", TS: ts}, true},
		{"demo/acme/posts/2024/01/15/metadata_" + ts + ".txt", layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/01/15/data_" + ts, layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/01/15/data_2024-01-15.jsonl", layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/01/15/summary_" + ts + ".json", layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/01/15/sub/data_" + ts + ".jsonl", layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/02/30/data_" + ts + ".jsonl", layout.PartitionFile{}, false},
		{"demo/acme/posts/2024/1/15/data_" + ts + ".jsonl", layout.PartitionFile{}, false},
		{"demo/acme/posts/README.md", layout.PartitionFile{}, false},
		{"demo/acme/posts2/2024/01/15/data_" + ts + ".jsonl", layout.PartitionFile{}, false},
		{"demo/acme/snapshots/posts/snapshot_2024-01-15_" + ts + ".parquet", layout.PartitionFile{}, false},
		{"_sluice/state/demo/acme/posts/2024/01/15/manifest.json", layout.PartitionFile{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := s.ParsePartitionFile(tt.key)
			if ok != tt.ok || !got.Day.Equal(tt.want.Day) || got.Role != tt.want.Role || got.TS != tt.want.TS {
				t.Fatalf("ParsePartitionFile = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

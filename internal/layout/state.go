package layout

import (
	"fmt"
	"strings"
	"time"
)

// File roles of a partition folder, as named by manifests.
const (
	RoleData     = "data"
	RoleMetadata = "metadata"
	RoleQuality  = "quality"
)

// dayLayout is the form of a partition folder below the stream: YYYY/MM/DD.
const dayLayout = "2006/01/02"

// windowName renders an inclusive window of UTC days as 2024-01-01_2024-01-31, or
// "snapshot" for the zero window of a stream without a date filter.
func windowName(from, to time.Time) string {
	if from.IsZero() && to.IsZero() {
		return "snapshot"
	}
	return from.UTC().Format(time.DateOnly) + "_" + to.UTC().Format(time.DateOnly)
}

// CheckpointPrefix is the prefix of the stream's extraction checkpoints.
func (s Stream) CheckpointPrefix() string { return s.StatePrefix() + "checkpoints/" }

// CheckpointKey is the key of the checkpoint of the request window from..to (inclusive
// UTC days): _sluice/state/{source}/{account}/{stream}/checkpoints/2024-01-01_2024-01-31.json.
// Zero from and to name the single checkpoint of a snapshot capture (…/snapshot.json).
func (s Stream) CheckpointKey(from, to time.Time) string {
	return s.CheckpointPrefix() + windowName(from, to) + ".json"
}

// StagingPrefix is the prefix of the stream's staged parts: files already extracted by a
// checkpointed window and not yet committed.
func (s Stream) StagingPrefix() string { return StateRoot + "/staging/" + s.dir() + "/" }

// StagingKey is the key of staged part seq (from 1) of the window from..to written by run
// runID: _sluice/staging/{source}/{account}/{stream}/2024-01-01_2024-01-31/{runID}-00001.{ext}.
// The run id keeps a resumed run from colliding with parts a crashed run left unrecorded.
func (s Stream) StagingKey(from, to time.Time, runID string, seq int, ext string) string {
	return s.StagingPrefix() + windowName(from, to) + "/" + runID + "-" + fmt.Sprintf("%05d", seq) + "." + ext
}

// PartitionFile is a key of a partition folder parsed back into its parts.
type PartitionFile struct {
	Day  time.Time // 00:00 UTC of the folder's day
	Role string    // RoleData, RoleMetadata or RoleQuality
	TS   string    // run timestamp, 20240115T103000Z
}

// ParsePartitionFile parses key as one of the stream's partition files:
// {source}/{account}/{stream}/YYYY/MM/DD/{data_TS.ext | metadata_TS.json | quality_TS.json}.
// ok is false for every other key, including keys of other streams, snapshot and diff
// files, deeper folders and names whose timestamp or date does not parse: such keys are
// not sluice's partition files and must be left alone.
func (s Stream) ParsePartitionFile(key string) (PartitionFile, bool) {
	rest, ok := strings.CutPrefix(key, s.DataPrefix())
	if !ok || len(rest) < len(dayLayout)+2 || rest[len(dayLayout)] != '/' {
		return PartitionFile{}, false
	}
	folder, name := rest[:len(dayLayout)], rest[len(dayLayout)+1:]
	day, err := time.Parse(dayLayout, folder)
	if err != nil || day.Format(dayLayout) != folder || strings.Contains(name, "/") {
		return PartitionFile{}, false
	}
	role, tail, ok := strings.Cut(name, "_")
	if !ok {
		return PartitionFile{}, false
	}
	ts, ext, ok := strings.Cut(tail, ".")
	if !ok || ext == "" || strings.ContainsAny(ext, "/_") {
		return PartitionFile{}, false
	}
	if _, err := time.Parse(TimestampLayout, ts); err != nil || len(ts) != len(TimestampLayout) {
		return PartitionFile{}, false
	}
	switch role {
	case RoleData:
	case RoleMetadata, RoleQuality:
		if ext != "json" {
			return PartitionFile{}, false
		}
	default:
		return PartitionFile{}, false
	}
	return PartitionFile{Day: day, Role: role, TS: ts}, true
}

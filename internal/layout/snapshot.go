package layout

import "time"

// SnapshotPrefix is the folder of the stream's snapshot files and their companions.
func (s Stream) SnapshotPrefix() string {
	return s.Source + "/" + s.Account + "/snapshots/" + s.Name + "/"
}

// DiffPrefix is the folder of the stream's diff files and their companions.
func (s Stream) DiffPrefix() string { return s.Source + "/" + s.Account + "/diffs/" + s.Name + "/" }

// SnapshotMetadataKey is the metadata companion of the snapshot SnapshotKey(date, ts, …):
// {source}/{account}/snapshots/{stream}/metadata_snapshot_{date}_{ts}.json.
func (s Stream) SnapshotMetadataKey(date time.Time, ts string) string {
	return s.SnapshotPrefix() + "metadata_snapshot_" + date.UTC().Format(time.DateOnly) + "_" + ts + ".json"
}

// DiffMetadataKey is the metadata companion of the diff DiffKey(start, end, ts, …):
// {source}/{account}/diffs/{stream}/metadata_diff_{start}_{end}_{ts}.json.
func (s Stream) DiffMetadataKey(start, end time.Time, ts string) string {
	return s.DiffPrefix() + "metadata_diff_" + start.UTC().Format(time.DateOnly) + "_" + end.UTC().Format(time.DateOnly) + "_" + ts + ".json"
}

// ChainKey is the key of the stream's snapshot chain, whose last link is the head:
// _sluice/state/{source}/{account}/{stream}/snapshots/chain.json.
func (s Stream) ChainKey() string { return s.StatePrefix() + "snapshots/chain.json" }

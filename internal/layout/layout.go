// Package layout maps partitions, snapshots and runs to object keys. It is the storage
// contract of DESIGN §3 as pure functions: nothing here touches a store.
package layout

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// StateRoot is the prefix of everything sluice keeps for itself. The leading underscore
// makes Hive-style readers skip it.
const StateRoot = "_sluice"

// TimestampLayout is the compact ISO 8601 form of run timestamps: 20240115T103000Z.
const TimestampLayout = "20060102T150405Z"

// Timestamp formats t (converted to UTC) as a run timestamp.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// ParseTimestamp parses a run timestamp.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("run timestamp %q: use the form 20240115T103000Z", s)
	}
	return t, nil
}

// Stream identifies one (source, account, stream) triple; every field is a path segment.
type Stream struct {
	Source  string // account_type
	Account string // account_id
	Name    string // data_type
}

// Partition is one UTC day of one stream.
type Partition struct {
	Stream
	Day time.Time // 00:00 UTC of the day
}

// String renders the partition as source/account/stream/YYYY-MM-DD for messages.
func (p Partition) String() string {
	return p.Source + "/" + p.Account + "/" + p.Name + "/" + p.Day.Format("2006-01-02")
}

// Check validates the three segments of s.
func (s Stream) Check() error {
	for _, seg := range []struct{ what, v string }{{"source", s.Source}, {"account id", s.Account}, {"stream", s.Name}} {
		if err := CheckSegment(seg.v); err != nil {
			return fmt.Errorf("%s %q: %w", seg.what, seg.v, err)
		}
	}
	return nil
}

// CheckSegment reports why s cannot be one segment of an object key: empty, "." or "..",
// containing "/" or "\", control characters, or invalid UTF-8.
func CheckSegment(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("must not be empty")
	case s == "." || s == "..":
		return fmt.Errorf("must not be %q", s)
	case strings.ContainsAny(s, `/\`):
		return fmt.Errorf("must not contain / or \\ (it would change the storage path)")
	case !utf8.ValidString(s):
		return fmt.Errorf("must be valid UTF-8")
	case len(s) > 200:
		return fmt.Errorf("must be at most 200 bytes")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("must not contain control characters")
		}
	}
	return nil
}

func (s Stream) dir() string { return s.Source + "/" + s.Account + "/" + s.Name }

// Dir is the folder of the partition's files: {source}/{account}/{stream}/YYYY/MM/DD.
func (p Partition) Dir() string { return p.dir() + "/" + p.Day.UTC().Format("2006/01/02") }

// DataKey is the key of the partition's data file written by the run at ts.
func (p Partition) DataKey(ts, ext string) string { return p.Dir() + "/data_" + ts + "." + ext }

// MetadataKey is the key of the metadata file of the run at ts.
func (p Partition) MetadataKey(ts string) string { return p.Dir() + "/metadata_" + ts + ".json" }

// QualityKey is the key of the quality report of the run at ts.
func (p Partition) QualityKey(ts string) string { return p.Dir() + "/quality_" + ts + ".json" }

// ManifestKey is the key of the partition's manifest, which names its current generation.
func (p Partition) ManifestKey() string {
	return StateRoot + "/state/" + p.Dir() + "/manifest.json"
}

// StatePrefix is the prefix of the stream's state objects (manifests, checkpoints).
func (s Stream) StatePrefix() string { return StateRoot + "/state/" + s.dir() + "/" }

// DataPrefix is the prefix of the stream's data folders.
func (s Stream) DataPrefix() string { return s.dir() + "/" }

// LeaseKey is the key of the stream's writer lease.
func (s Stream) LeaseKey() string { return StateRoot + "/leases/" + s.dir() + ".json" }

// RunKey is the key of a run summary: _sluice/runs/YYYY/MM/DD/run_{ts}_{runID}.json.
func RunKey(ts time.Time, runID string) string {
	return StateRoot + "/runs/" + ts.UTC().Format("2006/01/02") + "/run_" + Timestamp(ts) + "_" + runID + ".json"
}

// SnapshotKey is the key of a snapshot captured on date by the run at ts.
func (s Stream) SnapshotKey(date time.Time, ts, ext string) string {
	return s.Source + "/" + s.Account + "/snapshots/" + s.Name + "/snapshot_" + date.UTC().Format("2006-01-02") + "_" + ts + "." + ext
}

// DiffKey is the key of the diff between the snapshots of start and end dates.
func (s Stream) DiffKey(start, end time.Time, ts, ext string) string {
	return s.Source + "/" + s.Account + "/diffs/" + s.Name + "/diff_" + start.UTC().Format("2006-01-02") + "_" + end.UTC().Format("2006-01-02") + "_" + ts + "." + ext
}

// Day truncates t to 00:00 UTC of its UTC date.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

package engine

import (
	"encoding/json"
	"time"
)

// SnapshotRef identifies a snapshot file by key and content hash.
type SnapshotRef struct {
	Key         string `json:"key"`
	Date        string `json:"date"`
	Records     int64  `json:"records"`
	ContentHash string `json:"content_hash"`
}

// DiffRef points a snapshot's metadata at the diff that leads to it.
type DiffRef struct {
	Key         string `json:"key"`
	MetadataKey string `json:"metadata_key"`
	Added       int64  `json:"added"`
	Modified    int64  `json:"modified"`
	Deleted     int64  `json:"deleted"`
	Unchanged   int64  `json:"unchanged"`
}

// DiffMetadata is the metadata_diff_{start}_{end}_{ts}.json beside a diff file: both
// snapshots by key and content hash, and what changed.
type DiffMetadata struct {
	Version      int       `json:"version"`
	RunID        string    `json:"run_id"`
	RunTimestamp string    `json:"run_ts"`
	ExecutedAt   time.Time `json:"executed_at"`
	Source       string    `json:"source"`
	Account      string    `json:"account_id"`
	Stream       string    `json:"stream"`

	Previous SnapshotRef `json:"previous"`
	Current  SnapshotRef `json:"current"`
	File     FileInfo    `json:"file"`

	Added      int64           `json:"added"`
	Modified   int64           `json:"modified"`
	Deleted    int64           `json:"deleted"`
	Unchanged  int64           `json:"unchanged"`
	Duplicates DuplicateCounts `json:"duplicate_keys"`
	Tool       Build           `json:"tool"`
}

// DuplicateCounts are the rows of each snapshot ignored because an earlier row had the
// same key (the first occurrence wins).
type DuplicateCounts struct {
	Previous int64 `json:"previous"`
	Current  int64 `json:"current"`
}

func encodeJSON(v any) []byte {
	data, _ := json.MarshalIndent(v, "", "  ") // plain fields: cannot fail
	return append(data, '\n')
}

package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// ChainVersion is the format version of snapshot chains written by this build.
const ChainVersion = 1

// Chain is the committed history of a snapshot stream (DESIGN §5): one link per snapshot
// whose content differed from the one before, oldest first. The last link is the head,
// the snapshot the next capture is diffed against. It changes only by CAS.
type Chain struct {
	Version int    `json:"version"`
	Stream  string `json:"stream"`
	Links   []Link `json:"links"`
}

// Link is one committed snapshot and the diff that leads to it from the previous link.
type Link struct {
	Date              string    `json:"date"` // capture day, YYYY-MM-DD (UTC)
	RunID             string    `json:"run_id"`
	RunTimestamp      string    `json:"run_ts"`
	CommittedAt       time.Time `json:"committed_at"`
	Key               string    `json:"key"` // the snapshot file
	MetadataKey       string    `json:"metadata_key"`
	Records           int64     `json:"records"`
	ContentHash       string    `json:"content_hash"`
	SchemaFingerprint string    `json:"schema_fingerprint"`
	// DiffKey and DiffMetadataKey are the diff against the previous link ("" for the
	// first snapshot of the chain).
	DiffKey         string `json:"diff_key,omitempty"`
	DiffMetadataKey string `json:"diff_metadata_key,omitempty"`
	Added           int64  `json:"added"`
	Modified        int64  `json:"modified"`
	Deleted         int64  `json:"deleted"`
}

// Keys lists the objects the link names.
func (l Link) Keys() []string {
	out := []string{l.Key, l.MetadataKey}
	if l.DiffKey != "" {
		out = append(out, l.DiffKey, l.DiffMetadataKey)
	}
	return out
}

// Head returns the last link, or nil for an empty chain.
func (c *Chain) Head() *Link {
	if c == nil || len(c.Links) == 0 {
		return nil
	}
	return &c.Links[len(c.Links)-1]
}

// ReadChain returns the stream's chain and its ETag; a stream without one gets an empty
// chain and "".
func ReadChain(ctx context.Context, st store.Store, stream layout.Stream) (*Chain, string, error) {
	key := stream.ChainKey()
	data, etag, err := readSmall(ctx, st, key)
	if err != nil {
		return nil, "", err
	}
	if data == nil {
		return &Chain{Version: ChainVersion, Stream: streamName(stream)}, "", nil
	}
	var c Chain
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, "", fmt.Errorf("snapshot chain %s is not valid JSON: %v", key, err)
	}
	if c.Version < 1 || c.Version > ChainVersion {
		return nil, "", fmt.Errorf("snapshot chain %s has version %d; this build reads versions 1..%d (upgrade sluice)", key, c.Version, ChainVersion)
	}
	if c.Stream != streamName(stream) {
		return nil, "", fmt.Errorf("snapshot chain %s belongs to %s, not to its key", key, c.Stream)
	}
	return &c, etag, nil
}

// AppendLink moves the head of stream's chain c to l by CAS against etag (from ReadChain).
// The link's files must be stored before. It returns ErrConflict when another writer
// moved the chain meanwhile.
func AppendLink(ctx context.Context, st store.Store, stream layout.Stream, c *Chain, etag string, l Link) error {
	next := Chain{Version: ChainVersion, Stream: streamName(stream), Links: append(c.Links[:len(c.Links):len(c.Links)], l)}
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return fmt.Errorf("encode snapshot chain: %w", err)
	}
	if _, err := swapState(ctx, st, stream.ChainKey(), append(data, '\n'), etag); err != nil {
		if errors.Is(err, store.ErrPrecondition) {
			return fmt.Errorf("snapshot chain %s: %w", stream.ChainKey(), ErrConflict)
		}
		return fmt.Errorf("snapshot chain %s: %w", stream.ChainKey(), err)
	}
	return nil
}

// ReconcileSnapshots deletes the stream's snapshot and diff files (and their metadata
// companions) that no link of its chain names: uploads of runs that crashed before moving
// the head. Other objects in those folders are left alone.
func ReconcileSnapshots(ctx context.Context, st store.Store, stream layout.Stream) (Report, error) {
	var rep Report
	c, _, err := ReadChain(ctx, st, stream)
	if err != nil {
		return rep, err
	}
	named := map[string]bool{}
	for _, l := range c.Links {
		for _, k := range l.Keys() {
			named[k] = true
		}
	}
	for _, prefix := range []string{stream.SnapshotPrefix(), stream.DiffPrefix()} {
		var orphans []string
		for obj, err := range st.List(ctx, prefix) {
			if err != nil {
				return rep, fmt.Errorf("list %s: %w", prefix, err)
			}
			name := strings.TrimPrefix(obj.Key, prefix)
			if named[obj.Key] || strings.Contains(name, "/") || !chainFileName(name) {
				continue
			}
			orphans = append(orphans, obj.Key)
		}
		for _, k := range orphans {
			if err := st.Delete(ctx, k); err != nil {
				return rep, fmt.Errorf("delete %s: %w", k, err)
			}
			rep.Removed = append(rep.Removed, k)
		}
	}
	return rep, nil
}

// chainFileName reports whether name is one of the files a snapshot commit writes.
func chainFileName(name string) bool {
	for _, p := range []string{"snapshot_", "diff_", "metadata_snapshot_", "metadata_diff_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Package ledger keeps the commit protocol of DESIGN §4: per-partition manifests that name
// the current generation of files and change only by compare-and-swap, so that re-running
// a partition replaces it instead of adding to it.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sluice-dev/sluice/internal/store"
)

// ManifestVersion is the format version of manifests written by this build.
const ManifestVersion = 1

// File is one object of a generation.
type File struct {
	Key    string `json:"key"`
	Role   string `json:"role"` // data, metadata or quality
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
}

// Manifest names the current generation of one partition.
type Manifest struct {
	Version           int       `json:"version"`
	Partition         string    `json:"partition"`
	RunID             string    `json:"run_id"`
	RunTimestamp      string    `json:"run_ts"`
	CommittedAt       time.Time `json:"committed_at"`
	Records           int64     `json:"records"`
	ContentHash       string    `json:"content_hash"`
	SchemaFingerprint string    `json:"schema_fingerprint"`
	Format            string    `json:"format"`
	Files             []File    `json:"files"`
}

// Keys returns the keys of the manifest's files.
func (m *Manifest) Keys() []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m.Files))
	for i, f := range m.Files {
		out[i] = f.Key
	}
	return out
}

// SameContent reports whether m already holds exactly the content described: the same
// records (content hash and count), schema and format.
func (m *Manifest) SameContent(contentHash string, records int64, fingerprint, format string) bool {
	return m != nil && m.ContentHash == contentHash && m.Records == records &&
		m.SchemaFingerprint == fingerprint && m.Format == format
}

// ReadManifest returns the manifest at key and its ETag, or (nil, "", nil) when the
// partition has never been committed.
func ReadManifest(ctx context.Context, st store.Store, key string) (*Manifest, string, error) {
	rc, obj, err := st.Get(ctx, key)
	if errors.Is(err, store.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read manifest %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, "", fmt.Errorf("read manifest %s: %w", key, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, "", fmt.Errorf("manifest %s is not valid JSON (%v): inspect it, and delete it only if its partition should be re-extracted", key, err)
	}
	if m.Version < 1 || m.Version > ManifestVersion {
		return nil, "", fmt.Errorf("manifest %s has version %d; this build reads versions 1..%d (upgrade sluice)", key, m.Version, ManifestVersion)
	}
	return &m, obj.ETag, nil
}

// Encode renders the manifest as indented JSON.
func (m *Manifest) Encode() []byte {
	data, _ := json.MarshalIndent(m, "", "  ") // a struct of plain fields cannot fail to marshal
	return append(data, '\n')
}

package engine

import (
	"encoding/json"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/schema"
)

// MetadataVersion is the format version of metadata files written by this build.
const MetadataVersion = 1

// Metadata is the metadata_{ts}.json written beside every partition's data file.
type Metadata struct {
	Version      int       `json:"version"`
	RunID        string    `json:"run_id"`
	RunTimestamp string    `json:"run_ts"`
	ExecutedAt   time.Time `json:"executed_at"`
	Outcome      string    `json:"outcome"`

	Source    string `json:"source"`
	Account   string `json:"account_id"`
	Stream    string `json:"stream"`
	Partition string `json:"partition_date"`

	// Window is the request window that produced the partition.
	Window *WindowRange `json:"window,omitempty"`
	// Range is the date range the run was asked for.
	Range WindowRange `json:"range"`

	Counts        Counts                `json:"counts"`
	WindowCounts  WindowCounts          `json:"window_counts"`
	Requests      httpapi.StatsSnapshot `json:"requests"`
	ErrorsSampled []string              `json:"errors_sampled,omitempty"`

	File        *FileInfo `json:"file,omitempty"`
	ContentHash string    `json:"content_hash"`
	Schema      SchemaRef `json:"schema"`
	Spec        SpecRef   `json:"spec"`
	ConfigHash  string    `json:"config_hash,omitempty"`
	Tool        Build     `json:"tool"`
	DurationMS  int64     `json:"processing_ms"`

	// Previous is the head snapshot a snapshot was diffed against (snapshot streams,
	// except the first snapshot of a chain).
	Previous *SnapshotRef `json:"previous,omitempty"`
	// Diff is the diff file written against Previous.
	Diff *DiffRef `json:"diff,omitempty"`
}

// WindowRange is an inclusive range of days, as YYYY-MM-DD.
type WindowRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// FileInfo describes the data file.
type FileInfo struct {
	Key     string `json:"key"`
	Format  string `json:"format"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	Records int64  `json:"records"`
}

// SchemaRef is the data file's schema.
type SchemaRef struct {
	Fingerprint string         `json:"fingerprint"`
	Fields      []schema.Field `json:"fields"`
}

// SpecRef identifies the source spec.
type SpecRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Hash    string `json:"hash"`
	File    string `json:"file"`
}

// Encode renders m as indented JSON.
func (m *Metadata) Encode() []byte {
	data, _ := json.MarshalIndent(m, "", "  ") // plain fields: cannot fail
	return append(data, '\n')
}

func dayRange(from, to time.Time) WindowRange {
	return WindowRange{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
}

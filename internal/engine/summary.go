package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// Summary is the outcome of a run, written to _sluice/runs/ and printed by the CLI.
type Summary struct {
	mu sync.Mutex

	// WriteError says why the summary could not be stored ("" when it was).
	WriteError string `json:"-"`

	Version      int                   `json:"version"`
	RunID        string                `json:"run_id"`
	RunTimestamp string                `json:"run_ts"`
	Started      time.Time             `json:"started_at"`
	Finished     time.Time             `json:"finished_at"`
	Sink         string                `json:"sink"`
	Format       string                `json:"format"`
	Range        WindowRange           `json:"range"`
	Tool         Build                 `json:"tool"`
	ConfigHash   string                `json:"config_hash,omitempty"`
	Totals       Totals                `json:"totals"`
	Requests     httpapi.StatsSnapshot `json:"requests"`
	Partitions   []PartitionResult     `json:"partitions"`
}

// Totals count partitions by outcome and the records they hold.
type Totals struct {
	Committed int   `json:"committed"`
	Unchanged int   `json:"unchanged"`
	Skipped   int   `json:"skipped"`
	Failed    int   `json:"failed"`
	Records   int64 `json:"records"`
}

func newSummary(opt Options, r Range) *Summary {
	return &Summary{
		Version: 1, RunID: opt.RunID, RunTimestamp: opt.ts(), Started: opt.RunTime, Sink: opt.Sink,
		Format: string(opt.Format), Range: dayRange(r.From, r.To), Tool: opt.Build, ConfigHash: opt.ConfigHash,
	}
}

func (s *Summary) add(rs []PartitionResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		switch r.Outcome {
		case OutcomeCommitted:
			s.Totals.Committed++
		case OutcomeUnchanged:
			s.Totals.Unchanged++
		case OutcomeSkipped:
			s.Totals.Skipped++
		case OutcomeFailed:
			s.Totals.Failed++
		}
		s.Totals.Records += r.Records
		s.Partitions = append(s.Partitions, r)
	}
}

func (s *Summary) finish(now time.Time) {
	s.Finished = now
	sort.Slice(s.Partitions, func(i, j int) bool { return s.Partitions[i].Partition < s.Partitions[j].Partition })
}

// Key is where the summary is stored.
func (s *Summary) Key() string {
	ts, _ := layout.ParseTimestamp(s.RunTimestamp)
	return layout.RunKey(ts, s.RunID)
}

func (s *Summary) write(ctx context.Context, st store.Store) error {
	data, _ := json.MarshalIndent(s, "", "  ") // plain fields: cannot fail
	_, err := st.Create(ctx, s.Key(), bytes.NewReader(data), int64(len(data)))
	return err
}

// ExitCode maps the outcome to the CLI's exit codes: 0 every partition committed,
// unchanged or skipped, 3 some failed, 1 all failed (or nothing could run).
func (s *Summary) ExitCode() int {
	switch {
	case s.Totals.Failed == 0:
		return 0
	case s.Totals.Failed == len(s.Partitions):
		return 1
	}
	return 3
}

// Package engine runs ingestion: it plans a date range into request windows and UTC-day
// partitions, extracts pages through the HTTP pipeline, turns records into typed rows,
// writes one data file per partition and commits it through the ledger, with metadata
// beside every data file and a summary of the run.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// Options configure one run.
type Options struct {
	// Store receives data files and state.
	Store store.Store
	// Sink is the store's root as the user wrote it, for messages.
	Sink string
	// Format of the data files.
	Format format.Format
	// Concurrency bounds the request windows in flight. Default 4.
	Concurrency int
	// TempDir holds partition files while they are written. Default os.TempDir().
	TempDir string
	// Logger receives structured progress; nil discards.
	Logger *slog.Logger
	// Progress is told about partitions as they finish; nil for none.
	Progress Progress
	// RunID identifies the run; RunTime is its timestamp (UTC), used in every key.
	RunID   string
	RunTime time.Time
	// Now returns the current time; default time.Now.
	Now func() time.Time
	// LeaseTTL is the life of stream leases without renewal. Default DefaultLeaseTTL.
	LeaseTTL time.Duration
	// ForceUnlock removes other runs' leases on the streams first (for a run known dead).
	ForceUnlock bool
	// CheckpointPages bounds the pages of a window's top-level chain a crash costs:
	// checkpoints are taken every CheckpointPages less an eighth, and no page is requested
	// more than CheckpointPages past the last one saved; 0 disables checkpoints.
	CheckpointPages int
	// Refresh re-extracts partitions that are already committed; without it they are
	// skipped (a backfill continues where the last one stopped).
	Refresh bool
	// AllowShrink commits snapshot captures that are empty or shrink by more than
	// MaxShrink against the head snapshot (refused otherwise).
	AllowShrink bool
	// MaxShrink is the largest fraction a capture may shrink by. Default DefaultMaxShrink.
	MaxShrink float64
	// Build describes this binary for metadata.
	Build Build
	// ConfigHash is the digest of the workflow config, for metadata.
	ConfigHash string
	rng        Range // the run's range, for metadata
	halts      *halts
	stats      *httpapi.Stats // every request of the run
}

// Build describes the binary that wrote a file.
type Build struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Go      string `json:"go,omitempty"`
}

// Task is the work for one account of one source.
type Task struct {
	// Spec is the source.
	Spec *spec.Spec
	// AccountID is the account (account_id in the layout).
	AccountID string
	// Vars are the account's template variables ({{vars.x}}).
	Vars map[string]string
	// Streams are the streams to extract; parents of selected child streams are added.
	Streams []string
	// Client performs the account's requests (auth, pacing, retries).
	Client httpapi.Doer
	// BaseURL is the API root (the spec's, or the config's override).
	BaseURL string
	// Err, when set, fails the task's partitions without extracting anything (an account
	// whose credentials could not be resolved must not stop the other accounts).
	Err error
}

// Range is an inclusive range of UTC days.
type Range struct {
	From, To time.Time
}

// Days returns every day of r, in order.
func (r Range) Days() []time.Time {
	var out []time.Time
	for d := layout.Day(r.From); !d.After(r.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// Progress observes a run.
type Progress interface {
	// Planned is called once with the number of partitions the run will commit.
	Planned(partitions int)
	// Committed is called after each partition, with its outcome and record count.
	Committed(p layout.Partition, outcome string, records int64)
}

// Run extracts and commits every partition of tasks over r. It returns the run summary,
// and an error only when the run could not start; failures of single streams are in the
// summary (see Summary.Failed).
func Run(ctx context.Context, opt Options, tasks []Task, r Range) (*Summary, error) {
	opt.defaults()
	opt.rng = r
	opt.halts = &halts{}
	opt.stats = &httpapi.Stats{}
	if err := opt.claimRunTime(ctx); err != nil {
		return nil, err
	}
	dir, err := runTempDir(opt.TempDir, opt.RunID)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opt.TempDir = dir
	jobs, err := planJobs(tasks, r, layout.Day(opt.RunTime))
	if err != nil {
		return nil, err
	}
	sum := newSummary(opt, r)
	if opt.Progress != nil {
		n := 0
		for _, j := range jobs {
			n += j.partitions()
		}
		opt.Progress.Planned(n)
	}
	sem := make(chan struct{}, opt.Concurrency)
	var all sync.WaitGroup
	for _, g := range groupJobs(jobs) {
		all.Add(1)
		go func() {
			defer all.Done()
			gctx, release, err := opt.guard(ctx, g)
			if err != nil {
				err = leaseFailure(err)
				opt.Logger.Error("stream not run", "source", g.task.Spec.Name, "account", g.task.AccountID, "stream", g.root.name, "err", err)
				for _, j := range g.jobs {
					sum.add(failJob(j, err))
				}
				return
			}
			defer release()
			jobs, skipped, err := opt.replan(gctx, g)
			if err != nil {
				opt.Logger.Error("stream not run", "source", g.task.Spec.Name, "account", g.task.AccountID, "stream", g.root.name, "err", err)
				for _, j := range g.jobs {
					sum.add(failJob(j, err))
				}
				return
			}
			sum.add(skipped)
			if opt.Progress != nil {
				for _, r := range skipped {
					opt.Progress.Committed(r.partition(), r.Outcome, r.Records)
				}
			}
			var wg sync.WaitGroup
			for _, j := range jobs {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					sum.add(runJob(gctx, &opt, j))
				}()
			}
			wg.Wait()
		}()
	}
	all.Wait()
	sum.Requests = opt.stats.Snapshot()
	sum.finish(opt.now())
	if err := sum.write(context.WithoutCancel(ctx), opt.Store); err != nil {
		sum.WriteError = err.Error()
		opt.Logger.Warn("run summary not written", "err", err)
	}
	return sum, nil
}

// claimRunTime checks that the sink answers, and moves the run timestamp past any run
// that already used the same second: keys carry the timestamp, so two runs in one second
// would otherwise collide.
func (o *Options) claimRunTime(ctx context.Context) error {
	for range 60 {
		prefix := strings.TrimSuffix(layout.RunKey(o.RunTime, ""), ".json")
		taken := false
		for _, err := range o.Store.List(ctx, prefix) {
			if err != nil {
				return fmt.Errorf("sink %s does not answer: %w", o.Sink, err)
			}
			taken = true
			break
		}
		if !taken {
			return nil
		}
		o.RunTime = o.RunTime.Add(time.Second)
	}
	return fmt.Errorf("sink %s: 60 runs started within one minute; try again", o.Sink)
}

func (o *Options) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.TempDir == "" {
		o.TempDir = os.TempDir()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RunTime.IsZero() {
		o.RunTime = o.Now()
	}
	o.RunTime = o.RunTime.UTC().Truncate(time.Second)
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.Format == "" {
		o.Format = format.Parquet
	}
}

func (o *Options) now() time.Time { return o.Now().UTC() }

func (o *Options) ts() string { return layout.Timestamp(o.RunTime) }

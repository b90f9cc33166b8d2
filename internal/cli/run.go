package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/engine"
)

// rangeFlags are the date and selection flags of run and plan.
type rangeFlags struct {
	from, to, date string
	accounts       []string
	streams        []string
	sink, format   string
	concurrency    int
	lookback       int
	forceUnlock    bool
	refresh        bool
	allowShrink    bool
}

func (f *rangeFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	f.registerSelection(cmd, "first UTC day, YYYY-MM-DD (inclusive)",
		"last UTC day, YYYY-MM-DD (inclusive; default: yesterday, or --from when that is today)")
	fl.StringVar(&f.format, "format", "", "override the format: parquet or jsonl")
	fl.IntVar(&f.concurrency, "concurrency", 0, "request windows in flight")
	fl.IntVar(&f.lookback, "lookback-days", 0, "days before yesterday that a run without dates re-collects")
	fl.BoolVar(&f.forceUnlock, "force-unlock", false, "remove other runs' stream leases first (only when that run is known to be dead)")
}

// registerSelection adds the flags that choose days, accounts, streams and the sink,
// with the command's own help for --from and --to (their defaults differ).
func (f *rangeFlags) registerSelection(cmd *cobra.Command, fromHelp, toHelp string) {
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", fromHelp)
	fl.StringVar(&f.to, "to", "", toHelp)
	fl.StringVar(&f.date, "date", "", "a single UTC day, YYYY-MM-DD")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these accounts (id, name, source or source/id; repeatable)")
	fl.StringSliceVar(&f.streams, "stream", nil, "only these streams (repeatable)")
	fl.StringVar(&f.sink, "sink", "", "override the sink: s3://bucket/prefix or a local folder")
}

// overrides turns the flags that were set into config overrides (flag > env > file).
func (f *rangeFlags) overrides(cmd *cobra.Command) config.Overrides {
	var ov config.Overrides
	if cmd.Flags().Changed("sink") {
		ov.Sink = &f.sink
	}
	if cmd.Flags().Changed("format") {
		ov.Format = &f.format
	}
	if cmd.Flags().Changed("concurrency") {
		ov.Concurrency = &f.concurrency
	}
	if cmd.Flags().Changed("lookback-days") {
		ov.LookbackDays = &f.lookback
	}
	return ov
}

// prepare loads the workflow and resolves the range and the tasks: the common start of
// run and plan.
func (f *rangeFlags) prepare(cmd *cobra.Command, g *globals) (*workflow, engine.Range, []engine.Task, error) {
	w, err := loadWorkflow(g, f.overrides(cmd))
	if err != nil {
		return nil, engine.Range{}, nil, err
	}
	r, err := config.ResolveRange(f.from, f.to, f.date, w.cfg.Defaults.LookbackDays, time.Now().UTC())
	if err != nil {
		return nil, engine.Range{}, nil, usageErr(err)
	}
	tasks, err := w.tasks(cmd.Context(), selection{accounts: f.accounts, streams: f.streams})
	if err != nil {
		return nil, engine.Range{}, nil, err
	}
	return w, engine.Range{From: r.From, To: r.To}, tasks, nil
}

func newRunCmd(g *globals) *cobra.Command {
	var f rangeFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Extract a date range and commit it to the sink",
		Example: `  sluice run                                   # yesterday (UTC) plus the configured lookback
  sluice run --date 2024-03-01
  sluice run --from 2024-01-01 --to 2024-03-31             # a backfill: committed days are skipped
  sluice run --from 2024-03-01 --to 2024-03-07 --refresh   # extract committed days again
  sluice run --stream followers --allow-shrink              # commit a snapshot that shrank on purpose
  sluice run --from 2024-01-01 --to 2024-03-31 --account x/2244994945 --stream tweets`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, r, tasks, err := f.prepare(cmd, g)
			if err != nil {
				return err
			}
			st, err := w.openStore(cmd.Context())
			if err != nil {
				return &ExitError{Code: ExitFailed, Err: err}
			}
			opt := w.engineOptions(st)
			opt.ForceUnlock = f.forceUnlock
			// A run without dates re-collects its lookback days on purpose (APIs revise
			// recent data); an explicit range skips what is committed unless --refresh.
			opt.Refresh = f.refresh || (f.from == "" && f.to == "" && f.date == "")
			opt.AllowShrink = f.allowShrink
			return execute(cmd, g, opt, tasks, r)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.allowShrink, "allow-shrink", false, "commit snapshot captures that are empty or shrink beyond defaults.snapshot_max_shrink against the last snapshot")
	cmd.Flags().BoolVar(&f.refresh, "refresh", false, "extract partitions of an explicit range again even when they are committed (runs without dates always do)")
	return cmd
}

// execute runs the engine with a progress bar on a terminal and prints the summary.
func execute(cmd *cobra.Command, g *globals, opt engine.Options, tasks []engine.Task, r engine.Range) error {
	bar := newProgress(g.stderr)
	if bar != nil {
		opt.Progress = bar
	}
	sum, err := engine.Run(cmd.Context(), opt, tasks, r)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	printSummary(g, sum)
	if code := sum.ExitCode(); code != ExitOK {
		return &ExitError{Code: code, Err: fmt.Errorf("%d of %d partitions failed (details: %s)", sum.Totals.Failed, len(sum.Partitions), sum.Key())}
	}
	return nil
}

func printSummary(g *globals, sum *engine.Summary) {
	t := sum.Totals
	fmt.Fprintf(g.stdout, "run %s  %s..%s  committed %d, unchanged %d, skipped %d, failed %d partitions; %d records\n",
		sum.RunID, sum.Range.From, sum.Range.To, t.Committed, t.Unchanged, t.Skipped, t.Failed, t.Records)
	shown := 0
	for _, p := range sum.Partitions {
		if p.Outcome != engine.OutcomeFailed {
			continue
		}
		if shown == 5 {
			fmt.Fprintf(g.stdout, "  ... and %d more failures\n", t.Failed-shown)
			break
		}
		fmt.Fprintf(g.stdout, "  FAILED %s: %s\n", p.Partition, p.Error)
		shown++
	}
	if sum.WriteError != "" {
		fmt.Fprintf(g.stdout, "summary not written: %s\n", sum.WriteError)
		return
	}
	fmt.Fprintf(g.stdout, "summary: %s/%s\n", sum.Sink, sum.Key())
}

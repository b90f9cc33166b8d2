package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// statusDays is the default range of status: the 30 UTC days ending yesterday.
const statusDays = 30

// statusReport is the --json output of status.
type statusReport struct {
	From    string         `json:"from"`
	To      string         `json:"to"`
	LastRun *runInfo       `json:"last_run"` // the newest run summary; null when none
	Streams []streamStatus `json:"streams"`
}

type runInfo struct {
	RunID        string        `json:"run_id"`
	RunTimestamp string        `json:"run_ts"`
	Key          string        `json:"key"`
	Started      time.Time     `json:"started_at"`
	Finished     time.Time     `json:"finished_at"`
	Totals       engine.Totals `json:"totals"`
	partitions   []engine.PartitionResult
}

type streamStatus struct {
	Stream      string            `json:"stream"` // source/account/stream
	Days        int               `json:"days"`
	Committed   int               `json:"committed"`
	Records     int64             `json:"records"`
	Gaps        []dayRange        `json:"gaps"`
	LastRun     map[string]int    `json:"last_run"` // this stream's partitions in the last run, by outcome
	Lease       *leaseStatus      `json:"lease"`
	Checkpoints []checkpointState `json:"checkpoints"`
	// Chain is the snapshot chain of a snapshot stream (nil for incremental streams, which
	// report days and gaps instead).
	Chain *chainStatus `json:"snapshot_chain,omitempty"`
}

// chainStatus is a snapshot stream's chain: how many snapshots, and the head.
type chainStatus struct {
	Snapshots int          `json:"snapshots"`
	Head      *ledger.Link `json:"head"`
}

type dayRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type leaseStatus struct {
	RunID   string    `json:"run_id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
	Live    bool      `json:"live"`
}

type checkpointState struct {
	Window    dayRange  `json:"window"`
	RunID     string    `json:"run_id"`
	Pages     int64     `json:"pages"`
	UpdatedAt time.Time `json:"updated_at"`
}

func newStatusCmd(g *globals) *cobra.Command {
	var f rangeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show committed partitions, gaps, the last run, leases and checkpoints per stream",
		Long: `status reads the sink's state, never the APIs, and needs no credentials. For every
selected (account, stream) it shows how many UTC days of the range are committed and which
are gaps (days no run has committed), this stream's outcomes in the newest run summary,
the stream's writer lease and any checkpoints of unfinished windows.

Without dates it covers the 30 UTC days ending yesterday. It exits 0 when every day of the
range is committed for every selected stream, 3 when any stream has a gap (so a monitor can
alert on it), 1 when the sink cannot be read and 2 on a usage mistake.`,
		Example: `  sluice status                                    # the 30 days ending yesterday
  sluice status --from 2024-03-01 --to 2024-03-30 --account demo/northwind --stream posts
  sluice status --date 2024-03-04 --json

  demo/northwind/posts  2024-03-01..2024-03-30  27/30 committed, gaps: 2024-03-04, 2024-03-17..2024-03-18
    last run: 5f0c2a9e41d7 20240331T060000Z  committed 1, unchanged 0, skipped 0, failed 0
    lease: none
    checkpoints: none`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd, g, &f, asJSON)
		},
	}
	f.registerSelection(cmd, "first UTC day, YYYY-MM-DD (inclusive; default: 30 days before today)",
		"last UTC day, YYYY-MM-DD (inclusive; default: yesterday)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document instead of text")
	return cmd
}

func runStatus(cmd *cobra.Command, g *globals, f *rangeFlags, asJSON bool) error {
	w, err := loadWorkflow(g, f.overrides(cmd))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	from := f.from
	if from == "" && f.to == "" && f.date == "" {
		from = layout.Day(now).AddDate(0, 0, -statusDays).Format(time.DateOnly)
	}
	r, err := config.ResolveRange(from, f.to, f.date, w.cfg.Defaults.LookbackDays, now)
	if err != nil {
		return usageErr(err)
	}
	streams, err := w.statusStreams(f.accounts, f.streams)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	st, err := w.openStore(ctx)
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	rep := statusReport{From: r.From.Format(time.DateOnly), To: r.To.Format(time.DateOnly), Streams: []streamStatus{}}
	if rep.LastRun, err = lastRun(ctx, st); err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	gapped := 0
	for _, s := range streams {
		ss, err := streamReport(ctx, st, s, w.isSnapshot(s), r.From, r.To, rep.LastRun, now)
		if err != nil {
			return &ExitError{Code: ExitFailed, Err: err}
		}
		if len(ss.Gaps) > 0 {
			gapped++
		}
		rep.Streams = append(rep.Streams, ss)
	}
	if asJSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return &ExitError{Code: ExitFailed, Err: fmt.Errorf("write status: %w", err)}
		}
	} else {
		printStatus(g.stdout, &rep)
	}
	if gapped > 0 {
		return &ExitError{Code: ExitPartial, Err: fmt.Errorf("%d of %d streams have gaps in %s..%s", gapped, len(streams), rep.From, rep.To)}
	}
	return nil
}

// statusStreams lists the selected (account, stream) pairs in config order, streams by
// name, without resolving any credentials.
func (w *workflow) statusStreams(accounts, streams []string) ([]layout.Stream, error) {
	var out []layout.Stream
	for i := range w.cfg.Accounts {
		a := &w.cfg.Accounts[i]
		if len(accounts) > 0 && !slices.ContainsFunc(accounts, a.Match) {
			continue
		}
		names, err := pickStreams(w.specs[a.Source], a.Streams, streams)
		if err != nil {
			return nil, usageErr(fmt.Errorf("account %s: %w", a.Label(), err))
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, layout.Stream{Source: a.Source, Account: a.ID, Name: n})
		}
	}
	if len(out) == 0 {
		return nil, usageErr(fmt.Errorf("nothing to show: no stream matches %s (accounts in %s: %s)",
			describeSelection(selection{accounts: accounts}), w.cfg.File, accountList(w.cfg)))
	}
	return out, nil
}

// lastRun reads the newest run summary: run keys sort by day and then timestamp, so the
// last key listed is the newest. It lists every summary key (small objects, one per run).
func lastRun(ctx context.Context, st store.Store) (*runInfo, error) {
	prefix := layout.StateRoot + "/runs/"
	newest := ""
	for obj, err := range st.List(ctx, prefix) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		if strings.HasSuffix(obj.Key, ".json") {
			newest = obj.Key
		}
	}
	if newest == "" {
		return nil, nil
	}
	rc, _, err := st.Get(ctx, newest)
	if err != nil {
		return nil, fmt.Errorf("read run summary %s: %w", newest, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read run summary %s: %w", newest, err)
	}
	var sum engine.Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, fmt.Errorf("run summary %s is not valid JSON: %w", newest, err)
	}
	return &runInfo{RunID: sum.RunID, RunTimestamp: sum.RunTimestamp, Key: newest, Started: sum.Started.UTC(),
		Finished: sum.Finished.UTC(), Totals: sum.Totals, partitions: sum.Partitions}, nil
}

// streamReport gathers one stream's days, lease and checkpoints.
func streamReport(ctx context.Context, st store.Store, s layout.Stream, snapshot bool, from, to time.Time, run *runInfo, now time.Time) (streamStatus, error) {
	ss := streamStatus{Stream: s.Source + "/" + s.Account + "/" + s.Name, Gaps: []dayRange{}, Checkpoints: []checkpointState{}}
	var days []ledger.DayStatus
	var err error
	if snapshot {
		c, _, err := ledger.ReadChain(ctx, st, s)
		if err != nil {
			return ss, err
		}
		ss.Chain = &chainStatus{Snapshots: len(c.Links), Head: c.Head()}
	} else if days, err = ledger.Inventory(ctx, st, s, from, to); err != nil {
		return ss, err
	}
	ss.Days = len(days)
	for _, d := range days {
		if d.Committed {
			ss.Committed++
			ss.Records += d.Records
		}
	}
	for _, gw := range ledger.Gaps(days) {
		ss.Gaps = append(ss.Gaps, dayRange{From: gw.From.Format(time.DateOnly), To: gw.To.Format(time.DateOnly)})
	}
	if run != nil {
		ss.LastRun = map[string]int{engine.OutcomeCommitted: 0, engine.OutcomeUnchanged: 0, engine.OutcomeFailed: 0}
		for _, p := range run.partitions {
			if p.Source == s.Source && p.Account == s.Account && p.Stream == s.Name {
				ss.LastRun[p.Outcome]++
			}
		}
	}
	li, _, err := ledger.ReadLease(ctx, st, s)
	if err != nil {
		return ss, err
	}
	if li != nil {
		ss.Lease = &leaseStatus{RunID: li.Holder.RunID, Host: li.Holder.Host, PID: li.Holder.PID,
			Since: li.AcquiredAt.UTC(), Expires: li.ExpiresAt.UTC(), Live: now.Before(li.ExpiresAt)}
	}
	cps, err := ledger.Checkpoints(ctx, st, s)
	if err != nil {
		return ss, err
	}
	for _, cp := range cps {
		c := checkpointState{RunID: cp.RunID, Pages: cp.Pages, UpdatedAt: cp.UpdatedAt.UTC()}
		if !cp.Window.From.IsZero() { // the zero window is a snapshot capture: from and to stay ""
			c.Window = dayRange{From: cp.Window.From.Format(time.DateOnly), To: cp.Window.To.Format(time.DateOnly)}
		}
		ss.Checkpoints = append(ss.Checkpoints, c)
	}
	return ss, nil
}

// printStatus writes one block per stream: the range line, then the last run, the lease
// and the checkpoints, indented.
func printStatus(out io.Writer, rep *statusReport) {
	for _, ss := range rep.Streams {
		line := fmt.Sprintf("%s  %s..%s  %d/%d committed", ss.Stream, rep.From, rep.To, ss.Committed, ss.Days)
		if c := ss.Chain; c != nil {
			line = fmt.Sprintf("%s  snapshot chain of %d", ss.Stream, c.Snapshots)
			if h := c.Head; h != nil {
				line += fmt.Sprintf(", head %s (%d records, +%d ~%d -%d): %s", h.Date, h.Records, h.Added, h.Modified, h.Deleted, h.Key)
			}
		}
		if len(ss.Gaps) > 0 {
			gaps := make([]string, len(ss.Gaps))
			for i, g := range ss.Gaps {
				gaps[i] = g.String()
			}
			line += ", gaps: " + strings.Join(gaps, ", ")
		}
		fmt.Fprintln(out, line)
		switch run := rep.LastRun; {
		case run == nil:
			fmt.Fprintln(out, "  last run: none")
		default:
			fmt.Fprintf(out, "  last run: %s %s  committed %d, unchanged %d, skipped %d, failed %d\n", run.RunID, run.RunTimestamp,
				ss.LastRun[engine.OutcomeCommitted], ss.LastRun[engine.OutcomeUnchanged], ss.LastRun[engine.OutcomeSkipped], ss.LastRun[engine.OutcomeFailed])
		}
		if l := ss.Lease; l == nil {
			fmt.Fprintln(out, "  lease: none")
		} else {
			state := "expired"
			if l.Live {
				state = "live"
			}
			fmt.Fprintf(out, "  lease: %s, run %s (host %s, pid %d) since %s, expires %s\n", state, l.RunID, l.Host, l.PID,
				l.Since.Format(time.RFC3339), l.Expires.Format(time.RFC3339))
		}
		if len(ss.Checkpoints) == 0 {
			fmt.Fprintln(out, "  checkpoints: none")
		}
		for _, c := range ss.Checkpoints {
			fmt.Fprintf(out, "  checkpoint: %s, run %s, %d pages, updated %s\n", c.Window, c.RunID, c.Pages, c.UpdatedAt.Format(time.RFC3339))
		}
	}
}

// String renders the range as 2024-03-04 (one day), 2024-03-17..2024-03-18, or
// "snapshot" for the window of a snapshot capture.
func (r dayRange) String() string {
	switch {
	case r.From == "":
		return "snapshot"
	case r.From == r.To:
		return r.From
	}
	return r.From + ".." + r.To
}

// isSnapshot reports whether s is a snapshot stream of its source's spec.
func (w *workflow) isSnapshot(s layout.Stream) bool {
	sp := w.specs[s.Source]
	if sp == nil {
		return false
	}
	st, ok := sp.Streams[s.Name]
	return ok && st.Mode == spec.ModeSnapshot
}

package engine

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
)

// OutcomeSkipped is the outcome of a partition already committed, not extracted again
// (a run without Refresh).
const OutcomeSkipped = "skipped"

// errIncompatible means a checkpoint cannot be continued by this run (another spec,
// format or stream selection); its window restarts from the first page.
var errIncompatible = errors.New("checkpoint does not match this run")

// replan decides, under the group's leases, what is left to do of the group's days:
// windows with a checkpoint resume from it; days whose every stream is committed (in the
// run's format) are skipped unless Refresh; the other days are planned afresh.
func (o *Options) replan(ctx context.Context, g *group) ([]*job, []PartitionResult, error) {
	if isSnapshot(g.root.st) {
		return o.replanCapture(ctx, g)
	}
	var days []time.Time
	for _, j := range g.jobs {
		days = append(days, j.days...)
	}
	slices.SortFunc(days, time.Time.Compare)
	days = slices.Compact(days)
	if len(days) == 0 {
		return g.jobs, nil, nil
	}
	streams := g.streams()
	root := streams[0]
	cps, err := ledger.Checkpoints(ctx, o.Store, root)
	if err != nil {
		return nil, nil, err
	}
	if o.Refresh && len(cps) == 0 {
		return g.jobs, nil, nil // nothing to skip, nothing to resume: no manifest to read
	}
	status := make([]map[time.Time]ledger.DayStatus, len(streams))
	for i, s := range streams {
		inv, err := ledger.Inventory(ctx, o.Store, s, days[0], days[len(days)-1])
		if err != nil {
			return nil, nil, err
		}
		status[i] = map[time.Time]ledger.DayStatus{}
		for _, d := range inv {
			if d.Committed && d.Format == string(o.Format) {
				status[i][d.Day] = d
			}
		}
	}
	committed := func(d time.Time, runID string) bool {
		for _, byDay := range status {
			st, ok := byDay[d]
			if !ok || (runID != "" && st.RunID != runID) {
				return false
			}
		}
		return true
	}
	wanted := map[time.Time]bool{}
	for _, d := range days {
		wanted[d] = true
	}
	var jobs []*job
	covered := map[time.Time]bool{}
	for _, cp := range cps {
		cdays := (Range{From: cp.Window.From, To: cp.Window.To}).Days()
		if cp.Window.From.IsZero() || !allOf(cdays, wanted) || anyOf(cdays, covered) {
			continue // another range's window: left for the run that asks for it
		}
		if !slices.ContainsFunc(cdays, func(d time.Time) bool { return !committed(d, cp.RunID) }) {
			// The run that saved it committed the whole window, then stopped before deleting it.
			if err := ledger.DeleteCheckpoint(ctx, o.Store, root, cp.Window); err != nil {
				return nil, nil, err
			}
			continue
		}
		loaded, etag, err := ledger.LoadCheckpoint(ctx, o.Store, root, cp.Window)
		if err != nil {
			return nil, nil, err
		}
		if loaded == nil {
			continue
		}
		j := newJob(g.task, g.root, cdays)
		j.resume, j.etag = loaded, etag
		jobs = append(jobs, j)
		for _, d := range cdays {
			covered[d] = true
		}
	}
	var todo []time.Time
	var skipped []PartitionResult
	for _, d := range days {
		switch {
		case covered[d]:
		case !o.Refresh && committed(d, ""):
			for i, s := range streams {
				skipped = append(skipped, result(layout.Partition{Stream: s, Day: d}, OutcomeSkipped, status[i][d].Records, ""))
			}
		default:
			todo = append(todo, d)
		}
	}
	return append(jobs, planDays(g.task, g.root, todo)...), skipped, nil
}

// replanCapture continues the checkpoint of today's capture of a snapshot stream; a
// checkpoint of another day's capture is dropped (a snapshot is one day's picture).
func (o *Options) replanCapture(ctx context.Context, g *group) ([]*job, []PartitionResult, error) {
	root := g.streams()[0]
	cps, err := ledger.Checkpoints(ctx, o.Store, root)
	if err != nil {
		return nil, nil, err
	}
	j := g.jobs[0]
	for _, cp := range cps {
		if !cp.Window.From.Equal(j.days[0]) || !cp.Window.To.Equal(j.days[0]) {
			o.Logger.Info("checkpoint of an earlier capture dropped", "stream", root.Name, "from", cp.Window.From.Format(time.DateOnly))
			if err := ledger.DeleteCheckpoint(ctx, o.Store, root, cp.Window); err != nil {
				return nil, nil, err
			}
			continue
		}
		loaded, etag, err := ledger.LoadCheckpoint(ctx, o.Store, root, cp.Window)
		if err != nil {
			return nil, nil, err
		}
		if loaded != nil {
			j.resume, j.etag = loaded, etag
		}
	}
	return g.jobs, nil, nil
}

func allOf(days []time.Time, set map[time.Time]bool) bool {
	for _, d := range days {
		if !set[d] {
			return false
		}
	}
	return true
}

func anyOf(days []time.Time, set map[time.Time]bool) bool {
	for _, d := range days {
		if set[d] {
			return true
		}
	}
	return false
}

// restore loads a checkpoint into a new extraction: the shapes, counters and staged
// parts (with their record keys, for de-duplication against them).
func (x *extraction) restore(ctx context.Context, cp *ledger.Checkpoint, etag string) error {
	var st resumeState
	if err := json.Unmarshal(cp.State, &st); err != nil {
		return fmt.Errorf("%w: engine state: %v", errIncompatible, err)
	}
	if st.SpecHash != x.job.task.Spec.Hash {
		return fmt.Errorf("%w: the spec changed since it was saved", errIncompatible)
	}
	if st.Format != string(x.opt.Format) {
		return fmt.Errorf("%w: it staged %s files, this run writes %s", errIncompatible, st.Format, x.opt.Format)
	}
	for name, fields := range st.Fields {
		sh := x.shapes[name]
		if sh == nil {
			return fmt.Errorf("%w: stream %s is not selected", errIncompatible, name)
		}
		sh.preset = fields
		if err := sh.build(nil); err != nil {
			return err
		}
	}
	x.window = st.Window
	for key, counts := range st.Counts {
		w, err := x.restoredWriter(key)
		if err != nil {
			return err
		}
		w.counts = counts
	}
	for _, p := range cp.Parts {
		stream := p.Stream
		if stream == "" {
			stream = x.ckpt.stream.Name
		}
		w, err := x.restoredWriter(stream + " " + p.Day)
		if err != nil {
			return err
		}
		var set record.SetHash
		if err := set.UnmarshalText([]byte(p.HashState)); err != nil {
			return fmt.Errorf("%w: part %s: %v", errIncompatible, p.Key, err)
		}
		if err := x.loadKeys(ctx, w, p); err != nil {
			return err
		}
		w.segs = append(w.segs, segment{size: p.Size, records: p.Records, set: set, part: p})
		w.set.Merge(set)
	}
	x.ckpt.parts = slices.Clone(cp.Parts)
	x.ckpt.seq = len(cp.Parts) // new parts never take a restored part's name
	x.ckpt.etag = etag
	x.ckpt.done = int(cp.Pages)
	x.ckpt.saved.Store(cp.Pages)
	return nil
}

// restoredWriter returns the partition writer named "stream YYYY-MM-DD" in a checkpoint.
func (x *extraction) restoredWriter(name string) (*partWriter, error) {
	stream, day, _ := strings.Cut(name, " ")
	d, err := time.Parse(time.DateOnly, day)
	if err != nil || x.shapes[stream] == nil || !x.days[d] {
		return nil, fmt.Errorf("%w: partition %q is not part of the window", errIncompatible, name)
	}
	return x.writer(stream, d), nil
}

// loadKeys adds the record keys of a staged part to w's de-duplication set.
func (x *extraction) loadKeys(ctx context.Context, w *partWriter, p ledger.Part) error {
	if p.KeysKey == "" {
		return fmt.Errorf("%w: part %s has no keys", errIncompatible, p.Key)
	}
	rc, _, err := x.opt.Store.Get(ctx, p.KeysKey)
	if err != nil {
		return fmt.Errorf("staged keys %s: %w", p.KeysKey, err)
	}
	defer rc.Close()
	// Streamed in blocks, so a large partition's keys never sit in memory whole.
	br := bufio.NewReaderSize(rc, 64<<10)
	var k [16]byte
	var n int64
	for {
		_, err := io.ReadFull(br, k[:])
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w: staged keys %s end inside a key", errIncompatible, p.KeysKey)
			}
			return fmt.Errorf("staged keys %s: %w", p.KeysKey, err)
		}
		if _, err := w.keys.Add(k); err != nil {
			return fmt.Errorf("staged keys %s: %w", p.KeysKey, err)
		}
		n++
	}
	if n != p.Records {
		return fmt.Errorf("%w: staged keys %s hold %d keys for %d records", errIncompatible, p.KeysKey, n, p.Records)
	}
	return nil
}

// staleResume reports whether err is the API refusing the first request of a resumed
// window (an expired cursor): the window then restarts from its first page.
func staleResume(err error, x *extraction, pagesAtResume int64) bool {
	return x.job.resume != nil && x.window.Pages == pagesAtResume && httpapi.KindOf(err) == httpapi.KindPermanent
}

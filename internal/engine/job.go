package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/spec"
)

// extraction is the state of one job while its pages are read: a partition writer per
// (stream, day), the window counters and the request statistics.
type extraction struct {
	opt    *Options
	job    *job
	shapes map[string]*shape
	rules  map[string]*dateRule
	parts  map[string]map[time.Time]*partWriter
	days   map[time.Time]bool
	plans  map[string]*streamPlan
	local  *preparer // for child chains, which run in the ordered stage
	window WindowCounts
	stats  *httpapi.Stats
	errs   []string // sample rejection messages
	ckpt   *checkpointer
}

// WindowCounts are the counters of one request window (shared by its partitions).
type WindowCounts struct {
	Pages       int64 `json:"pages"`
	Fetched     int64 `json:"records_fetched"`
	OutOfWindow int64 `json:"out_of_window"`
	Rejected    int64 `json:"rejected"`
	Skipped     int64 `json:"child_requests_skipped"`
}

const maxErrorSamples = 5

func newExtraction(opt *Options, j *job) (*extraction, error) {
	x := &extraction{
		opt: opt, job: j,
		shapes: map[string]*shape{}, rules: map[string]*dateRule{},
		parts: map[string]map[time.Time]*partWriter{}, days: map[time.Time]bool{}, plans: map[string]*streamPlan{},
		stats: &httpapi.Stats{},
	}
	for _, d := range j.days {
		x.days[d] = true
	}
	x.ckpt = newCheckpointer(opt.CheckpointPages,
		layout.Stream{Source: j.task.Spec.Name, Account: j.task.AccountID, Name: j.stream.name},
		ledger.Window{From: j.days[0], To: j.days[len(j.days)-1]})
	x.local = newPreparer(x)
	var add func(sp *streamPlan) error
	add = func(sp *streamPlan) error {
		x.shapes[sp.name] = &shape{name: sp.name, st: sp.st}
		x.plans[sp.name] = sp
		x.parts[sp.name] = map[time.Time]*partWriter{}
		rule, err := newDateRule(sp.st.Date)
		if err != nil {
			return fmt.Errorf("stream %s: %w", sp.name, err)
		}
		x.rules[sp.name] = rule
		for _, c := range sp.children {
			if err := add(c); err != nil {
				return err
			}
		}
		return nil
	}
	return x, add(j.stream)
}

// run extracts the job's window, from its checkpoint when it has one. On error nothing of
// the window is committed.
func (x *extraction) run(ctx context.Context) error {
	ctx = httpapi.WithStats(ctx, x.stats)
	if cp := x.job.resume; cp != nil && cp.Next == nil {
		return nil // the checkpointed run had fetched every page; only the commit remains
	}
	var err error
	if clientWindow(x.job.stream) {
		err = x.sequential(ctx, x.job.stream, time.Time{}, "")
	} else {
		err = x.pipeline(ctx, x.job.stream)
	}
	if err == nil && x.ckpt.etag != "" {
		// A window long enough to have checkpointed records that its pages are all done:
		// a crash while its partitions commit then fetches nothing again.
		err = x.checkpoint(ctx, nil, x.ckpt.last)
	}
	return err
}

// chain returns the first request of a request chain and how to walk it: a top-level
// chain continues from its checkpoint and holds at checkpoint boundaries; a child chain
// (parentRaw set) starts at its first page.
func (x *extraction) chain(sp *streamPlan, parentRaw string) (*httpapi.Request, httpapi.PageOptions, error) {
	if parentRaw != "" {
		t := x.job.task
		first, err := httpapi.BuildRequest(t.BaseURL, t.Spec, sp.st, x.vars(parentFields(parentRaw, sp.st)))
		return first, httpapi.PageOptions{}, err
	}
	opt := httpapi.PageOptions{Hold: x.ckpt.hold}
	if cp := x.job.resume; cp != nil {
		opt.Done = x.ckpt.done
		return cp.Next.HTTP(), opt, nil
	}
	t := x.job.task
	first, err := httpapi.BuildRequest(t.BaseURL, t.Spec, sp.st, x.vars(nil))
	return first, opt, err
}

func (x *extraction) vars(parent map[string]string) httpapi.Vars {
	return httpapi.Vars{
		AccountID: x.job.task.AccountID,
		Window:    x.job.window,
		Params:    x.job.task.Vars,
		Parent:    parent,
		Now:       x.opt.now(),
	}
}

// sequential walks a request chain page by page in this goroutine: the chains of child
// streams (one per parent record, short) and of client-side windows (which must not read
// ahead of the stop verdict). day and parentRaw are the parent record's partition and
// JSON for a child stream.
func (x *extraction) sequential(ctx context.Context, sp *streamPlan, day time.Time, parentRaw string) error {
	first, popt, err := x.chain(sp, parentRaw)
	if err != nil {
		return fmt.Errorf("stream %s: %w", sp.name, err)
	}
	sh := x.shapes[sp.name]
	for page, err := range httpapi.PagesFrom(ctx, x.job.task.Client, first, sp.st, popt) {
		if err != nil {
			var he *httpapi.Error
			if parentRaw != "" && errors.As(err, &he) && he.Kind == httpapi.KindSkip {
				x.window.Skipped++
				return nil
			}
			return fmt.Errorf("stream %s: %w", sp.name, err)
		}
		x.window.Pages++
		if err := sh.build(page.Records); err != nil {
			return err
		}
		older, err := x.accept(ctx, sp, x.local.prepare(sh, page.Records, day, parentRaw))
		if err != nil {
			return err
		}
		if older && clientWindow(sp) {
			break // newest-first API: everything further is before the window
		}
		if parentRaw == "" {
			x.ckpt.last = page.Number
		}
		if parentRaw == "" && x.ckpt.cutAt(page.Number) && page.Next != nil {
			if err := x.checkpoint(ctx, page.Next, page.Number); err != nil {
				return err
			}
		}
	}
	return nil
}

func clientWindow(sp *streamPlan) bool { return sp.st.Window != nil && sp.st.Window.Client }

// accept is the ordered second stage: it counts, drops records outside the window,
// routes the rest to their partitions (where duplicates are dropped) and expands the
// children of each new record. It reports whether the page was non-empty and entirely
// older than the window: the stop signal of client-side windows.
func (x *extraction) accept(ctx context.Context, sp *streamPlan, recs []prepared) (bool, error) {
	older := len(recs) > 0
	for i := range recs {
		r := &recs[i]
		x.window.Fetched++
		if r.err != nil {
			r.release()
			if sp.st.OnReject != spec.RejectSkip {
				return false, fmt.Errorf("stream %s: record rejected: %w (nothing of this window is committed; fix the spec's field declarations, or set on_reject: skip to drop such records)", sp.name, r.err)
			}
			x.reject(sp.name, r.err)
			older = false
			continue
		}
		if x.job.window != nil && !r.day.Before(x.job.window.Start) {
			older = false
		}
		if !x.days[r.day] {
			x.window.OutOfWindow++
			r.release()
			continue
		}
		added, err := x.writer(sp.name, r.day).add(r)
		if err != nil {
			return false, err
		}
		if !added {
			continue
		}
		for _, c := range sp.children {
			if err := x.sequential(ctx, c, r.day, r.raw); err != nil {
				return false, err
			}
		}
	}
	return older, nil
}

func (x *extraction) writer(stream string, d time.Time) *partWriter {
	w := x.parts[stream][d]
	if w == nil {
		p := layout.Partition{Stream: layout.Stream{Source: x.job.task.Spec.Name, Account: x.job.task.AccountID, Name: stream}, Day: d}
		f := x.opt.Format
		if isSnapshot(x.shapes[stream].st) {
			f = format.Parquet // snapshot files are Parquet whatever the run's format
		}
		w = newPartWriter(p, x.shapes[stream], x.opt.TempDir, f)
		w.keepKeys = x.ckpt.every > 0
		x.parts[stream][d] = w
	}
	return w
}

func (x *extraction) reject(stream string, err error) {
	x.window.Rejected++
	if len(x.errs) < maxErrorSamples {
		x.errs = append(x.errs, stream+": "+err.Error())
	}
}

// discard removes every staged temp file.
func (x *extraction) discard() {
	for _, byDay := range x.parts {
		for _, w := range byDay {
			w.discard()
		}
	}
}

// parentValue is the text of a parent record's field, for a child's parent column.
func parentValue(raw, path string) record.Value {
	v := gjson.Get(raw, path)
	switch {
	case !v.Exists():
		return record.Value{Kind: record.Absent}
	case v.Type == gjson.Null:
		return record.Value{Kind: record.Null}
	case v.Type == gjson.Number:
		return record.Value{Kind: record.String, S: v.Raw}
	}
	return record.Value{Kind: record.String, S: v.String()}
}

// parentFields collects the parent values a child's request templates use.
func parentFields(raw string, child *spec.Stream) map[string]string {
	out := map[string]string{}
	for _, name := range templateVars(child) {
		if path, ok := strings.CutPrefix(name, "parent."); ok {
			v := gjson.Get(raw, path)
			if v.Type == gjson.Number {
				out[path] = v.Raw
			} else if v.Exists() {
				out[path] = v.String()
			}
		}
	}
	return out
}

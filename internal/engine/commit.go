package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sluice-dev/sluice/internal/failpoint"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
)

// Partition outcomes.
const (
	OutcomeCommitted = "committed" // a new generation replaced the previous one (or none)
	OutcomeUnchanged = "unchanged" // the extracted records equal the committed ones
	OutcomeFailed    = "failed"
)

// PartitionResult is what happened to one partition.
type PartitionResult struct {
	Partition string   `json:"partition"`
	Source    string   `json:"source"`
	Account   string   `json:"account_id"`
	Stream    string   `json:"stream"`
	Day       string   `json:"date"`
	Outcome   string   `json:"outcome"`
	Records   int64    `json:"records"`
	Keys      []string `json:"keys,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// runJob extracts one window (continuing its checkpoint when it has one) and commits its
// partitions. The checkpoint is deleted once every partition is committed.
func runJob(ctx context.Context, opt *Options, j *job) []PartitionResult {
	start := opt.now()
	x, err := opt.extract(ctx, j)
	if err != nil {
		if x != nil {
			x.discard()
		}
		opt.Logger.Error("window failed", "source", j.task.Spec.Name, "account", j.task.AccountID,
			"stream", j.stream.name, "from", j.days[0].Format(time.DateOnly), "to", j.days[len(j.days)-1].Format(time.DateOnly), "err", err)
		return failJob(j, err)
	}
	var out []PartitionResult
	failed := false
	for _, name := range sortedKeys(x.shapes) {
		for _, d := range j.days {
			res := x.commit(ctx, name, d, start)
			if opt.Progress != nil {
				opt.Progress.Committed(x.writer(name, d).part, res.Outcome, res.Records)
			}
			failed = failed || res.Outcome == OutcomeFailed
			out = append(out, res)
		}
	}
	if !failed && (x.ckpt.etag != "" || len(x.ckpt.parts) > 0) {
		if err := ledger.DeleteCheckpoint(ctx, opt.Store, x.ckpt.stream, x.ckpt.window); err != nil {
			opt.Logger.Warn("checkpoint of a committed window not deleted; the next run removes it", "stream", x.ckpt.stream.Name, "err", err)
		}
	}
	return out
}

// extract runs the extraction of one window. A checkpoint this run cannot continue (the
// spec changed), or whose next request the API refuses (an expired cursor), is dropped
// and the window restarts from its first page.
func (o *Options) extract(ctx context.Context, j *job) (*extraction, error) {
	x, err := newExtraction(o, j)
	if err != nil {
		return nil, err
	}
	if j.task.Err != nil {
		return x, j.task.Err
	}
	if err := o.halts.get(j.task); err != nil {
		return x, err
	}
	if j.resume != nil {
		err := x.restore(ctx, j.resume, j.etag)
		if errors.Is(err, errIncompatible) {
			return o.restart(ctx, j, x, err)
		}
		if err != nil {
			return x, err
		}
		o.Logger.Info("resuming window from its checkpoint", "stream", x.ckpt.stream.Name,
			"from", j.days[0].Format(time.DateOnly), "to", j.days[len(j.days)-1].Format(time.DateOnly), "pages_done", j.resume.Pages)
	}
	resumedAt := x.window.Pages
	err = x.run(ctx)
	o.stats.Merge(x.stats)
	if err != nil && staleResume(err, x, resumedAt) {
		return o.restart(ctx, j, x, err)
	}
	o.halts.note(j.task, err)
	return x, err
}

// restart drops j's checkpoint (and the parts it staged) and extracts the window afresh.
func (o *Options) restart(ctx context.Context, j *job, x *extraction, why error) (*extraction, error) {
	o.Logger.Warn("checkpoint dropped; the window restarts from its first page", "stream", x.ckpt.stream.Name,
		"from", j.days[0].Format(time.DateOnly), "to", j.days[len(j.days)-1].Format(time.DateOnly), "reason", why)
	x.discard()
	if err := ledger.DeleteCheckpoint(ctx, o.Store, x.ckpt.stream, x.ckpt.window); err != nil {
		return nil, err
	}
	fresh := *j
	fresh.resume, fresh.etag = nil, ""
	return o.extract(ctx, &fresh)
}

// failJob reports every partition of the job as failed with err.
func failJob(j *job, err error) []PartitionResult {
	var out []PartitionResult
	var walk func(sp *streamPlan)
	walk = func(sp *streamPlan) {
		for _, d := range j.days {
			p := layout.Partition{Stream: layout.Stream{Source: j.task.Spec.Name, Account: j.task.AccountID, Name: sp.name}, Day: d}
			out = append(out, result(p, OutcomeFailed, 0, err.Error()))
		}
		for _, c := range sp.children {
			walk(c)
		}
	}
	walk(j.stream)
	return out
}

// partition is the partition r reports on.
func (r PartitionResult) partition() layout.Partition {
	d, _ := time.Parse(time.DateOnly, r.Day) // written by result from a UTC day
	return layout.Partition{Stream: layout.Stream{Source: r.Source, Account: r.Account, Name: r.Stream}, Day: d}
}

func result(p layout.Partition, outcome string, records int64, errText string) PartitionResult {
	return PartitionResult{
		Partition: p.String(), Source: p.Source, Account: p.Account, Stream: p.Name,
		Day: p.Day.Format(time.DateOnly), Outcome: outcome, Records: records, Error: errText,
	}
}

// commit stages nothing new when the partition's content is unchanged; otherwise it stores
// the data file and metadata, then moves the manifest (DESIGN §4).
func (x *extraction) commit(ctx context.Context, stream string, d time.Time, start time.Time) PartitionResult {
	w := x.writer(stream, d)
	if isSnapshot(w.shape.st) {
		return x.commitSnapshot(ctx, w, start)
	}
	p := w.part
	var created []string // objects of this attempt, removed again if it fails
	fail := func(err error) PartitionResult {
		w.discard()
		for _, k := range created {
			// Best effort: a leftover is unreferenced by any manifest, never read as data.
			_ = x.opt.Store.Delete(context.WithoutCancel(ctx), k)
		}
		x.opt.Logger.Error("partition failed", "partition", p.String(), "err", err)
		return result(p, OutcomeFailed, 0, err.Error())
	}
	sh := x.shapes[stream]
	if err := sh.build(nil); err != nil {
		return fail(err)
	}
	st, err := w.finish(ctx, x.opt.Store)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if st.path != "" {
			os.Remove(st.path)
		}
	}()
	store := x.opt.Store
	prev, etag, err := ledger.ReadManifest(ctx, store, p.ManifestKey())
	if err != nil {
		return fail(err)
	}
	fp := sh.out.Fingerprint()
	if prev.SameContent(st.contentHash, st.counts.Written, fp, string(x.opt.Format)) && x.present(ctx, prev) {
		x.opt.Logger.Info("partition unchanged", "partition", p.String(), "records", st.counts.Written)
		res := result(p, OutcomeUnchanged, st.counts.Written, "")
		res.Keys = prev.Keys()
		return res
	}
	ts := x.opt.ts()
	meta := x.metadata(p, sh, st, start)
	next := &ledger.Manifest{
		Version: ledger.ManifestVersion, Partition: p.String(), RunID: x.opt.RunID, RunTimestamp: ts,
		CommittedAt: x.opt.now(), Records: st.counts.Written, ContentHash: st.contentHash,
		SchemaFingerprint: fp, Format: string(x.opt.Format),
	}
	if st.path != "" {
		key := p.DataKey(ts, x.opt.Format.Ext())
		if err := createFile(ctx, store, key, st.path, st.size); err != nil {
			return fail(fmt.Errorf("store data file: %w", err))
		}
		created = append(created, key)
		failpoint.Hit(failpoint.AfterDataPut)
		meta.File = &FileInfo{Key: key, Format: string(x.opt.Format), Size: st.size, SHA256: st.sha256, Records: st.counts.Written}
		next.Files = append(next.Files, ledger.File{Key: key, Role: "data", Size: st.size, SHA256: st.sha256})
	}
	meta.DurationMS = x.opt.now().Sub(start).Milliseconds()
	body := meta.Encode()
	mkey := p.MetadataKey(ts)
	if _, err := store.Create(ctx, mkey, bytes.NewReader(body), int64(len(body))); err != nil {
		return fail(fmt.Errorf("store metadata: %w", err))
	}
	created = append(created, mkey)
	failpoint.Hit(failpoint.AfterMetadataPut)
	next.Files = append(next.Files, ledger.File{Key: mkey, Role: "metadata", Size: int64(len(body))})
	if err := ledger.Commit(ctx, store, p.ManifestKey(), prev, etag, next); err != nil {
		if !errors.Is(err, ledger.ErrCleanup) {
			return fail(err)
		}
		x.opt.Logger.Warn("superseded file left behind", "partition", p.String(), "err", err)
	}
	failpoint.Hit(failpoint.AfterManifestCAS)
	x.opt.Logger.Info("partition committed", "partition", p.String(), "records", st.counts.Written,
		"duplicates", st.counts.Duplicates, "replaced", len(prev.Keys()) > 0)
	res := result(p, OutcomeCommitted, st.counts.Written, "")
	res.Keys = next.Keys()
	return res
}

// present reports whether every file the manifest names is stored. A committed file that
// disappeared (deleted by hand, a lifecycle rule) makes an unchanged partition be written
// again rather than reported unchanged.
func (x *extraction) present(ctx context.Context, m *ledger.Manifest) bool {
	return x.presentKeys(ctx, m.Keys())
}

func (x *extraction) metadata(p layout.Partition, sh *shape, st *staged, start time.Time) *Metadata {
	t := x.job.task
	m := &Metadata{
		Version: MetadataVersion, RunID: x.opt.RunID, RunTimestamp: x.opt.ts(), ExecutedAt: x.opt.RunTime,
		Outcome: OutcomeCommitted, Source: p.Source, Account: p.Account, Stream: p.Name,
		Partition: p.Day.Format(time.DateOnly),
		Range:     dayRange(x.opt.rng.From, x.opt.rng.To),
		Counts:    st.counts, WindowCounts: x.window, Requests: x.stats.Snapshot(), ErrorsSampled: x.errs,
		ContentHash: st.contentHash,
		Schema:      SchemaRef{Fingerprint: sh.out.Fingerprint(), Fields: sh.out.Fields},
		Spec:        SpecRef{Name: t.Spec.Name, Version: t.Spec.Version, Hash: t.Spec.Hash, File: t.Spec.File},
		ConfigHash:  x.opt.ConfigHash, Tool: x.opt.Build,
	}
	if w := x.job.window; w != nil {
		r := dayRange(w.Start, w.End.AddDate(0, 0, -1))
		m.Window = &r
	}
	return m
}

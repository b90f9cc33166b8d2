package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sluice-dev/sluice/internal/failpoint"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/schema"
)

// DefaultCheckpointPages is how many pages of a window's top-level chain pass between two
// checkpoints unless configured otherwise.
const DefaultCheckpointPages = 200

// checkpointer saves the position of one window's extraction every N pages of its
// top-level chain (DESIGN §4.6): the rows written so far are cut into segments and staged
// in the store, then the checkpoint names them with the next request to send. A rerun
// after a crash resumes there, so at most N pages are fetched again.
type checkpointer struct {
	every  int // pages between checkpoints; 0: never
	stream layout.Stream
	window ledger.Window
	etag   string        // of the stored checkpoint ("" before the first save)
	parts  []ledger.Part // staged so far
	seq    int           // staged parts written by this run
	done   int           // pages of the chain done before this run (a resumed checkpoint)
	last   int           // number of the last page of the chain accepted
	off    atomic.Bool   // set when the window's requests cannot be stored safely
}

// hold reports whether page n ends a checkpoint interval. It is called from the goroutine
// that fetches pages; every never changes during a window.
func (c *checkpointer) hold(n int) bool { return c.every > 0 && n%c.every == 0 }

// resumeState is the engine's part of a checkpoint (ledger.Checkpoint.State).
type resumeState struct {
	// SpecHash and Format must match for a checkpoint to be resumed: segments written by
	// another spec or format cannot be joined with new rows.
	SpecHash string `json:"spec_hash"`
	Format   string `json:"format"`
	// Fields are the declared (or inferred) fields of every stream whose shape was built,
	// so a resumed run writes the same columns.
	Fields map[string][]schema.Field `json:"fields,omitempty"`
	Window WindowCounts              `json:"window"`
	// Counts are the partition counters, by "stream YYYY-MM-DD".
	Counts map[string]Counts `json:"counts,omitempty"`
}

func countsKey(stream string, d time.Time) string { return stream + " " + d.Format(time.DateOnly) }

// checkpoint cuts every open partition file into a staged segment and saves the
// checkpoint with next, the request of page pages+1. A window whose next request cannot
// be stored safely (it would carry a credential) stops checkpointing, with a warning.
func (x *extraction) checkpoint(ctx context.Context, next *httpapi.Request, pages int) error {
	c := x.ckpt
	if c.off.Load() {
		return nil
	}
	for _, name := range sortedKeys(x.parts) {
		byDay := x.parts[name]
		days := make([]time.Time, 0, len(byDay))
		for d := range byDay {
			days = append(days, d)
		}
		slices.SortFunc(days, time.Time.Compare)
		for _, d := range days {
			if err := x.stage(ctx, name, d, byDay[d]); err != nil {
				return err
			}
		}
	}
	failpoint.Hit(failpoint.MidCheckpoint)
	req, err := ledger.RequestFrom(next)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	state, err := json.Marshal(x.resumeState())
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	cp := &ledger.Checkpoint{
		Window: c.window, RunID: x.opt.RunID, Next: req, Pages: int64(pages),
		Parts: c.parts, State: state, UpdatedAt: x.opt.now(),
	}
	etag, err := ledger.SaveCheckpoint(ctx, x.opt.Store, c.stream, cp, c.etag)
	if errors.Is(err, ledger.ErrSecret) {
		x.opt.Logger.Warn("checkpoints off for this window", "stream", c.stream.Name, "err", err)
		c.off.Store(true)
		return nil
	}
	if err != nil {
		return err
	}
	c.etag = etag
	return nil
}

// stage cuts one partition's open file and stores it, with its keys, as a staged part.
func (x *extraction) stage(ctx context.Context, stream string, d time.Time, w *partWriter) error {
	c := x.ckpt
	seg, keys, ok, err := w.cut()
	if err != nil || !ok {
		return err
	}
	w.segs = append(w.segs, seg) // kept for the data file even if staging fails
	c.seq++
	key := c.stream.StagingKey(c.window.From, c.window.To, x.opt.RunID, c.seq, w.format.Ext())
	keysKey := c.stream.StagingKey(c.window.From, c.window.To, x.opt.RunID, c.seq, "keys")
	if err := createFile(ctx, x.opt.Store, key, seg.path, seg.size); err != nil {
		return fmt.Errorf("checkpoint: stage part: %w", err)
	}
	raw := make([]byte, 0, 16*len(keys))
	for _, k := range keys {
		raw = append(raw, k[:]...)
	}
	if _, err := x.opt.Store.Create(ctx, keysKey, bytes.NewReader(raw), int64(len(raw))); err != nil {
		return fmt.Errorf("checkpoint: stage keys: %w", err)
	}
	hs, _ := seg.set.MarshalText() // cannot fail
	part := ledger.Part{Key: key, KeysKey: keysKey, Day: d.Format(time.DateOnly), Records: seg.records, Size: seg.size, HashState: string(hs)}
	if stream != c.stream.Name {
		part.Stream = stream
	}
	w.segs[len(w.segs)-1].part = part
	c.parts = append(c.parts, part)
	return w.joinSegments(ctx, x.opt.Store)
}

func (x *extraction) resumeState() resumeState {
	st := resumeState{
		SpecHash: x.job.task.Spec.Hash, Format: string(x.opt.Format),
		Fields: map[string][]schema.Field{}, Window: x.window, Counts: map[string]Counts{},
	}
	for name, sh := range x.shapes {
		if sh.built() {
			st.Fields[name] = sh.declared.Fields
		}
	}
	for name, byDay := range x.parts {
		for d, w := range byDay {
			st.Counts[countsKey(name, d)] = w.counts
		}
	}
	return st
}

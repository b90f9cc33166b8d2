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

// checkpointer saves the position of one window's extraction along its top-level chain
// (DESIGN §4.6): the rows written so far are cut into segments and staged in the store,
// then the checkpoint names them with the next request to send. A rerun after a crash
// resumes there.
//
// every (N, checkpoint_pages) bounds the pages a crash costs: no page is requested more
// than N pages past the last saved checkpoint. Checkpoints are cut a little more often,
// every N - N/8 pages, so the chain can read ahead by N/8 pages while a checkpoint is
// being saved instead of stopping at every boundary.
type checkpointer struct {
	every  int // at most this many pages past the last saved checkpoint are requested; 0: no checkpoints
	stream layout.Stream
	window ledger.Window
	etag   string        // of the stored checkpoint ("" before the first save)
	parts  []ledger.Part // staged so far
	seq    int           // staged parts written by this run
	done   int           // pages of the chain done before this run (a resumed checkpoint)
	last   int           // number of the last page of the chain accepted
	off    atomic.Bool   // set when the window's requests cannot be stored safely
	saved  atomic.Int64  // pages covered by the last saved checkpoint (a resumed one's, at first)
	moved  chan struct{} // signalled when saved or off changes
}

func newCheckpointer(every int, stream layout.Stream, window ledger.Window) *checkpointer {
	return &checkpointer{every: every, stream: stream, window: window, moved: make(chan struct{}, 1)}
}

// interval is how many pages pass between two checkpoints: every less an eighth, the
// read-ahead allowed while one is saved.
func (c *checkpointer) interval() int { return c.every - c.every/8 }

// cutAt reports whether a checkpoint follows page n.
func (c *checkpointer) cutAt(n int) bool { return c.every > 0 && n%c.interval() == 0 }

// hold reports whether page n+1 must wait for a checkpoint before it is requested: it
// would be more than every pages past the last saved one. It is called from the
// goroutine that fetches pages.
func (c *checkpointer) hold(n int) bool {
	return c.every > 0 && !c.off.Load() && int64(n+1) > c.saved.Load()+int64(c.every)
}

// wait blocks until page n+1 may be requested (see hold).
func (c *checkpointer) wait(ctx context.Context, n int) error {
	for c.hold(n) {
		select {
		case <-c.moved:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// advance records a saved checkpoint covering pages, and wakes a waiting fetcher.
func (c *checkpointer) advance(pages int) {
	c.saved.Store(int64(pages))
	c.signal()
}

func (c *checkpointer) signal() {
	select {
	case c.moved <- struct{}{}:
	default:
	}
}

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
		c.signal()
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
		c.signal()
		return nil
	}
	if err != nil {
		return err
	}
	c.etag = etag
	c.advance(pages)
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
	if _, err := x.opt.Store.Create(ctx, keysKey, bytes.NewReader(keys), int64(len(keys))); err != nil {
		return fmt.Errorf("checkpoint: stage keys: %w", err)
	}
	w.reuseKeys(keys)
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

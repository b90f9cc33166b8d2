package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// CheckpointVersion is the format version of checkpoints written by this build.
const CheckpointVersion = 1

// ErrStaleCheckpoint means the checkpoint changed since it was loaded or last saved:
// another run is working the same window, so this one must stop.
var ErrStaleCheckpoint = errors.New("checkpoint was changed by another run")

// Window is a request window of inclusive UTC days. The zero Window is the single window
// of a snapshot capture (a stream without a date filter).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Part is one staged part file: records already extracted and stored under the stream's
// staging prefix (layout.Stream.StagingKey) but not yet committed.
type Part struct {
	Key     string `json:"key"`
	Stream  string `json:"stream,omitempty"` // child stream whose records it holds; "" = the checkpoint's stream
	Day     string `json:"day,omitempty"`    // partition day YYYY-MM-DD; "" for a snapshot
	Records int64  `json:"records"`
	Size    int64  `json:"size"`
	// KeysKey is the staged object holding the 16-byte record keys of the part, so a
	// resumed run keeps de-duplicating against records it no longer holds ("" for none).
	KeysKey string `json:"keys_key,omitempty"`
	// HashState is the serialized, mergeable content-hash accumulator of the part's
	// records (opaque here; the engine's encoding of its set hash), so a resumed run
	// computes the partition's content hash without re-reading the part.
	HashState string `json:"hash_state"`
}

// keys lists the staged objects of the part.
func (p Part) keys() []string {
	if p.KeysKey == "" {
		return []string{p.Key}
	}
	return []string{p.Key, p.KeysKey}
}

// Checkpoint is the resumable position of one request window of one stream: where its
// pagination stands and which parts are already staged. It is saved every N pages, so a
// rerun after a crash resumes at Next instead of restarting the window.
type Checkpoint struct {
	Version int    `json:"version"`
	Stream  string `json:"stream"` // source/account/stream, set by SaveCheckpoint
	Window  Window `json:"window"`
	RunID   string `json:"run_id"` // the run that saved it last
	// Next is the next request to send, without credentials (auth is applied by the
	// client); nil means pagination is complete and only the commit remains.
	Next  *Request `json:"next,omitempty"`
	Pages int64    `json:"pages"` // pages done
	Parts []Part   `json:"parts"`
	// State is the engine's own resumable state (paginator position, counters), opaque.
	State     json.RawMessage `json:"state,omitempty"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// Encode renders the checkpoint as indented JSON.
func (c *Checkpoint) Encode() []byte {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil { // only an invalid State can fail; SaveCheckpoint checks it first
		panic(fmt.Sprintf("encode checkpoint: %v", err))
	}
	return append(data, '\n')
}

// SaveCheckpoint stores cp as the checkpoint of stream's window cp.Window by CAS: etag is
// the ETag returned by LoadCheckpoint or by the previous SaveCheckpoint ("" when there was
// none). It sets cp.Version and cp.Stream; the caller sets UpdatedAt from its clock. It
// returns the new ETag, an error wrapping ErrStaleCheckpoint when the stored checkpoint
// changed meanwhile, and an error wrapping ErrSecret, storing nothing, when Next or State
// looks like it carries a credential. Parts must be stored before the checkpoint that
// names them; a part stored without a checkpoint is removed by Reconcile.
func SaveCheckpoint(ctx context.Context, st store.Store, stream layout.Stream, cp *Checkpoint, etag string) (string, error) {
	key := stream.CheckpointKey(cp.Window.From, cp.Window.To)
	if err := checkWindow(cp.Window); err != nil {
		return "", fmt.Errorf("save checkpoint %s: %w", key, err)
	}
	if len(cp.State) > 0 && !json.Valid(cp.State) {
		return "", fmt.Errorf("save checkpoint %s: engine state is not valid JSON", key)
	}
	if err := cp.Next.checkSecrets(); err != nil {
		return "", fmt.Errorf("save checkpoint %s: %w", key, err)
	}
	if err := checkSecretJSON("engine state", cp.State); err != nil {
		return "", fmt.Errorf("save checkpoint %s: %w", key, err)
	}
	for _, p := range cp.Parts {
		for _, k := range p.keys() {
			if !stagedBy(stream, k) {
				return "", fmt.Errorf("save checkpoint %s: part %s is not under %s", key, k, stream.StagingPrefix())
			}
		}
	}
	cp.Version, cp.Stream = CheckpointVersion, streamName(stream)
	cp.Window = Window{From: cp.Window.From.UTC(), To: cp.Window.To.UTC()}
	cp.UpdatedAt = cp.UpdatedAt.UTC()
	next, err := swapState(ctx, st, key, cp.Encode(), etag)
	if errors.Is(err, store.ErrPrecondition) {
		return "", fmt.Errorf("save checkpoint %s: %w", key, ErrStaleCheckpoint)
	}
	if err != nil {
		return "", fmt.Errorf("save checkpoint %s: %w", key, err)
	}
	return next, nil
}

// LoadCheckpoint returns the checkpoint of stream's window w and its ETag, or
// (nil, "", nil) when the window has none (start from the first page).
func LoadCheckpoint(ctx context.Context, st store.Store, stream layout.Stream, w Window) (*Checkpoint, string, error) {
	key := stream.CheckpointKey(w.From, w.To)
	data, etag, err := readSmall(ctx, st, key)
	if err != nil || data == nil {
		return nil, "", err
	}
	cp, err := decodeCheckpoint(data, key)
	if err != nil {
		return nil, "", err
	}
	if cp.Stream != streamName(stream) || !cp.Window.From.Equal(w.From) || !cp.Window.To.Equal(w.To) {
		return nil, "", fmt.Errorf("checkpoint %s belongs to %s %s..%s, not to its key; delete it to restart the window",
			key, cp.Stream, cp.Window.From.Format(time.DateOnly), cp.Window.To.Format(time.DateOnly))
	}
	return cp, etag, nil
}

func decodeCheckpoint(data []byte, key string) (*Checkpoint, error) {
	var cp Checkpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		return nil, fmt.Errorf("checkpoint %s is not valid JSON (%v); delete it to restart the window", key, err)
	}
	if cp.Version < 1 || cp.Version > CheckpointVersion {
		return nil, fmt.Errorf("checkpoint %s has version %d; this build reads versions 1..%d (upgrade sluice, or delete it to restart the window)",
			key, cp.Version, CheckpointVersion)
	}
	if len(cp.State) > 0 {
		var b bytes.Buffer
		_ = json.Compact(&b, cp.State) // Unmarshal has just validated it
		cp.State = b.Bytes()
	}
	return &cp, nil
}

// DeleteCheckpoint removes the checkpoint of stream's window w, then the parts it names.
// The engine calls it after every partition of the window is committed (the parts'
// records are in committed files by then). Deleting the checkpoint first means a crash in
// between leaves only unreferenced parts, which Reconcile removes. A window without a
// checkpoint is not an error.
func DeleteCheckpoint(ctx context.Context, st store.Store, stream layout.Stream, w Window) error {
	key := stream.CheckpointKey(w.From, w.To)
	data, _, err := readSmall(ctx, st, key)
	if err != nil || data == nil {
		return err
	}
	var parts []string
	if cp, err := decodeCheckpoint(data, key); err == nil {
		for _, p := range cp.Parts {
			parts = append(parts, p.keys()...)
		}
	}
	if err := st.Delete(ctx, key); err != nil {
		return fmt.Errorf("delete checkpoint %s: %w", key, err)
	}
	// never delete outside the staging area, whatever a checkpoint says
	parts = slices.DeleteFunc(parts, func(k string) bool { return !stagedBy(stream, k) })
	return deleteAll(ctx, st, parts)
}

// deleteConcurrency is how many deletions deleteAll has in flight: a window's staged
// parts are two objects per checkpoint, and each deletion is a round trip to the store.
const deleteConcurrency = 8

// deleteAll deletes staged parts, several at a time, and returns the first failure after
// every deletion has ended.
func deleteAll(ctx context.Context, st store.Store, keys []string) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	slots := make(chan struct{}, deleteConcurrency)
	for _, k := range keys {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := st.Delete(ctx, k); err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("delete staged part %s: %w", k, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}

// sweepStaging deletes the stream's staged parts that no checkpoint references and
// returns their keys. Checkpoints are few (one per window in progress), so their part
// lists fit in memory. An unreadable checkpoint stops the sweep before it deletes
// anything.
func sweepStaging(ctx context.Context, st store.Store, stream layout.Stream) ([]string, error) {
	cps, err := Checkpoints(ctx, st, stream)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, cp := range cps {
		for _, p := range cp.Parts {
			keep = append(keep, p.keys()...)
		}
	}
	slices.Sort(keep)
	var removed []string
	for obj, err := range st.List(ctx, stream.StagingPrefix()) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", stream.StagingPrefix(), err)
		}
		if _, found := slices.BinarySearch(keep, obj.Key); found {
			continue
		}
		if err := st.Delete(ctx, obj.Key); err != nil {
			return nil, fmt.Errorf("delete staged part %s: %w", obj.Key, err)
		}
		removed = append(removed, obj.Key)
	}
	return removed, nil
}

// stagedBy reports whether key lies in stream's staging area.
func stagedBy(stream layout.Stream, key string) bool {
	rest, ok := strings.CutPrefix(key, stream.StagingPrefix())
	return ok && rest != "" && store.ValidateKey(key) == nil
}

// checkWindow accepts the zero window or two UTC midnights in order.
func checkWindow(w Window) error {
	if w.From.IsZero() && w.To.IsZero() {
		return nil
	}
	if !w.From.Equal(layout.Day(w.From)) || !w.To.Equal(layout.Day(w.To)) {
		return fmt.Errorf("window %s..%s: bounds must be 00:00 UTC days", w.From.UTC().Format(time.RFC3339), w.To.UTC().Format(time.RFC3339))
	}
	if w.To.Before(w.From) {
		return fmt.Errorf("window %s..%s ends before it starts", w.From.Format(time.DateOnly), w.To.Format(time.DateOnly))
	}
	return nil
}

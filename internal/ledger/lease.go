package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// LeaseVersion is the format version of lease objects written by this build.
const LeaseVersion = 1

// acquireAttempts bounds how often Acquire retries after losing a race for the lease
// object to another run; every lost race means the other run now holds a live lease, so
// a second attempt normally ends in a HeldError.
const acquireAttempts = 3

// ErrLost means the lease was taken over (or removed) by someone else: the holder must
// stop writing the stream. Partition manifests still change only by CAS, so a run that
// learns late of the loss cannot corrupt a partition, but it may race the new holder.
var ErrLost = errors.New("stream lease lost to another run")

// Holder identifies the run holding a lease.
type Holder struct {
	RunID   string    `json:"run_id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"` // when the run started, UTC
}

// LeaseInfo is the stored lease object: who holds a stream and until when. Times are UTC.
type LeaseInfo struct {
	Version    int       `json:"version"`
	Stream     string    `json:"stream"` // source/account/stream
	Holder     Holder    `json:"holder"`
	AcquiredAt time.Time `json:"acquired_at"`
	RenewedAt  time.Time `json:"renewed_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Encode renders the lease as indented JSON.
func (li *LeaseInfo) Encode() []byte {
	data, _ := json.MarshalIndent(li, "", "  ") // plain fields cannot fail to marshal
	return append(data, '\n')
}

// HeldError is returned by Acquire when another run holds a live lease on the stream.
type HeldError struct {
	Stream  layout.Stream
	Holder  Holder
	Since   time.Time // when the holder acquired the lease
	Expires time.Time // when it lapses unless renewed
}

// Error says who holds the stream, since when, from which host, and how to clear the
// lease of a run that is known to be dead.
func (e *HeldError) Error() string {
	return fmt.Sprintf("stream %s is being written by run %s (host %s, pid %d) since %s; its lease expires at %s unless renewed. "+
		"If that run is dead, clear the lease with `sluice unlock --account %s --stream %s` or run with --force-unlock",
		streamName(e.Stream), e.Holder.RunID, e.Holder.Host, e.Holder.PID,
		e.Since.UTC().Format(time.RFC3339), e.Expires.UTC().Format(time.RFC3339), e.Stream.Account, e.Stream.Name)
}

// Lease is a held writer lease on one stream. Its methods are safe for concurrent use
// (KeepAlive renews from its own goroutine).
type Lease struct {
	st     store.Store
	stream layout.Stream
	ttl    time.Duration
	now    func() time.Time

	mu       sync.Mutex
	info     LeaseInfo
	etag     string
	released bool // Release deleted it: Renew reports ErrLost
}

// Acquire takes the writer lease of stream for holder, valid for ttl from now(): it
// creates the lease object if there is none (Swap with ""), or takes over a lease whose
// expiry has passed (or one already held by holder.RunID) by CAS on its ETag. A live lease
// of another run returns *HeldError. now nil means time.Now. Expiry compares clocks of
// different hosts: ttl must exceed the clock skew between them by a wide margin.
//
// The engine's sequence per stream (DESIGN §4, points 4–6):
//
//	l, err := Acquire(ctx, st, s, holder, ttl, clock)  // *HeldError: skip the stream, say who holds it
//	lost := l.KeepAlive(ctx, ttl/3)                    // on receive: cancel the extraction
//	Reconcile(ctx, st, s)                              // remove what a crashed run left
//	for each request window w:
//	    cp, etag, _ := LoadCheckpoint(ctx, st, s, w)   // nil: start at the first page
//	    extract; every N pages: store parts, then etag, _ = SaveCheckpoint(ctx, st, s, cp, etag)
//	    commit each partition (Commit, by manifest CAS)
//	    DeleteCheckpoint(ctx, st, s, w)
//	cancel KeepAlive's ctx; l.Release(ctx)
//
// With --force-unlock the engine calls ForceUnlock before Acquire.
func Acquire(ctx context.Context, st store.Store, stream layout.Stream, holder Holder, ttl time.Duration, now func() time.Time) (*Lease, error) {
	if err := stream.Check(); err != nil {
		return nil, fmt.Errorf("acquire lease: %w", err)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("acquire lease on %s: ttl must be positive, got %s", streamName(stream), ttl)
	}
	if now == nil {
		now = time.Now
	}
	key := stream.LeaseKey()
	for range acquireAttempts {
		cur, etag, err := ReadLease(ctx, st, stream)
		if err != nil {
			return nil, err
		}
		t := now().UTC()
		if cur != nil && cur.Holder.RunID != holder.RunID && t.Before(cur.ExpiresAt) {
			return nil, &HeldError{Stream: stream, Holder: cur.Holder, Since: cur.AcquiredAt, Expires: cur.ExpiresAt}
		}
		info := LeaseInfo{Version: LeaseVersion, Stream: streamName(stream), Holder: holder, AcquiredAt: t, RenewedAt: t, ExpiresAt: t.Add(ttl)}
		info.Holder.Started = holder.Started.UTC()
		obj, err := st.Swap(ctx, key, info.Encode(), etag)
		if errors.Is(err, store.ErrPrecondition) {
			continue // another run created or took it over first; look again
		}
		if err != nil {
			return nil, fmt.Errorf("acquire lease %s: %w", key, err)
		}
		return &Lease{st: st, stream: stream, ttl: ttl, now: now, info: info, etag: obj.ETag}, nil
	}
	return nil, fmt.Errorf("acquire lease %s: it changed %d times while acquiring; another run is contending for it", key, acquireAttempts)
}

// ReadLease returns the stream's stored lease and its ETag, or (nil, "", nil) when there
// is none. A lease object this build cannot read is an error that says how to clear it.
func ReadLease(ctx context.Context, st store.Store, stream layout.Stream) (*LeaseInfo, string, error) {
	data, etag, err := readSmall(ctx, st, stream.LeaseKey())
	if err != nil || data == nil {
		return nil, "", err
	}
	li, err := decodeLease(data, stream)
	if err != nil {
		return nil, "", err
	}
	return li, etag, nil
}

func decodeLease(data []byte, stream layout.Stream) (*LeaseInfo, error) {
	key := stream.LeaseKey()
	var li LeaseInfo
	if err := json.Unmarshal(data, &li); err != nil {
		return nil, fmt.Errorf("lease %s is not valid JSON (%v); if no run is writing the stream, clear it with `sluice unlock --account %s --stream %s`",
			key, err, stream.Account, stream.Name)
	}
	if li.Version < 1 || li.Version > LeaseVersion {
		return nil, fmt.Errorf("lease %s has version %d; this build reads versions 1..%d (upgrade sluice)", key, li.Version, LeaseVersion)
	}
	return &li, nil
}

// readSmall reads a small state object whole: (nil, "", nil) when it does not exist.
func readSmall(ctx context.Context, st store.Store, key string) ([]byte, string, error) {
	rc, obj, err := st.Get(ctx, key)
	if errors.Is(err, store.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", key, err)
	}
	return data, obj.ETag, nil
}

// Info returns a copy of the lease as last written by this holder.
func (l *Lease) Info() LeaseInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.info
}

// Renew extends the lease to now()+ttl by CAS on the ETag of our last write. It returns
// an error wrapping ErrLost when the object changed or vanished (another run took the
// lease over, or it was force-unlocked); the caller must stop writing the stream.
func (l *Lease) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("renew lease on %s: %w (it was released)", streamName(l.stream), ErrLost)
	}
	next := l.info
	next.RenewedAt = l.now().UTC()
	next.ExpiresAt = next.RenewedAt.Add(l.ttl)
	data := next.Encode()
	etag, err := swapState(ctx, l.st, l.stream.LeaseKey(), data, l.etag)
	if errors.Is(err, store.ErrPrecondition) {
		return fmt.Errorf("renew lease on %s: %w", streamName(l.stream), ErrLost)
	}
	if err != nil {
		return fmt.Errorf("renew lease on %s: %w", streamName(l.stream), err)
	}
	l.info, l.etag = next, etag
	return nil
}

// swapState is Swap for state objects whose content names their writer (leases,
// checkpoints). When the swap reports ErrPrecondition it reads the object back: a store
// that retried a request whose first attempt succeeded reports the condition failing on
// our own write, and the object then holds exactly data; its ETag is ours.
func swapState(ctx context.Context, st store.Store, key string, data []byte, etag string) (string, error) {
	obj, err := st.Swap(ctx, key, data, etag)
	if err == nil {
		return obj.ETag, nil
	}
	if !errors.Is(err, store.ErrPrecondition) {
		return "", err
	}
	got, gotETag, rerr := readSmall(ctx, st, key)
	if rerr == nil && got != nil && gotETag != etag && bytes.Equal(got, data) {
		return gotETag, nil
	}
	return "", err
}

// Release gives the lease up. It first renews it (which proves by CAS that it is still
// ours and pushes its expiry a full ttl away, so no one can take it over in between),
// then deletes it. It returns an error wrapping ErrLost, and deletes nothing, when the
// lease is no longer ours.
func (l *Lease) Release(ctx context.Context) error {
	if err := l.Renew(ctx); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.st.Delete(ctx, l.stream.LeaseKey()); err != nil {
		return fmt.Errorf("release lease on %s: %w", streamName(l.stream), err)
	}
	l.released = true
	return nil
}

// ForceUnlock deletes the stream's lease whoever holds it, and returns what it removed:
// nil when there was no lease, a LeaseInfo with Version 0 when the object could not be
// decoded (it is removed all the same: clearing a broken lease is what unlock is for).
// It is for the lease of a run known to be dead (`sluice unlock`, `--force-unlock`); a
// live holder learns of it at its next renewal, as ErrLost.
//
// It first replaces the lease by CAS with an expired, holderless one, then deletes that:
// a renewal racing the unlock then fails its CAS instead of writing the lease back (some
// S3-compatible servers check If-Match and write in two steps, so a plain delete can be
// undone by a renewal already past its check).
func ForceUnlock(ctx context.Context, st store.Store, stream layout.Stream) (*LeaseInfo, error) {
	if err := stream.Check(); err != nil {
		return nil, fmt.Errorf("unlock: %w", err)
	}
	key := stream.LeaseKey()
	tomb := LeaseInfo{Version: LeaseVersion, Stream: streamName(stream), Holder: Holder{RunID: "(unlocked)"}}
	for range acquireAttempts {
		data, etag, err := readSmall(ctx, st, key)
		if err != nil || data == nil {
			return nil, err
		}
		li, err := decodeLease(data, stream)
		if err != nil {
			li = &LeaseInfo{Stream: streamName(stream)}
		}
		if _, err := st.Swap(ctx, key, tomb.Encode(), etag); errors.Is(err, store.ErrPrecondition) {
			continue // renewed or taken over meanwhile: unlock what is there now
		} else if err != nil {
			return nil, fmt.Errorf("unlock %s: %w", streamName(stream), err)
		}
		if err := st.Delete(ctx, key); err != nil {
			return nil, fmt.Errorf("unlock %s: %w (the lease is expired, so the next run takes it over)", streamName(stream), err)
		}
		return li, nil
	}
	return nil, fmt.Errorf("unlock %s: the lease changed %d times while unlocking; its holder is alive and renewing it", streamName(stream), acquireAttempts)
}

// streamName renders s as source/account/stream for messages and stored objects.
func streamName(s layout.Stream) string { return s.Source + "/" + s.Account + "/" + s.Name }

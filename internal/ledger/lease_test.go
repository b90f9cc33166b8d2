package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
)

const ttl = 10 * time.Minute

var (
	started = time.Date(2024, 1, 15, 10, 29, 0, 0, time.UTC)
	us      = ledger.Holder{RunID: "run-us", Host: "worker-1", PID: 4242, Started: started}
	them    = ledger.Holder{RunID: "run-them", Host: "worker-2", PID: 99, Started: started}
)

// leaseOf writes a lease held by h from at, expiring at+ttl, directly to the store.
func leaseOf(t *testing.T, st store.Store, h ledger.Holder, at time.Time) {
	t.Helper()
	li := ledger.LeaseInfo{Version: 1, Stream: "demo/acme/posts", Holder: h, AcquiredAt: at, RenewedAt: at, ExpiresAt: at.Add(ttl)}
	put(t, st, testStream.LeaseKey(), li.Encode())
}

func TestLeaseGolden(t *testing.T) {
	c := newClock()
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Acquire(t.Context(), st, testStream, us, ttl, c.now); err != nil {
		t.Fatal(err)
	}
	got := get(t, st, "_sluice/leases/demo/acme/posts.json")
	golden(t, "lease_v1.json", got)
	data, err := os.ReadFile(filepath.Join("testdata", "lease_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var li ledger.LeaseInfo
	if err := json.Unmarshal(data, &li); err != nil {
		t.Fatal(err)
	}
	want := ledger.LeaseInfo{Version: 1, Stream: "demo/acme/posts", Holder: us, AcquiredAt: c.now(), RenewedAt: c.now(), ExpiresAt: c.now().Add(ttl)}
	if !reflect.DeepEqual(li, want) {
		t.Fatalf("decoded golden lease = %+v, want %+v", li, want)
	}
}

func TestAcquire(t *testing.T) {
	t0 := newClock().now()
	heldMsg := "stream demo/acme/posts is being written by run run-them (host worker-2, pid 99) since 2024-01-15T10:25:00Z; " +
		"its lease expires at 2024-01-15T10:35:00Z unless renewed. If that run is dead, clear the lease with " +
		"`sluice unlock --account acme --stream posts` or run with --force-unlock"
	tests := []struct {
		name    string
		setup   func(t *testing.T, st store.Store)
		wantErr string
		holder  ledger.Holder // the stored holder afterwards
	}{
		{"no lease", func(*testing.T, store.Store) {}, "", us},
		{"live lease of another run", func(t *testing.T, st store.Store) { leaseOf(t, st, them, t0.Add(-5*time.Minute)) }, heldMsg, them},
		{"expired lease of another run", func(t *testing.T, st store.Store) { leaseOf(t, st, them, t0.Add(-ttl)) }, "", us},
		{"live lease of the same run", func(t *testing.T, st store.Store) { leaseOf(t, st, us, t0.Add(-time.Minute)) }, "", us},
		{"unreadable lease", func(t *testing.T, st store.Store) { put(t, st, testStream.LeaseKey(), []byte("{not json")) },
			"lease _sluice/leases/demo/acme/posts.json is not valid JSON (invalid character 'n' looking for beginning of object key string); " +
				"if no run is writing the stream, clear it with `sluice unlock --account acme --stream posts`", ledger.Holder{}},
		{"lease from a newer build", func(t *testing.T, st store.Store) { put(t, st, testStream.LeaseKey(), []byte(`{"version":2}`)) },
			"lease _sluice/leases/demo/acme/posts.json has version 2; this build reads versions 1..1 (upgrade sluice)", ledger.Holder{}},
	}
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := newStore(t)
				tt.setup(t, st)
				l, err := ledger.Acquire(t.Context(), st, testStream, us, ttl, func() time.Time { return t0 })
				if tt.wantErr != "" {
					if err == nil || err.Error() != tt.wantErr {
						t.Fatalf("Acquire error = %v\nwant %s", err, tt.wantErr)
					}
					if tt.name == "live lease of another run" {
						var he *ledger.HeldError
						if !errors.As(err, &he) || he.Holder != them || !he.Since.Equal(t0.Add(-5*time.Minute)) || !he.Expires.Equal(t0.Add(5*time.Minute)) {
							t.Fatalf("HeldError = %+v", he)
						}
					}
				} else {
					if err != nil {
						t.Fatalf("Acquire: %v", err)
					}
					want := ledger.LeaseInfo{Version: 1, Stream: "demo/acme/posts", Holder: us, AcquiredAt: t0, RenewedAt: t0, ExpiresAt: t0.Add(ttl)}
					if got := l.Info(); got != want {
						t.Fatalf("Info() = %+v, want %+v", got, want)
					}
				}
				if tt.holder == (ledger.Holder{}) {
					return
				}
				li, _, err := ledger.ReadLease(t.Context(), st, testStream)
				if err != nil || li == nil || li.Holder != tt.holder {
					t.Fatalf("stored lease = %+v, %v; want holder %+v", li, err, tt.holder)
				}
			})
		}
	})
}

func TestAcquireConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		st := newStore(t)
		const runs = 8
		errs := make([]error, runs)
		var wg sync.WaitGroup
		for i := range runs {
			wg.Go(func() {
				h := ledger.Holder{RunID: "run-" + string(rune('a'+i)), Host: "h", PID: i}
				_, errs[i] = ledger.Acquire(t.Context(), st, testStream, h, ttl, nil)
			})
		}
		wg.Wait()
		won, held := 0, 0
		for _, err := range errs {
			var he *ledger.HeldError
			switch {
			case err == nil:
				won++
			case errors.As(err, &he):
				held++
			default:
				t.Errorf("Acquire: %v", err)
			}
		}
		if won != 1 || held != runs-1 {
			t.Fatalf("%d runs acquired the lease and %d were refused; want 1 and %d", won, held, runs-1)
		}
	})
}

func TestLeaseLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		c := newClock()
		l, err := ledger.Acquire(ctx, st, testStream, us, ttl, c.now)
		if err != nil {
			t.Fatal(err)
		}
		t0 := c.now()

		// Renewal pushes the stored expiry; another run is still refused.
		c.advance(8 * time.Minute)
		if err := l.Renew(ctx); err != nil {
			t.Fatalf("Renew: %v", err)
		}
		li, _, _ := ledger.ReadLease(ctx, st, testStream)
		if !li.AcquiredAt.Equal(t0) || !li.RenewedAt.Equal(t0.Add(8*time.Minute)) || !li.ExpiresAt.Equal(t0.Add(18*time.Minute)) {
			t.Fatalf("stored lease after Renew = %+v", li)
		}
		c.advance(5 * time.Minute) // past the first expiry, before the renewed one
		var he *ledger.HeldError
		if _, err := ledger.Acquire(ctx, st, testStream, them, ttl, c.now); !errors.As(err, &he) {
			t.Fatalf("Acquire by another run of a renewed lease: %v, want HeldError", err)
		}

		// Release deletes it, and another run acquires at once.
		if err := l.Release(ctx); err != nil {
			t.Fatalf("Release: %v", err)
		}
		if got := keys(t, st); len(got) != 0 {
			t.Fatalf("keys after Release = %v, want none", got)
		}
		if err := l.Renew(ctx); !errors.Is(err, ledger.ErrLost) {
			t.Fatalf("Renew after Release: %v, want ErrLost", err)
		}
		if _, err := ledger.Acquire(ctx, st, testStream, them, ttl, c.now); err != nil {
			t.Fatalf("Acquire after Release: %v", err)
		}
	})
}

func TestLeaseLost(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		c := newClock()
		l, err := ledger.Acquire(ctx, st, testStream, us, ttl, c.now)
		if err != nil {
			t.Fatal(err)
		}
		c.advance(ttl) // we stalled past expiry; another run takes over
		theirs, err := ledger.Acquire(ctx, st, testStream, them, ttl, c.now)
		if err != nil {
			t.Fatalf("takeover of an expired lease: %v", err)
		}
		if err := l.Renew(ctx); !errors.Is(err, ledger.ErrLost) || err.Error() != "renew lease on demo/acme/posts: stream lease lost to another run" {
			t.Fatalf("Renew after takeover: %v, want ErrLost", err)
		}
		if err := l.Release(ctx); !errors.Is(err, ledger.ErrLost) {
			t.Fatalf("Release after takeover: %v, want ErrLost", err)
		}
		li, _, err := ledger.ReadLease(ctx, st, testStream)
		if err != nil || li == nil || li.Holder != them {
			t.Fatalf("lease after our failed Release = %+v, %v; want theirs kept", li, err)
		}
		if err := theirs.Renew(ctx); err != nil {
			t.Fatalf("the new holder's Renew: %v", err)
		}
	})
}

func TestForceUnlock(t *testing.T) {
	t0 := newClock().now()
	tests := []struct {
		name  string
		setup func(t *testing.T, st store.Store)
		want  *ledger.LeaseInfo
	}{
		{"no lease", func(*testing.T, store.Store) {}, nil},
		{"live lease", func(t *testing.T, st store.Store) { leaseOf(t, st, them, t0) },
			&ledger.LeaseInfo{Version: 1, Stream: "demo/acme/posts", Holder: them, AcquiredAt: t0, RenewedAt: t0, ExpiresAt: t0.Add(ttl)}},
		{"unreadable lease", func(t *testing.T, st store.Store) { put(t, st, testStream.LeaseKey(), []byte("garbage")) },
			&ledger.LeaseInfo{Stream: "demo/acme/posts"}},
	}
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st := newStore(t)
				tt.setup(t, st)
				got, err := ledger.ForceUnlock(t.Context(), st, testStream)
				if err != nil {
					t.Fatalf("ForceUnlock: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("ForceUnlock = %+v, want %+v", got, tt.want)
				}
				if k := keys(t, st); len(k) != 0 {
					t.Fatalf("keys after ForceUnlock = %v, want none", k)
				}
			})
		}
	})
}

func TestKeepAlive(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		c := newClock()
		l, err := ledger.Acquire(ctx, st, testStream, us, ttl, c.now)
		if err != nil {
			t.Fatal(err)
		}
		c.advance(time.Minute)
		lost := l.KeepAlive(ctx, time.Millisecond)
		// Renewals carry the clock's time into the stored lease.
		for {
			li, _, err := ledger.ReadLease(ctx, st, testStream)
			if err != nil {
				t.Fatal(err)
			}
			if li.RenewedAt.Equal(c.now()) {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := ledger.ForceUnlock(ctx, st, testStream); err != nil {
			t.Fatal(err)
		}
		err = <-lost
		if !errors.Is(err, ledger.ErrLost) {
			t.Fatalf("KeepAlive reported %v, want ErrLost", err)
		}
		if _, open := <-lost; open {
			t.Fatal("KeepAlive channel still open after reporting the loss")
		}
	})
}

func TestKeepAliveStopsWithContext(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Acquire(t.Context(), st, testStream, us, ttl, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	lost := l.KeepAlive(ctx, time.Millisecond)
	cancel()
	if err, open := <-lost; open {
		t.Fatalf("KeepAlive sent %v after its context ended, want the channel closed", err)
	}
	if err := l.Release(t.Context()); err != nil {
		t.Fatalf("Release after KeepAlive stopped: %v", err)
	}
}

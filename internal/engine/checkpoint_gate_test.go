package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
)

func TestCheckpointerCutsAndHolds(t *testing.T) {
	c := newCheckpointer(16, layout.Stream{}, ledger.Window{})
	if c.interval() != 14 {
		t.Fatalf("interval %d, want 14 (16 less an eighth)", c.interval())
	}
	var cuts []int
	for n := 1; n <= 45; n++ {
		if c.cutAt(n) {
			cuts = append(cuts, n)
		}
	}
	if len(cuts) != 3 || cuts[0] != 14 || cuts[1] != 28 || cuts[2] != 42 {
		t.Fatalf("cuts at %v, want [14 28 42]", cuts)
	}
	// Nothing saved: pages up to 16 may be requested, page 17 may not.
	if c.hold(15) || !c.hold(16) {
		t.Fatalf("hold(15) = %v, hold(16) = %v; want false, true", c.hold(15), c.hold(16))
	}
	c.advance(14)
	if c.hold(29) || !c.hold(30) {
		t.Fatalf("after the checkpoint of page 14: hold(29) = %v, hold(30) = %v; want false, true", c.hold(29), c.hold(30))
	}
	c.off.Store(true)
	if c.hold(1000) {
		t.Fatal("hold with checkpoints off")
	}

	// Below 8 pages there is no read-ahead: a checkpoint every N pages, and the fetch
	// stops at each.
	small := newCheckpointer(2, layout.Stream{}, ledger.Window{})
	if small.interval() != 2 || !small.cutAt(2) || small.cutAt(3) || small.hold(1) || !small.hold(2) {
		t.Fatalf("every 2: interval %d, cutAt(2) %v, cutAt(3) %v, hold(1) %v, hold(2) %v",
			small.interval(), small.cutAt(2), small.cutAt(3), small.hold(1), small.hold(2))
	}
	// A resumed window counts from the checkpoint's pages.
	resumed := newCheckpointer(2, layout.Stream{}, ledger.Window{})
	resumed.saved.Store(6)
	if resumed.hold(7) || !resumed.hold(8) {
		t.Fatalf("resumed at 6: hold(7) = %v, hold(8) = %v; want false, true", resumed.hold(7), resumed.hold(8))
	}
	// Without checkpoints nothing is cut and nothing waits.
	if none := newCheckpointer(0, layout.Stream{}, ledger.Window{}); none.cutAt(5) || none.hold(5) {
		t.Fatal("a checkpointer with every 0 cuts or holds")
	}
}

func TestCheckpointerWaitReleasesOnSave(t *testing.T) {
	c := newCheckpointer(8, layout.Stream{}, ledger.Window{})
	done := make(chan error, 1)
	go func() { done <- c.wait(t.Context(), 8) }()
	select {
	case err := <-done:
		t.Fatalf("wait for page 9 returned before a checkpoint (err %v)", err)
	case <-time.After(20 * time.Millisecond):
	}
	c.advance(7)
	if err := <-done; err != nil {
		t.Fatalf("wait after the checkpoint of page 7: %v", err)
	}

	// A window whose checkpoints turn off releases the wait too.
	go func() { done <- c.wait(t.Context(), 15) }()
	time.Sleep(10 * time.Millisecond)
	c.off.Store(true)
	c.signal()
	if err := <-done; err != nil {
		t.Fatalf("wait after checkpoints turned off: %v", err)
	}

	// Cancelling ends the wait with the cause.
	ctx, cancel := context.WithCancelCause(t.Context())
	waiting := newCheckpointer(8, layout.Stream{}, ledger.Window{})
	go func() { done <- waiting.wait(ctx, 8) }()
	stop := errors.New("stopped")
	cancel(stop)
	if err := <-done; !errors.Is(err, stop) {
		t.Fatalf("wait after cancel: %v, want %v", err, stop)
	}
}

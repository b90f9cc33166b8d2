package httpapi

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Clock is the time source of the request pipeline: the rate limiter, retry waits,
// per-attempt timeouts, token expiry and response timing all read it, so tests can run
// hours of API time without sleeping.
type Clock interface {
	// Now returns the current time (UTC).
	Now() time.Time
	// Sleep blocks for d or until ctx is done; then it returns context.Cause(ctx).
	// A non-positive d returns at once (still reporting a done ctx).
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f in its own goroutine once d has passed. stop cancels the call and
	// reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemClock returns the real clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctxErr(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

func ctxErr(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// FakeClock is a deterministic Clock for tests. Time moves only when someone sleeps or
// calls Advance: Sleep(d) moves the clock forward by d at once (firing any AfterFunc that
// comes due) and records d, so a test can assert exactly how long the code waited.
// It is safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

// NewFakeClock returns a fake clock reading start (converted to UTC).
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start.UTC()} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d without blocking and records d. It returns the context's
// cause if ctx is already done (then the clock does not move).
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	c.Advance(d)
	return nil
}

// AfterFunc schedules f to run when the fake time reaches now+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	c.Advance(0) // fires at once when d <= 0
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves the clock forward by d and runs the AfterFunc callbacks that come due,
// each in its own goroutine, as the system clock does.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	kept := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t.f)
		default:
			kept = append(kept, t)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
}

// Sleeps returns every positive duration passed to Sleep, in order.
func (c *FakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept returns the sum of Sleeps.
func (c *FakeClock) Slept() time.Duration {
	var sum time.Duration
	for _, d := range c.Sleeps() {
		sum += d
	}
	return sum
}

// errAttemptTimeout is the cancellation cause of an attempt that ran out of time.
var errAttemptTimeout = errors.New("attempt timed out")

// withTimeout returns a child of ctx that the clock cancels after d with cause
// errAttemptTimeout. d <= 0 means no timeout.
func withTimeout(ctx context.Context, clock Clock, d time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	if d <= 0 {
		return ctx, func() { cancel(context.Canceled) }
	}
	stop := clock.AfterFunc(d, func() { cancel(errAttemptTimeout) })
	return ctx, func() { stop(); cancel(context.Canceled) }
}

package httpapi

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestFakeClock(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	clk := NewFakeClock(pipeStart.In(la))
	if clk.Now() != pipeStart || clk.Now().Location() != time.UTC {
		t.Fatalf("Now = %v, want %v in UTC", clk.Now(), pipeStart)
	}
	fired := make(chan string, 3)
	clk.AfterFunc(2*time.Second, func() { fired <- "2s" })
	stop := clk.AfterFunc(3*time.Second, func() { fired <- "3s" })
	clk.AfterFunc(0, func() { fired <- "now" })
	if got := <-fired; got != "now" {
		t.Fatalf("first timer = %s, want now", got)
	}
	if err := clk.Sleep(context.Background(), 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := <-fired; got != "2s" {
		t.Fatalf("timer = %s, want 2s", got)
	}
	if !stop() || stop() {
		t.Fatal("stop should report true once, before the timer fired")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clk.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a done context = %v, want context.Canceled", err)
	}
	clk.Advance(time.Hour)
	_ = clk.Sleep(context.Background(), 0)
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{2 * time.Second}) || clk.Slept() != 2*time.Second {
		t.Fatalf("sleeps = %v", got)
	}
	if got := clk.Now().Sub(pipeStart); got != time.Hour+2*time.Second {
		t.Fatalf("clock moved %v, want 1h0m2s", got)
	}
	select {
	case got := <-fired:
		t.Fatalf("stopped timer fired: %s", got)
	default:
	}
}

func TestWithTimeout(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	ctx, cancel := withTimeout(context.Background(), clk, 30*time.Second)
	defer cancel()
	clk.Advance(29 * time.Second)
	if ctx.Err() != nil {
		t.Fatal("cancelled before the timeout")
	}
	clk.Advance(time.Second)
	<-ctx.Done()
	if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
		t.Fatalf("cause = %v, want errAttemptTimeout", context.Cause(ctx))
	}
}

func TestSystemClockSleepCanceled(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	boom := errors.New("shutting down")
	cancel(boom)
	if err := SystemClock().Sleep(ctx, time.Hour); !errors.Is(err, boom) {
		t.Fatalf("Sleep = %v, want the cancel cause", err)
	}
	if now := SystemClock().Now(); now.Location() != time.UTC {
		t.Fatalf("Now in %v, want UTC", now.Location())
	}
}

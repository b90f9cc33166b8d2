package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// KeepAlive renews the lease every interval (a third of the ttl is a good choice) in a
// goroutine until ctx ends. The returned channel receives at most one error, then is
// closed when the goroutine exits: an error wrapping ErrLost when the lease was taken
// over, or when renewals kept failing (store unreachable) until the lease expired. A
// renewal that fails for any other reason is retried at the next tick while time is left.
// The engine cancels its extraction on receiving from the channel, and cancels ctx
// before Release.
func (l *Lease) KeepAlive(ctx context.Context, every time.Duration) <-chan error {
	out := make(chan error, 1)
	go func() {
		defer close(out)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			err := l.Renew(ctx)
			switch {
			case err == nil || ctx.Err() != nil:
				continue
			case errors.Is(err, ErrLost):
				out <- err
				return
			case !l.now().Before(l.Info().ExpiresAt):
				out <- fmt.Errorf("%w: renewals failed until it expired: %w", ErrLost, err)
				return
			}
		}
	}()
	return out
}

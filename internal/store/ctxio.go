package store

import (
	"context"
	"io"
)

// ctxReader stops a copy as soon as its context is done, so a Create fed by an endless or
// slow reader returns promptly after cancellation instead of draining the reader. It holds
// a context only for the duration of one call, which is the one exception STYLE allows.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

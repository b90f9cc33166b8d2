package snapshot

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
)

// bucketRows is the output of one bucket: its diff rows in order and the samples of its
// first changes.
type bucketRows struct {
	rows    []record.Row
	samples []Sample
	err     error
}

// write builds the diff rows of every bucket in parallel and writes them to out in
// bucket order, holding at most a few buckets' rows at a time. A nil out writes nothing.
func (d *differ) write(ctx context.Context, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	fw, err := format.NewParquet(out, DiffSchema(d.cur.data), d.opt.Parquet)
	if err != nil {
		return fmt.Errorf("diff file: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		b   int
		out chan bucketRows
	}
	jobs := make(chan job)
	order := make(chan chan bucketRows, 2*d.opt.Workers)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		defer close(order)
		for b := range d.opt.Buckets {
			j := job{b: b, out: make(chan bucketRows, 1)}
			select {
			case order <- j.out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	})
	for range d.opt.Workers {
		wg.Go(func() {
			rb := newRowBuilder(d.prev.data, d.cur.data)
			for j := range jobs {
				j.out <- d.bucketRows(rb, j.b)
			}
		})
	}
	err = d.drain(ctx, order, fw)
	cancel()
	wg.Wait()
	if err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("diff file: %w", err)
	}
	return nil
}

// drain writes the buckets' rows in order.
func (d *differ) drain(ctx context.Context, order chan chan bucketRows, fw format.Writer) error {
	for ch := range order {
		var r bucketRows
		select {
		case r = <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		for _, row := range r.rows {
			if err := fw.Write(row); err != nil {
				return fmt.Errorf("diff file: %w", err)
			}
		}
		if room := d.opt.Sample - len(d.sum.Sample); room > 0 {
			d.sum.Sample = append(d.sum.Sample, r.samples[:min(room, len(r.samples))]...)
		}
	}
	return ctx.Err()
}

// bucketRows builds the diff rows of bucket b.
func (d *differ) bucketRows(rb *rowBuilder, b int) bucketRows {
	block, err := d.changes.read(b, nil)
	if err != nil {
		return bucketRows{err: err}
	}
	d.changes.drop(b)
	changes := decodeChanges(nil, block)
	if len(changes) == 0 {
		return bucketRows{}
	}
	prev, err := d.bucketFetched(d.prev, b)
	if err != nil {
		return bucketRows{err: err}
	}
	cur, err := d.bucketFetched(d.cur, b)
	if err != nil {
		return bucketRows{err: err}
	}
	out := bucketRows{rows: make([]record.Row, 0, len(changes))}
	for i := range changes {
		c := &changes[i]
		p, q := prev[c.prevOrd], cur[c.curOrd]
		if (c.prevOrd >= 0) != (p != nil) || (c.curOrd >= 0) != (q != nil) {
			return bucketRows{err: fmt.Errorf("diff: bucket %d: row of a changed key was not fetched", b)}
		}
		row, fields := rb.build(c, p, q)
		out.rows = append(out.rows, row)
		if len(out.samples) < d.opt.Sample {
			sm := Sample{Change: c.kind, Key: row[1].S}
			for _, f := range fields {
				sm.Paths = append(sm.Paths, f.Path)
			}
			out.samples = append(out.samples, sm)
		}
	}
	return out
}

// bucketFetched decodes the fetched rows of side s in bucket b, by ordinal.
func (d *differ) bucketFetched(s *side, b int) (map[int64]*fetched, error) {
	block, err := s.store.read(b, nil)
	if err != nil {
		return nil, err
	}
	s.store.drop(b)
	rows := map[int64]*fetched{}
	dec := rowDecoder{b: block}
	for len(dec.b) > 0 {
		f, err := dec.next()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", s.name, err)
		}
		rows[f.ord] = &f
	}
	return rows, nil
}

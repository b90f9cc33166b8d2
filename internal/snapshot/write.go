package snapshot

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/record"
)

// bucketRows is the output of one bucket: its diff rows in order and the samples of its
// first changes.
type bucketRows struct {
	rows    []record.Row
	samples []Sample
	blocks  [][]record.Value // the value blocks of rows, for the pool once written
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
	pool := &slabPool{}
	for range d.opt.Workers {
		wg.Go(func() {
			rb := newRowBuilder(d.prev.data, d.cur.data)
			rb.vals.pool = pool
			var bufs bucketBufs
			for j := range jobs {
				j.out <- d.bucketRows(rb, &bufs, j.b)
			}
		})
	}
	err = d.drain(ctx, order, fw, pool)
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

// drain writes the buckets' rows in order, handing their value blocks back to pool
// (the writer copies what it keeps).
func (d *differ) drain(ctx context.Context, order chan chan bucketRows, fw format.Writer, pool *slabPool) error {
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
		pool.put(r.blocks)
		if room := d.opt.Sample - len(d.sum.Sample); room > 0 {
			d.sum.Sample = append(d.sum.Sample, r.samples[:min(room, len(r.samples))]...)
		}
	}
	return ctx.Err()
}

// bucketRows builds the diff rows of bucket b.
func (d *differ) bucketRows(rb *rowBuilder, bufs *bucketBufs, b int) bucketRows {
	out := d.buildBucket(rb, bufs, b)
	out.blocks = rb.vals.release()
	return out
}

// bucketBufs are one worker's buffers for the buckets it builds, reused across them.
type bucketBufs struct {
	block     []byte
	changes   []change
	prev, cur fetchedRows
}

// buildBucket builds the diff rows of bucket b, taking their values from rb.vals.
func (d *differ) buildBucket(rb *rowBuilder, bufs *bucketBufs, b int) bucketRows {
	var err error
	if bufs.block, err = d.changes.read(b, bufs.block); err != nil {
		return bucketRows{err: err}
	}
	d.changes.drop(b)
	bufs.changes = decodeChanges(bufs.changes, bufs.block)
	changes := bufs.changes
	if len(changes) == 0 {
		return bucketRows{}
	}
	// With the same fields on both sides, prev's values are decoded only when needed.
	prev, cur := &bufs.prev, &bufs.cur
	if err := d.bucketFetched(prev, d.prev, b, rb.pair.same, &rb.vals); err != nil {
		return bucketRows{err: err}
	}
	if err := d.bucketFetched(cur, d.cur, b, false, &rb.vals); err != nil {
		return bucketRows{err: err}
	}
	out := bucketRows{rows: make([]record.Row, 0, len(changes))}
	for i := range changes {
		c := &changes[i]
		p, q := prev.get(c.prevOrd), cur.get(c.curOrd)
		if (c.prevOrd >= 0) != (p != nil) || (c.curOrd >= 0) != (q != nil) {
			return bucketRows{err: fmt.Errorf("diff: bucket %d: row of a changed key was not fetched", b)}
		}
		row, fields, err := rb.build(c, p, q)
		if err != nil {
			return bucketRows{err: fmt.Errorf("diff: bucket %d: %w", b, err)}
		}
		out.rows = append(out.rows, row)
		if len(out.samples) < d.opt.Sample {
			sm := Sample{Change: c.kind, Key: strings.Clone(row[1].S)}
			for _, f := range fields {
				sm.Paths = append(sm.Paths, f.Path)
			}
			out.samples = append(out.samples, sm)
		}
	}
	return out
}

// fetchedRows are the fetched rows of one side of a bucket, by ordinal.
type fetchedRows struct {
	rows  []fetched
	byOrd map[int64]int
}

// get returns the row of ordinal ord, or nil.
func (f *fetchedRows) get(ord int64) *fetched {
	if i, ok := f.byOrd[ord]; ok {
		return &f.rows[i]
	}
	return nil
}

// bucketFetched decodes the fetched rows of side s in bucket b into out (reusing its
// buffers), taking their values from vals, or with lazy only delimits their values (see
// decodeRow). Their strings alias the bucket's block.
func (d *differ) bucketFetched(out *fetchedRows, s *side, b int, lazy bool, vals *valueSlab) error {
	block, err := s.store.read(b, nil)
	if err != nil {
		return err
	}
	s.store.drop(b)
	out.rows = out.rows[:0]
	if out.byOrd == nil {
		out.byOrd = map[int64]int{}
	}
	clear(out.byOrd)
	dec := rowDecoder{b: block, vals: vals}
	for len(dec.b) > 0 {
		f, err := dec.next(lazy)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", s.name, err)
		}
		out.byOrd[f.ord] = len(out.rows)
		out.rows = append(out.rows, f)
	}
	return nil
}

package engine

import (
	"context"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/record"
)

// prepared is one record after the first stage: its row (system columns included),
// identity and partition day, or the reason it was rejected.
type prepared struct {
	row  record.Row
	key  [16]byte
	sum  [16]byte
	day  time.Time
	raw  string // the record's JSON, kept for expanding children
	err  error
	slab *slab
}

// release tells the record's slab that its row is no longer needed.
func (r *prepared) release() { r.slab.release() }

// slab holds the rows of one page in one allocation. It goes back to its pool when every
// row has been encoded or dropped, so steady-state extraction allocates almost nothing
// and the garbage collector has little to scan. (Encoders keep no reference to a row's
// values after Write: see format.Writer.)
type slab struct {
	vals record.Row
	refs atomic.Int64
	pool *sync.Pool
}

func (s *slab) release() {
	if s != nil && s.refs.Add(-1) == 0 {
		s.pool.Put(s)
	}
}

// preparer turns raw records into prepared ones. Extractors and hashers are not safe for
// concurrent use, so each worker owns a preparer.
type preparer struct {
	x      *extraction
	exts   map[*shape]*record.Extractor
	h      record.Hasher
	texts  []byte // reused: the page's _key and _hash texts, before they become a string
	starts []int  // reused: where each record's texts start in texts, and where they end
}

func newPreparer(x *extraction) *preparer {
	return &preparer{x: x, exts: map[*shape]*record.Extractor{}}
}

// prepare extracts, dates and hashes raws. A child record takes its parent's day and
// parent columns.
func (p *preparer) prepare(sh *shape, raws []string, day time.Time, parentRaw string) []prepared {
	ext := p.exts[sh]
	if ext == nil {
		ext = sh.extractor()
		p.exts[sh] = ext
	}
	rule := p.x.rules[sh.name]
	width := len(sh.out.Fields)
	n := width - 2 // without _key and _hash
	sl := sh.slab(len(raws) * width)
	out := make([]prepared, len(raws))
	keepRaw := len(p.x.plans[sh.name].children) > 0
	// The _key and _hash texts of the page are written into one buffer, made into one
	// string at the end, rather than allocated record by record.
	texts, starts := p.texts[:0], p.starts[:0]
	for i, raw := range raws {
		starts = append(starts, len(texts)) // a record that fails adds no text
		r := &out[i]
		r.slab = sl
		row, err := ext.Extract(raw, sl.vals[i*width:i*width:(i+1)*width])
		if err != nil {
			r.err = err
			continue
		}
		for _, pc := range sh.parents {
			row = append(row, parentValue(parentRaw, pc.path))
		}
		r.day = day
		if parentRaw == "" {
			if rule == nil {
				r.day = p.x.job.days[0]
			} else if r.day, err = rule.day(raw, row, sh.dateCol); err != nil {
				r.err = err
				continue
			}
		}
		r.key, r.sum, texts = p.h.Identify(texts, sh.data, row[:n], sh.pk)
		texts = hex.AppendEncode(texts, r.sum[:]) // the _hash text: the last hashText bytes
		r.row = append(row, record.Value{Kind: record.String}, record.Value{Kind: record.String})
		if keepRaw {
			r.raw = raw
		}
	}
	starts = append(starts, len(texts))
	all := string(texts)
	for i := range out {
		if r := &out[i]; r.err == nil {
			end := starts[i+1]
			r.row[n].S, r.row[n+1].S = all[starts[i]:end-hashText], all[end-hashText:end]
		}
	}
	p.texts, p.starts = texts, starts
	return out
}

// hashText is the length of a _hash text: a 16-byte content hash in hex.
const hashText = 2 * 16

// pipeline walks the top-level stream's request chain. Pages are fetched ahead (see
// httpapi.Pages), prepared by one worker per CPU in parallel, and accepted strictly in
// page order, so de-duplication keeps the first occurrence exactly as a sequential walk.
func (x *extraction) pipeline(ctx context.Context, sp *streamPlan) error {
	first, popt, err := x.chain(sp, "")
	if err != nil {
		return fmt.Errorf("stream %s: %w", sp.name, err)
	}
	sh := x.shapes[sp.name]
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type pending struct {
		page *httpapi.Page
		done chan []prepared
		cut  bool // a checkpoint follows this page
	}
	workers := runtime.GOMAXPROCS(0)
	work := make(chan pending, workers)
	order := make(chan pending, 2*workers)
	var fetchErr error // written before order is closed
	go func() {
		defer close(order)
		defer close(work)
		for page, err := range httpapi.PagesFrom(ctx, x.job.task.Client, first, sp.st, popt) {
			if err == nil {
				err = sh.build(page.Records)
			}
			if err != nil {
				fetchErr = fmt.Errorf("stream %s: %w", sp.name, err)
				return
			}
			p := pending{page: page, done: make(chan []prepared, 1), cut: x.ckpt.cutAt(page.Number) && page.Next != nil}
			select {
			case order <- p:
			case <-ctx.Done():
				return
			}
			select {
			case work <- p:
			case <-ctx.Done():
				return
			}
			// The next page waits here when it would be too far past the last saved
			// checkpoint (PagesFrom asked hold before reading ahead).
			if page.Next != nil && x.ckpt.wait(ctx, page.Number) != nil {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prep := newPreparer(x)
			for p := range work {
				p.done <- prep.prepare(sh, p.page.Records, time.Time{}, "")
			}
		}()
	}
	defer wg.Wait()

	for p := range order {
		var recs []prepared
		select {
		case recs = <-p.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		x.window.Pages++
		x.ckpt.last = p.page.Number
		_, err := x.accept(ctx, sp, recs)
		if err == nil && p.cut {
			err = x.checkpoint(ctx, p.page.Next, p.page.Number)
		}
		if err != nil {
			cancel()
			drain(order)
			return err
		}
	}
	return fetchErr
}

func drain[T any](ch <-chan T) {
	for range ch {
	}
}

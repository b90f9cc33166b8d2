package snapshot

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"sync"

	"github.com/sluice-dev/sluice/internal/format"
)

// SideSummary describes one input of a diff.
type SideSummary struct {
	// Rows is the number of rows in the file.
	Rows int64 `json:"rows"`
	// Duplicates is the number of rows ignored because an earlier row of the same file
	// had the same key (the first occurrence in file order wins).
	Duplicates int64 `json:"duplicates"`
	// ContentHash is the order-independent digest (record.SetHash) of the content
	// hashes of the rows that were compared, one per key.
	ContentHash string `json:"content_hash"`
}

// Sample is one change listed in a Summary.
type Sample struct {
	Change Change   `json:"change"`
	Key    string   `json:"key"`
	Paths  []string `json:"paths,omitempty"`
}

// Summary counts what a diff found.
type Summary struct {
	Prev      SideSummary `json:"prev"`
	Cur       SideSummary `json:"cur"`
	Added     int64       `json:"added"`
	Modified  int64       `json:"modified"`
	Deleted   int64       `json:"deleted"`
	Unchanged int64       `json:"unchanged"`
	// Sample lists the first Options.Sample changes in output order.
	Sample []Sample `json:"sample,omitempty"`
	// Spilled reports whether buckets or rows went to temporary files.
	Spilled bool `json:"spilled"`
}

// Diff compares the snapshot files prev and cur by key and writes one row per added,
// modified or deleted key to out as a Parquet diff file (see DiffSchema). Rows are
// ordered by the xxh3-128 hash of the key, so the same inputs always give the same
// bytes, whatever the options. Within one file, a repeated key keeps its first row in
// file order; the others are counted as duplicates. Either file may be empty. A file
// without _key or _hash is an error naming it. Diff reads only _key and _hash until it
// knows which keys changed, then the full rows of those keys alone.
func Diff(ctx context.Context, prev, cur File, out io.Writer, opt Options) (Summary, error) {
	p, err := openSide(prev)
	if err != nil {
		return Summary{}, err
	}
	c, err := openSide(cur)
	if err != nil {
		return Summary{}, err
	}
	if err := checkDataSchema(c.data); err != nil {
		return Summary{}, fmt.Errorf("snapshot %s: %w", c.name, err)
	}
	opt = opt.withDefaults(p.rows + c.rows)
	dir, err := os.MkdirTemp(opt.TempDir, "sluice-diff-*")
	if err != nil {
		return Summary{}, fmt.Errorf("diff: %w", err)
	}
	defer os.RemoveAll(dir)
	d := &differ{opt: opt, dir: dir, prev: p, cur: c, shift: uint(64 - bits.Len(uint(opt.Buckets-1)))}
	defer d.close()
	return d.run(ctx, out)
}

// differ holds the state of one Diff call.
type differ struct {
	opt       Options
	dir       string
	prev, cur *side
	shift     uint
	changes   *partStore
	mu        sync.Mutex
	sum       Summary
	spilled   bool
}

func (d *differ) close() {
	for _, s := range []*partStore{d.prev.store, d.cur.store, d.changes} {
		if s != nil {
			s.close()
		}
	}
}

func (d *differ) run(ctx context.Context, out io.Writer) (Summary, error) {
	if err := d.scan(ctx); err != nil {
		return Summary{}, err
	}
	if err := d.compare(ctx); err != nil {
		return Summary{}, err
	}
	if err := d.fetch(ctx); err != nil {
		return Summary{}, err
	}
	if err := d.write(ctx, out); err != nil {
		return Summary{}, err
	}
	d.sum.Prev.Rows, d.sum.Cur.Rows = d.prev.rows, d.cur.rows
	d.sum.Prev.Duplicates, d.sum.Cur.Duplicates = d.prev.dups.Load(), d.cur.dups.Load()
	d.sum.Prev.ContentHash, d.sum.Cur.ContentHash = d.prev.hash.String(), d.cur.hash.String()
	d.sum.Spilled = d.spilled
	return d.sum, nil
}

// blockSize returns the size of the per-worker bucket blocks: small enough that every
// worker's pending blocks of every bucket stay within an eighth of the budget.
func (d *differ) blockSize() int {
	n := d.opt.MemoryBudget / int64(8*2*d.opt.Workers*d.opt.Buckets)
	return int(min(max(n, 512), 64<<10))
}

// rowGroupJobs lists every row group of both sides.
func (d *differ) rowGroupJobs() []rgJob {
	var jobs []rgJob
	for _, s := range []*side{d.prev, d.cur} {
		for g := range s.rgFirst {
			jobs = append(jobs, rgJob{s: s, g: g})
		}
	}
	return jobs
}

type rgJob struct {
	s *side
	g int
}

// scan reads the keys and hashes of both files into bucketed entries.
func (d *differ) scan(ctx context.Context) error {
	d.newStores("entries")
	scanners := make([]*scanner, d.opt.Workers)
	outs := make([]map[*side]*bucketBuffers, d.opt.Workers)
	for i := range scanners {
		outs[i] = d.newBuffers()
		scanners[i] = &scanner{shift: d.shift, hex: newHexTable(), out: outs[i]}
	}
	return d.overRowGroups(ctx, outs, func(w int, j rgJob) error { return scanners[w].scanRowGroup(j.s, j.g) })
}

// newStores gives each side a new store of bucket blocks, with half the budget each.
func (d *differ) newStores(name string) {
	for _, s := range []*side{d.prev, d.cur} {
		s.store = newPartStore(name, d.dir, d.opt.Buckets, d.opt.MemoryBudget/2)
	}
}

// newBuffers returns one worker's pending bucket blocks for both sides' stores.
func (d *differ) newBuffers() map[*side]*bucketBuffers {
	return map[*side]*bucketBuffers{
		d.prev: newBucketBuffers(d.prev.store, d.opt.Buckets, d.blockSize()),
		d.cur:  newBucketBuffers(d.cur.store, d.opt.Buckets, d.blockSize()),
	}
}

// overRowGroups runs fn(worker, job) on every row group of both files in parallel, then
// hands the workers' pending bucket blocks (outs, one map per worker) to the stores.
func (d *differ) overRowGroups(ctx context.Context, outs []map[*side]*bucketBuffers, fn func(w int, j rgJob) error) error {
	jobs := d.rowGroupJobs()
	err := parallel(ctx, d.opt.Workers, len(jobs), func(w, i int) error {
		j := jobs[i]
		if err := fn(w, j); err != nil {
			return fmt.Errorf("snapshot %s: row group %d: %w", j.s.name, j.g, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, out := range outs {
		for _, b := range out {
			if err := b.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// compare classifies the keys of every bucket, storing each bucket's changes.
func (d *differ) compare(ctx context.Context) error {
	d.changes = newPartStore("changes", d.dir, d.opt.Buckets, d.opt.MemoryBudget/4)
	comparers := make([]*comparer, d.opt.Workers)
	bufs := make([][2][]byte, d.opt.Workers)
	for i := range comparers {
		comparers[i] = &comparer{}
	}
	err := parallel(ctx, d.opt.Workers, d.opt.Buckets, func(w, b int) error {
		cm := comparers[w]
		var err error
		if bufs[w][0], err = d.prev.store.read(b, bufs[w][0]); err != nil {
			return err
		}
		if bufs[w][1], err = d.cur.store.read(b, bufs[w][1]); err != nil {
			return err
		}
		d.prev.store.drop(b)
		d.cur.store.drop(b)
		cm.prev = entriesOf(bufs[w][0])
		cm.cur = entriesOf(bufs[w][1])
		r := cm.compare()
		block := make([]byte, 0, len(r.changes)*changeSize)
		for i := range r.changes {
			ch := &r.changes[i]
			block = appendChange(block, ch)
			if ch.prevOrd >= 0 {
				d.prev.needed.add(ch.prevOrd)
			}
			if ch.curOrd >= 0 {
				d.cur.needed.add(ch.curOrd)
			}
		}
		if err := d.changes.add(b, block); err != nil {
			return err
		}
		d.merge(r)
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range []*side{d.prev, d.cur} {
		d.spilled = d.spilled || s.store.spilled() > 0
		if err := s.store.close(); err != nil {
			return fmt.Errorf("diff: %w", err)
		}
	}
	// The entries, most of the memory so far, are garbage now; collecting them before
	// the fetch allocates keeps the peak near the budget instead of twice it.
	runtime.GC()
	return nil
}

func (d *differ) merge(r *bucketResult) {
	d.prev.dups.Add(r.prevDups)
	d.cur.dups.Add(r.curDups)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.prev.hash.Merge(r.prevHash)
	d.cur.hash.Merge(r.curHash)
	d.prev.kept += r.prevKept
	d.cur.kept += r.curKept
	d.sum.Added += r.added
	d.sum.Modified += r.modified
	d.sum.Deleted += r.deleted
	d.sum.Unchanged += r.unchanged
}

// fetch reads the full rows of the changed keys into buckets.
func (d *differ) fetch(ctx context.Context) error {
	d.newStores("rows")
	fetchers := make([]*fetcher, d.opt.Workers)
	outs := make([]map[*side]*bucketBuffers, d.opt.Workers)
	for i := range fetchers {
		outs[i] = d.newBuffers()
		fetchers[i] = &fetcher{shift: d.shift, asm: newAssembler(), out: outs[i],
			decs: map[*side][]*format.Column{
				d.prev: format.LeafColumns(d.prev.cols),
				d.cur:  format.LeafColumns(d.cur.cols),
			},
		}
	}
	return d.overRowGroups(ctx, outs, func(w int, j rgJob) error { return fetchers[w].fetchRowGroup(j.s, j.g) })
}

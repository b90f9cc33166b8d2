package format

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// columnJob hands batches of shredded values to the column writers (or, with no
// shredder, flushes their open pages), spread over worker goroutines that take the
// columns in turn, most expensive first. Column writers are independent of one
// another; a column is only ever written by one goroutine at a time, since a job ends
// before the next one starts. A job carries several batches so that handing work to
// the workers costs little against the work itself, while each batch is still written
// with its own call, so pages are cut where a sequential writer cuts them.
type columnJob struct {
	cols  []*parquet.ColumnWriter
	sh    *shredder // nil: flush
	order []int
	next  atomic.Int64
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
}

// runColumns writes the batches of sh (or flushes, when sh is nil) to cols in the given
// column order. With one worker it runs in the caller's goroutine and has finished on
// return; otherwise it runs in the background until wait.
func runColumns(cols []*parquet.ColumnWriter, sh *shredder, order []int, workers int) *columnJob {
	j := &columnJob{cols: cols, sh: sh, order: order}
	if workers <= 1 {
		j.wg.Add(1)
		j.run()
		return j
	}
	n := min(workers, len(order))
	j.wg.Add(n)
	for range n {
		go j.run()
	}
	return j
}

func (j *columnJob) run() {
	defer j.wg.Done()
	for {
		k := int(j.next.Add(1)) - 1
		if k >= len(j.order) {
			return
		}
		i := j.order[k]
		if err := j.column(i); err != nil {
			j.mu.Lock()
			if j.err == nil {
				j.err = fmt.Errorf("parquet: write column %d: %w", i, err)
			}
			j.mu.Unlock()
		}
	}
}

// column writes (or flushes) column i.
func (j *columnJob) column(i int) error {
	if j.sh == nil {
		return j.cols[i].Flush()
	}
	start := 0
	for _, end := range j.sh.ends[i] {
		if _, err := j.cols[i].WriteRowValues(j.sh.values[i][start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// wait blocks until the job is done and returns its first error.
func (j *columnJob) wait() error {
	j.wg.Wait()
	return j.err
}

// columnOrder returns the column indexes by decreasing cost of the batch in values
// (value bytes, plus a word per value), so that parallel workers take the longest
// columns first and finish together.
func columnOrder(values [][]parquet.Value) []int {
	cost := make([]int, len(values))
	order := make([]int, len(values))
	for i, vs := range values {
		order[i] = i
		for _, v := range vs {
			cost[i] += 8
			if v.Kind() == parquet.ByteArray {
				cost[i] += len(v.ByteArray())
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	return order
}

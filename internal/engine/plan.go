package engine

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/spec"
)

// streamPlan is one stream to extract and the child streams expanded from its records.
type streamPlan struct {
	name     string
	st       *spec.Stream
	children []*streamPlan
}

// job is one request window of one top-level stream of one account: the unit of
// concurrency. Its records land in the partitions of days.
type job struct {
	task   *Task
	stream *streamPlan
	window *httpapi.Window // nil: the API takes no dates
	days   []time.Time
	resume *ledger.Checkpoint // the checkpoint to continue from, nil to start afresh
	etag   string             // the resumed checkpoint's ETag
}

func (j *job) partitions() int {
	var count func(sp *streamPlan) int
	count = func(sp *streamPlan) int {
		n := 1
		for _, c := range sp.children {
			n += count(c)
		}
		return n
	}
	return count(j.stream) * len(j.days)
}

// planJobs splits every task's streams over r into request windows. A snapshot stream
// gets one job whatever the range: a capture on the capture day.
func planJobs(tasks []Task, r Range, capture time.Time) ([]*job, error) {
	if r.To.Before(r.From) {
		return nil, fmt.Errorf("range ends (%s) before it starts (%s)", r.To.Format(time.DateOnly), r.From.Format(time.DateOnly))
	}
	var jobs []*job
	for i := range tasks {
		t := &tasks[i]
		roots, err := streamTree(t.Spec, t.Streams)
		if err != nil {
			return nil, err
		}
		for _, sp := range roots {
			if err := (layout.Stream{Source: t.Spec.Name, Account: t.AccountID, Name: sp.name}).Check(); err != nil {
				return nil, err
			}
			if isSnapshot(sp.st) {
				jobs = append(jobs, newJob(t, sp, []time.Time{capture}))
				continue
			}
			days := r.Days()
			if w := sp.st.Window; w != nil && w.MinStart != "" {
				min, err := time.Parse(time.DateOnly, w.MinStart)
				if err != nil {
					return nil, fmt.Errorf("stream %s: window.min_start %q: use YYYY-MM-DD", sp.name, w.MinStart)
				}
				days = slices.DeleteFunc(days, func(d time.Time) bool { return d.Before(min) })
			}
			jobs = append(jobs, planDays(t, sp, days)...)
		}
	}
	return jobs, nil
}

// planDays makes the jobs of one top-level stream over days (in order, not necessarily
// consecutive).
func planDays(t *Task, sp *streamPlan, days []time.Time) []*job {
	var jobs []*job
	for _, chunk := range windows(sp.st, days) {
		jobs = append(jobs, newJob(t, sp, chunk))
	}
	return jobs
}

func newJob(t *Task, sp *streamPlan, days []time.Time) *job {
	j := &job{task: t, stream: sp, days: days}
	if sp.st.Window != nil {
		j.window = &httpapi.Window{Start: days[0], End: days[len(days)-1].AddDate(0, 0, 1)}
	}
	return j
}

// windows groups days into request windows of at most window.max_days consecutive days
// (a window never spans a day that is not asked for: it would fetch it again). APIs that
// cannot filter (no window, or a client-side window) get one window: paging newest-first
// from today once is cheaper than once per day.
func windows(st *spec.Stream, days []time.Time) [][]time.Time {
	if len(days) == 0 {
		return nil
	}
	if w := st.Window; w == nil || w.Client {
		return [][]time.Time{days}
	}
	size := max(st.Window.MaxDays, 1)
	var out [][]time.Time
	start := 0
	for i := 1; i <= len(days); i++ {
		if i == len(days) || i-start == size || !days[i].Equal(days[i-1].AddDate(0, 0, 1)) {
			out = append(out, days[start:i])
			start = i
		}
	}
	return out
}

// streamTree resolves the selected streams into top-level streams with their children.
// Selecting a child stream selects its ancestors too: children are found through them.
func streamTree(sp *spec.Spec, selected []string) ([]*streamPlan, error) {
	if len(selected) == 0 {
		for name := range sp.Streams {
			selected = append(selected, name)
		}
	}
	want := map[string]bool{}
	for _, name := range selected {
		for cur := name; cur != ""; {
			st, ok := sp.Streams[cur]
			if !ok {
				return nil, fmt.Errorf("source %s has no stream %q (streams: %s)", sp.Name, cur, streamNames(sp))
			}
			if st.Parent != nil && isSnapshot(st) != isSnapshot(sp.Streams[st.Parent.Stream]) {
				return nil, fmt.Errorf("stream %s/%s: a snapshot stream and its parent %s must both be snapshot streams (or both incremental)", sp.Name, cur, st.Parent.Stream)
			}
			want[cur] = true
			cur = ""
			if st.Parent != nil {
				cur = st.Parent.Stream
			}
		}
	}
	plans := map[string]*streamPlan{}
	for name := range want {
		plans[name] = &streamPlan{name: name, st: sp.Streams[name]}
	}
	var roots []*streamPlan
	for _, name := range sortedKeys(want) {
		p := plans[name]
		if p.st.Parent != nil {
			parent := plans[p.st.Parent.Stream]
			parent.children = append(parent.children, p)
			continue
		}
		roots = append(roots, p)
	}
	return roots, nil
}

func streamNames(sp *spec.Spec) string { return fmt.Sprint(sortedKeys(sp.Streams)) }

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// CheckStreams reports an error when the named streams of sp (all when names is empty)
// cannot run, such as a snapshot stream under an incremental parent.
func CheckStreams(sp *spec.Spec, names []string) error {
	_, err := streamTree(sp, names)
	return err
}

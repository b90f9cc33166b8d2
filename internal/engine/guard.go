package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
)

// DefaultLeaseTTL is how long a stream lease lives without renewal. A run renews it every
// third of that; a run killed outright blocks the stream at most this long.
const DefaultLeaseTTL = 2 * time.Minute

// group is the jobs of one top-level stream of one account: its stream tree is leased,
// reconciled and released as a unit.
type group struct {
	task *Task
	root *streamPlan
	jobs []*job
}

// groupJobs gathers jobs by (account, top-level stream), in plan order.
func groupJobs(jobs []*job) []*group {
	var out []*group
	index := map[[2]any]*group{}
	for _, j := range jobs {
		k := [2]any{j.task, j.stream}
		g := index[k]
		if g == nil {
			g = &group{task: j.task, root: j.stream}
			index[k] = g
			out = append(out, g)
		}
		g.jobs = append(g.jobs, j)
	}
	return out
}

// streams lists the layout streams of the group's tree.
func (g *group) streams() []layout.Stream {
	var out []layout.Stream
	var walk func(sp *streamPlan)
	walk = func(sp *streamPlan) {
		out = append(out, layout.Stream{Source: g.task.Spec.Name, Account: g.task.AccountID, Name: sp.name})
		for _, c := range sp.children {
			walk(c)
		}
	}
	walk(g.root)
	return out
}

// guard takes the writer leases of the group's streams (DESIGN §4.5), removes what crashed
// runs left behind (§4.4), and keeps the leases alive. The returned context ends when a
// lease is lost; release gives the leases back. On error nothing is held.
func (o *Options) guard(ctx context.Context, g *group) (context.Context, func(), error) {
	host, _ := os.Hostname() // informational only
	holder := ledger.Holder{RunID: o.RunID, Host: host, PID: os.Getpid(), Started: o.RunTime}
	var leases []*ledger.Lease
	releaseAll := func() {
		for _, l := range leases {
			if err := l.Release(context.WithoutCancel(ctx)); err != nil {
				o.Logger.Warn("lease not released; it expires by itself", "err", err)
			}
		}
	}
	for _, s := range g.streams() {
		if o.ForceUnlock {
			if info, err := ledger.ForceUnlock(ctx, o.Store, s); err != nil {
				releaseAll()
				return nil, nil, err
			} else if info != nil {
				o.Logger.Warn("lease removed (--force-unlock)", "stream", s.Source+"/"+s.Account+"/"+s.Name, "holder", info.Holder.RunID, "host", info.Holder.Host)
			}
		}
		l, err := ledger.Acquire(ctx, o.Store, s, holder, o.LeaseTTL, o.now)
		if err != nil {
			releaseAll()
			return nil, nil, err
		}
		leases = append(leases, l)
	}
	for _, s := range g.streams() {
		rep, err := ledger.Reconcile(ctx, o.Store, s)
		if err != nil {
			releaseAll()
			return nil, nil, fmt.Errorf("reconcile %s/%s/%s: %w", s.Source, s.Account, s.Name, err)
		}
		if len(rep.Removed) > 0 {
			o.Logger.Info("removed files of interrupted runs", "stream", s.Source+"/"+s.Account+"/"+s.Name, "files", len(rep.Removed))
		}
	}
	if isSnapshot(g.root.st) {
		for _, s := range g.streams() {
			rep, err := ledger.ReconcileSnapshots(ctx, o.Store, s)
			if err != nil {
				releaseAll()
				return nil, nil, fmt.Errorf("reconcile snapshots of %s/%s/%s: %w", s.Source, s.Account, s.Name, err)
			}
			if len(rep.Removed) > 0 {
				o.Logger.Info("removed snapshot files of interrupted runs", "stream", s.Source+"/"+s.Account+"/"+s.Name, "files", len(rep.Removed))
			}
		}
	}
	gctx, cancel := context.WithCancelCause(ctx)
	kctx, stopKeep := context.WithCancel(ctx)
	for _, l := range leases {
		lost := l.KeepAlive(kctx, o.LeaseTTL/3)
		go func() {
			if err, ok := <-lost; ok && err != nil {
				cancel(err)
			}
		}()
	}
	return gctx, func() {
		stopKeep()
		cancel(nil)
		releaseAll()
	}, nil
}

// leaseFailure turns a lease error into the message every partition of the group carries.
func leaseFailure(err error) error {
	var held *ledger.HeldError
	if errors.As(err, &held) {
		return err // already says who holds it and how to clear it
	}
	return fmt.Errorf("stream lease: %w", err)
}

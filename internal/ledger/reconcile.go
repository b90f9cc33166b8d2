package ledger

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// reconcileWorkers bounds the day folders reconciled at once (one manifest read and a
// few deletes each); memory is bounded by this many folders' file lists.
const reconcileWorkers = 8

// Report is what Reconcile found and did.
type Report struct {
	// Folders is the number of day folders examined.
	Folders int
	// Kept is the number of partition files a committed manifest references.
	Kept int
	// Removed holds the deleted keys, sorted: partition files no committed manifest
	// references, and staged parts no checkpoint references.
	Removed []string
	// Missing holds keys a manifest references that are not stored (a damaged partition:
	// run its range again), sorted. Only folders that still hold at least one
	// partition file are checked. Reconcile never changes a manifest.
	Missing []string
	// Ignored counts keys under the stream's data prefix that are not sluice partition
	// files (other tools' files, deeper folders); they are left alone.
	Ignored int
}

// folder is the listed partition files of one day folder.
type folder struct {
	day  time.Time
	keys []string
}

// Reconcile makes the stored state of stream agree with its committed manifests, so that
// each partition shows exactly one generation (DESIGN §4, invariant 4). It deletes:
//   - every data, metadata and quality file of a day folder that the folder's manifest
//     does not reference: orphans of a run that crashed before its manifest CAS, and
//     superseded files whose deletion after a CAS was interrupted (a folder without a
//     manifest has no committed generation, so all its files go);
//   - every staged part under the stream's staging prefix that no checkpoint references.
//
// It never deletes a file a manifest references, nor a key that is not a sluice partition
// file (layout.Stream.ParsePartitionFile). The caller must hold the stream's lease, so no
// other run is between writing files and moving a manifest; the engine calls it once per
// stream right after Acquire, before LoadCheckpoint. It lists the data prefix once and
// works one day folder at a time (each folder's manifest is read when the folder is
// complete), so memory is bounded by a few folders whatever the number of partitions.
// A manifest that cannot be read stops Reconcile with an error before it deletes
// anything in that folder.
func Reconcile(ctx context.Context, st store.Store, stream layout.Stream) (Report, error) {
	if err := stream.Check(); err != nil {
		return Report{}, fmt.Errorf("reconcile: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		rep  Report
		ferr error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if ferr == nil {
			ferr = err
		}
		mu.Unlock()
		cancel()
	}
	work := make(chan folder)
	for range reconcileWorkers {
		wg.Go(func() {
			for f := range work {
				r, err := reconcileFolder(ctx, st, stream, f)
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				rep.Folders++
				rep.Kept += r.Kept
				rep.Removed = append(rep.Removed, r.Removed...)
				rep.Missing = append(rep.Missing, r.Missing...)
				mu.Unlock()
			}
		})
	}
	ignored, err := listFolders(ctx, st, stream, work)
	close(work)
	wg.Wait()
	if err != nil {
		fail(err)
	}
	if ferr != nil {
		return Report{}, fmt.Errorf("reconcile %s: %w", streamName(stream), ferr)
	}
	rep.Ignored = ignored
	staged, err := sweepStaging(ctx, st, stream)
	if err != nil {
		return Report{}, fmt.Errorf("reconcile %s: %w", streamName(stream), err)
	}
	rep.Removed = append(rep.Removed, staged...)
	slices.Sort(rep.Removed)
	slices.Sort(rep.Missing)
	return rep, nil
}

// listFolders lists the stream's data prefix and sends each day folder's partition files
// to work once the listing has moved past the folder. Keys of a folder are contiguous in
// a lexical listing; were a store to list a folder in two runs, each run is reconciled
// against the same manifest, which is still correct. It returns how many keys it ignored.
func listFolders(ctx context.Context, st store.Store, stream layout.Stream, work chan<- folder) (int, error) {
	var (
		cur     folder
		ignored int
	)
	send := func() error {
		if len(cur.keys) == 0 {
			return nil
		}
		select {
		case work <- cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = folder{}
		return nil
	}
	for obj, err := range st.List(ctx, stream.DataPrefix()) {
		if err != nil {
			return ignored, fmt.Errorf("list %s: %w", stream.DataPrefix(), err)
		}
		pf, ok := stream.ParsePartitionFile(obj.Key)
		if !ok {
			ignored++
			continue
		}
		if !pf.Day.Equal(cur.day) {
			if err := send(); err != nil {
				return ignored, err
			}
			cur.day = pf.Day
		}
		cur.keys = append(cur.keys, obj.Key)
	}
	return ignored, send()
}

// reconcileFolder deletes the files of one day folder that its manifest does not
// reference, reading the manifest just before deciding.
func reconcileFolder(ctx context.Context, st store.Store, stream layout.Stream, f folder) (Report, error) {
	p := layout.Partition{Stream: stream, Day: f.day}
	m, _, err := ReadManifest(ctx, st, p.ManifestKey())
	if err != nil {
		return Report{}, err
	}
	keep := m.Keys()
	var r Report
	for _, k := range f.keys {
		if slices.Contains(keep, k) {
			r.Kept++
			continue
		}
		if err := st.Delete(ctx, k); err != nil {
			return Report{}, fmt.Errorf("delete orphan %s: %w", k, err)
		}
		r.Removed = append(r.Removed, k)
	}
	for _, k := range keep {
		if !slices.Contains(f.keys, k) {
			r.Missing = append(r.Missing, k)
		}
	}
	return r, nil
}

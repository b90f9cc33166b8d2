package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sluice-dev/sluice/internal/failpoint"
	"github.com/sluice-dev/sluice/internal/store"
)

// ErrConflict means another writer moved the manifest between our read and our swap.
var ErrConflict = errors.New("partition was committed concurrently by another run")

// ErrCleanup wraps a failure to delete a superseded file after the manifest moved: the new
// generation is committed; only a leftover of the old one remains.
var ErrCleanup = errors.New("new generation committed, but a superseded file could not be deleted")

// Commit moves the partition's manifest from the generation read with etag to next, by
// compare-and-swap, then deletes the files of the superseded generation that next does not
// reference. The new generation's files must already be stored. When the swap fails the
// caller's new files are left in place (a later reconcile removes them) and ErrConflict is
// returned. A failure after the swap wraps ErrCleanup: the commit itself succeeded.
func Commit(ctx context.Context, st store.Store, key string, prev *Manifest, etag string, next *Manifest) error {
	if _, err := st.Swap(ctx, key, next.Encode(), etag); err != nil {
		if errors.Is(err, store.ErrPrecondition) {
			return fmt.Errorf("commit %s: %w", next.Partition, ErrConflict)
		}
		return fmt.Errorf("commit %s: %w", next.Partition, err)
	}
	keep := next.Keys()
	for _, k := range prev.Keys() {
		if slices.Contains(keep, k) {
			continue
		}
		failpoint.Hit(failpoint.DuringSupersededDelete)
		if err := st.Delete(ctx, k); err != nil {
			return fmt.Errorf("commit %s: %w: %s: %v", next.Partition, ErrCleanup, k, err)
		}
	}
	return nil
}

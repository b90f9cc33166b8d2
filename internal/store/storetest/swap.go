package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func testSwapAbsent(t *testing.T, s store.Store) {
	ctx := t.Context()
	obj, err := s.Swap(ctx, "state/head", []byte("v1"), "")
	if err != nil {
		t.Fatalf(`Swap(etag "") on a missing key: %v`, err)
	}
	if obj.Key != "state/head" || obj.Size != 2 || obj.ETag == "" {
		t.Fatalf("Swap = %+v, want Key state/head, Size 2 and an ETag", obj)
	}
	if got := wantContent(t, s, "state/head", []byte("v1")); got.ETag != obj.ETag {
		t.Fatalf("Get ETag = %q, want %q", got.ETag, obj.ETag)
	}
	if _, err := s.Swap(ctx, "state/head", []byte("v2"), ""); !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf(`Swap(etag "") on an existing key: error = %v, want ErrPrecondition`, err)
	}
	wantContent(t, s, "state/head", []byte("v1"))
}

func testSwapETag(t *testing.T, s store.Store) {
	ctx := t.Context()
	v1 := put(t, s, "m", []byte("version one"))
	v2, err := s.Swap(ctx, "m", []byte("version two"), v1.ETag)
	if err != nil {
		t.Fatalf("Swap with the current ETag: %v", err)
	}
	if v2.ETag == "" || v2.ETag == v1.ETag {
		t.Fatalf("ETag after Swap = %q, want a new one (was %q)", v2.ETag, v1.ETag)
	}
	if got := wantContent(t, s, "m", []byte("version two")); got.ETag != v2.ETag {
		t.Fatalf("Get ETag = %q, want %q", got.ETag, v2.ETag)
	}
	if _, err := s.Swap(ctx, "m", []byte("version three"), v1.ETag); !errors.Is(err, store.ErrPrecondition) {
		t.Fatalf("Swap with a stale ETag: error = %v, want ErrPrecondition", err)
	}
	wantContent(t, s, "m", []byte("version two"))
	if _, err := s.Swap(ctx, "m", []byte("version three"), v2.ETag); err != nil {
		t.Fatalf("Swap with the new ETag: %v", err)
	}
	wantContent(t, s, "m", []byte("version three"))
}

func testSwapMissingWithETag(t *testing.T, s store.Store) {
	v1 := put(t, s, "gone", []byte("x"))
	if err := s.Delete(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	for _, etag := range []string{v1.ETag, "0123456789abcdef"} {
		if _, err := s.Swap(t.Context(), "gone", []byte("y"), etag); !errors.Is(err, store.ErrPrecondition) {
			t.Fatalf("Swap(etag %q) on a missing key: error = %v, want ErrPrecondition", etag, err)
		}
	}
	wantMissing(t, s, "gone")
}

func testSwapConcurrent(t *testing.T, s store.Store) {
	base := put(t, s, "lease", []byte("base"))
	var wg sync.WaitGroup
	objs := make([]store.Object, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			objs[i], errs[i] = s.Swap(t.Context(), "lease", fmt.Appendf(nil, "owner %d", i), base.ETag)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("swappers %d and %d both succeeded from the same ETag", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrPrecondition):
			t.Fatalf("swapper %d: error = %v, want ErrPrecondition", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no swapper succeeded: %v", errs)
	}
	got := wantContent(t, s, "lease", fmt.Appendf(nil, "owner %d", winner))
	if got.ETag != objs[winner].ETag {
		t.Fatalf("ETag = %q, want the winner's %q", got.ETag, objs[winner].ETag)
	}
}

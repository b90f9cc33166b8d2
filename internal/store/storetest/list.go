package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func testList(t *testing.T, s store.Store) {
	// Created out of order; "-" < "." < "/" < "0" in bytes, so a directory walk's order
	// ("p/a" before "p/a.x") is not the key order.
	keys := []string{"p/a0", "p/a/y/z", "p/a.x", "p/a/x", "p/a-b", "q/other", "pz"}
	objs := map[string]store.Object{}
	for _, k := range keys {
		objs[k] = put(t, s, k, []byte("content of "+k))
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"p/a-b", "p/a.x", "p/a/x", "p/a/y/z", "p/a0", "pz", "q/other"}},
		{"p/", []string{"p/a-b", "p/a.x", "p/a/x", "p/a/y/z", "p/a0"}},
		{"p", []string{"p/a-b", "p/a.x", "p/a/x", "p/a/y/z", "p/a0", "pz"}},
		{"p/a/", []string{"p/a/x", "p/a/y/z"}},
		{"p/a", []string{"p/a-b", "p/a.x", "p/a/x", "p/a/y/z", "p/a0"}},
		{"p/a/y", []string{"p/a/y/z"}},
		{"p/a/x", []string{"p/a/x"}},
		{"q/", []string{"q/other"}},
		{"r/", []string{}},
		{"p/b", []string{}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("prefix %q", c.prefix), func(t *testing.T) {
			var got []string
			for obj, err := range s.List(t.Context(), c.prefix) {
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				want := objs[obj.Key]
				if obj.Size != want.Size || obj.ETag != want.ETag {
					t.Fatalf("List object %q = {Size:%d ETag:%q}, want {Size:%d ETag:%q}", obj.Key, obj.Size, obj.ETag, want.Size, want.ETag)
				}
				got = append(got, obj.Key)
			}
			if got == nil {
				got = []string{}
			}
			if !equal(got, c.want) {
				t.Fatalf("List(%q) = %q, want %q", c.prefix, got, c.want)
			}
		})
	}
}

// manyKeys is above S3's 1000-key page so that listing needs continuation.
const manyKeys = 1005

func testListMany(t *testing.T, s store.Store) {
	want := make([]string, manyKeys)
	for i := range want {
		want[i] = fmt.Sprintf("many/%05d", i)
	}
	put(t, s, "manz", []byte("outside the prefix"))
	var wg sync.WaitGroup
	errs := make(chan error, len(want))
	work := make(chan string)
	for range 16 {
		wg.Go(func() {
			for k := range work {
				if _, err := s.Swap(t.Context(), k, []byte(k), ""); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := len(want) - 1; i >= 0; i-- {
		work <- want[i]
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("creating keys: %v", err)
	}
	if got := listKeys(t, s, "many/"); !equal(got, want) {
		t.Fatalf("List(many/) returned %d keys (first %q), want %d keys many/00000..many/%05d in order", len(got), got[:min(3, len(got))], len(want), manyKeys-1)
	}
}

func testListBreak(t *testing.T, s store.Store) {
	for _, k := range []string{"b/1", "b/2", "b/3", "b/4"} {
		put(t, s, k, []byte(k))
	}
	var got []string
	for obj, err := range s.List(t.Context(), "b/") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, obj.Key)
		if len(got) == 2 {
			break
		}
	}
	if want := []string{"b/1", "b/2"}; !equal(got, want) {
		t.Fatalf("List stopped after two = %q, want %q", got, want)
	}
}

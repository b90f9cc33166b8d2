package ledger_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/s3test"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testStream is the stream most tests work on.
var testStream = layout.Stream{Source: "demo", Account: "acme", Name: "posts"}

// forEachStore runs fn against a fresh local store and a fresh S3 store (versitygw). The
// S3 run is skipped with the harness's message when versitygw is not installed.
func forEachStore(t *testing.T, fn func(t *testing.T, newStore func(t *testing.T) store.Store)) {
	t.Run("local", func(t *testing.T) {
		fn(t, func(t *testing.T) store.Store {
			st, err := store.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
	t.Run("s3", func(t *testing.T) {
		srv := s3test.Start(t)
		var n atomic.Int64
		fn(t, func(t *testing.T) store.Store {
			st, err := store.NewS3(t.Context(), store.S3Config{
				Bucket: srv.Bucket, Prefix: fmt.Sprintf("t%03d", n.Add(1)), Endpoint: srv.URL,
				Region: srv.Region, PathStyle: true, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
				MaxAttempts: 2,
			})
			if err != nil {
				t.Fatal(err)
			}
			return st
		})
	})
}

// clock is a settable clock for leases.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// put stores data at key, failing the test on error.
func put(t *testing.T, st store.Store, key string, data []byte) store.Object {
	t.Helper()
	obj, err := st.Create(t.Context(), key, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return obj
}

// get returns the content of key, failing the test when it cannot be read.
func get(t *testing.T, st store.Store, key string) []byte {
	t.Helper()
	rc, _, err := st.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// keys lists every key of the store, sorted.
func keys(t *testing.T, st store.Store) []string {
	t.Helper()
	var out []string
	for obj, err := range st.List(t.Context(), "") {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, obj.Key)
	}
	slices.Sort(out)
	return out
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

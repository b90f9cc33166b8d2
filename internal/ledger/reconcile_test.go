package ledger_test

import (
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
)

const (
	d15 = "demo/acme/posts/2024/01/15/"
	d16 = "demo/acme/posts/2024/01/16/"
	d17 = "demo/acme/posts/2024/01/17/"
	tsA = "20240115T103000Z"
	tsB = "20240116T103000Z"
)

// manifestFor is a committed manifest of testStream's day naming files.
func manifestFor(day string, files ...string) (string, []byte) {
	d, _ := time.Parse("2006/01/02/", strings.TrimPrefix(day, "demo/acme/posts/"))
	p := layout.Partition{Stream: testStream, Day: d}
	m := &ledger.Manifest{Version: ledger.ManifestVersion, Partition: p.String(), RunID: "r1", RunTimestamp: tsB, Format: "jsonl"}
	for _, f := range files {
		role, _, _ := strings.Cut(f, "_")
		m.Files = append(m.Files, ledger.File{Key: day + f, Role: role})
	}
	return p.ManifestKey(), m.Encode()
}

func TestReconcile(t *testing.T) {
	type state struct {
		files     []string            // partition (and other) files
		manifests map[string][]string // day folder → file names the manifest references
		staged    []string            // staged part keys
		parts     []string            // parts named by a checkpoint
	}
	staging := "_sluice/staging/demo/acme/posts/2024-01-01_2024-01-31/"
	tests := []struct {
		name    string
		state   state
		removed []string
		kept    int
		missing []string
		ignored int
	}{
		{
			name: "partition with a manifest and no orphans",
			state: state{
				files:     []string{d15 + "data_" + tsB + ".jsonl", d15 + "metadata_" + tsB + ".json", d15 + "quality_" + tsB + ".json"},
				manifests: map[string][]string{d15: {"data_" + tsB + ".jsonl", "metadata_" + tsB + ".json", "quality_" + tsB + ".json"}},
			},
			kept: 3,
		},
		{
			name: "orphan data file of a crashed rerun",
			state: state{
				files:     []string{d15 + "data_" + tsA + ".jsonl", d15 + "metadata_" + tsA + ".json", d15 + "data_" + tsB + ".jsonl"},
				manifests: map[string][]string{d15: {"data_" + tsA + ".jsonl", "metadata_" + tsA + ".json"}},
			},
			removed: []string{d15 + "data_" + tsB + ".jsonl"},
			kept:    2,
		},
		{
			name: "orphan metadata and quality",
			state: state{
				files: []string{d15 + "data_" + tsA + ".parquet", d15 + "metadata_" + tsA + ".json",
					d15 + "metadata_" + tsB + ".json", d15 + "quality_" + tsB + ".json"},
				manifests: map[string][]string{d15: {"data_" + tsA + ".parquet", "metadata_" + tsA + ".json"}},
			},
			removed: []string{d15 + "metadata_" + tsB + ".json", d15 + "quality_" + tsB + ".json"},
			kept:    2,
		},
		{
			name: "superseded pair not yet deleted",
			state: state{
				files: []string{d15 + "data_" + tsA + ".jsonl", d15 + "metadata_" + tsA + ".json",
					d15 + "data_" + tsB + ".jsonl", d15 + "metadata_" + tsB + ".json"},
				manifests: map[string][]string{d15: {"data_" + tsB + ".jsonl", "metadata_" + tsB + ".json"}},
			},
			removed: []string{d15 + "data_" + tsA + ".jsonl", d15 + "metadata_" + tsA + ".json"},
			kept:    2,
		},
		{
			name: "folder with no manifest at all",
			state: state{
				files: []string{d16 + "data_" + tsB + ".jsonl", d16 + "metadata_" + tsB + ".json"},
			},
			removed: []string{d16 + "data_" + tsB + ".jsonl", d16 + "metadata_" + tsB + ".json"},
		},
		{
			name: "several folders, each against its own manifest",
			state: state{
				files: []string{
					d15 + "data_" + tsA + ".jsonl", d15 + "metadata_" + tsA + ".json",
					d16 + "data_" + tsA + ".jsonl", d16 + "data_" + tsB + ".jsonl", d16 + "metadata_" + tsB + ".json",
					d17 + "data_" + tsB + ".jsonl",
				},
				manifests: map[string][]string{
					d15: {"data_" + tsA + ".jsonl", "metadata_" + tsA + ".json"},
					d16: {"data_" + tsB + ".jsonl", "metadata_" + tsB + ".json"},
				},
			},
			removed: []string{d16 + "data_" + tsA + ".jsonl", d17 + "data_" + tsB + ".jsonl"},
			kept:    4,
		},
		{
			name: "files that are not sluice partition files are left alone",
			state: state{
				files: []string{
					"demo/acme/posts/README.md",
					d15 + "notes.txt",
					d15 + "sub/data_" + tsA + ".jsonl",
					d15 + "data_2024-01-15.jsonl",
					d15 + "metadata_" + tsA + ".txt",
					"demo/acme/posts/2024/13/01/data_" + tsA + ".jsonl",
					"demo/acme/posts2/2024/01/15/data_" + tsA + ".jsonl",
					"demo/acme/snapshots/posts/snapshot_2024-01-15_" + tsA + ".parquet",
					"demo/other/posts/2024/01/15/data_" + tsA + ".jsonl",
				},
			},
			ignored: 6,
		},
		{
			name: "manifest names a file that is gone",
			state: state{
				files:     []string{d15 + "metadata_" + tsB + ".json"},
				manifests: map[string][]string{d15: {"data_" + tsB + ".jsonl", "metadata_" + tsB + ".json"}},
			},
			kept:    1,
			missing: []string{d15 + "data_" + tsB + ".jsonl"},
		},
		{
			name: "staged parts no checkpoint names",
			state: state{
				staged: []string{staging + "run1-00001.jsonl", staging + "run1-00002.jsonl", staging + "run2-00001.jsonl"},
				parts:  []string{staging + "run1-00001.jsonl", staging + "run1-00002.jsonl"},
			},
			removed: []string{staging + "run2-00001.jsonl"},
		},
	}
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := t.Context()
				st := newStore(t)
				s := tt.state
				for _, k := range append(slices.Clone(s.files), s.staged...) {
					put(t, st, k, []byte("x"))
				}
				for day, files := range s.manifests {
					k, data := manifestFor(day, files...)
					put(t, st, k, data)
				}
				if s.parts != nil {
					cp := &ledger.Checkpoint{Window: window(1, 31), RunID: "run1"}
					for _, p := range s.parts {
						cp.Parts = append(cp.Parts, ledger.Part{Key: p, Records: 1})
					}
					if _, err := ledger.SaveCheckpoint(ctx, st, testStream, cp, ""); err != nil {
						t.Fatal(err)
					}
				}
				before := keys(t, st)
				rep, err := ledger.Reconcile(ctx, st, testStream)
				if err != nil {
					t.Fatalf("Reconcile: %v", err)
				}
				if !slices.Equal(rep.Removed, tt.removed) || rep.Kept != tt.kept || !slices.Equal(rep.Missing, tt.missing) || rep.Ignored != tt.ignored {
					t.Fatalf("Reconcile report = removed %q, kept %d, missing %q, ignored %d\nwant removed %q, kept %d, missing %q, ignored %d",
						rep.Removed, rep.Kept, rep.Missing, rep.Ignored, tt.removed, tt.kept, tt.missing, tt.ignored)
				}
				want := slices.DeleteFunc(before, func(k string) bool { return slices.Contains(tt.removed, k) })
				if got := keys(t, st); !slices.Equal(got, want) {
					t.Fatalf("keys after Reconcile:\n%q\nwant:\n%q", got, want)
				}
				// A second pass finds nothing more to do.
				again, err := ledger.Reconcile(ctx, st, testStream)
				if err != nil || len(again.Removed) != 0 {
					t.Fatalf("second Reconcile removed %q (err %v), want nothing", again.Removed, err)
				}
			})
		}
	})
}

func TestReconcileUnreadableManifest(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		st := newStore(t)
		orphan := d15 + "data_" + tsA + ".jsonl"
		put(t, st, orphan, []byte("x"))
		put(t, st, "_sluice/state/demo/acme/posts/2024/01/15/manifest.json", []byte("{"))
		_, err := ledger.Reconcile(t.Context(), st, testStream)
		want := "reconcile demo/acme/posts: manifest _sluice/state/demo/acme/posts/2024/01/15/manifest.json is not valid JSON " +
			"(unexpected end of JSON input): inspect it, and delete it only if its partition should be re-extracted"
		if err == nil || err.Error() != want {
			t.Fatalf("Reconcile error = %v\nwant %s", err, want)
		}
		if got := keys(t, st); !slices.Contains(got, orphan) {
			t.Fatalf("keys after a failed Reconcile = %q: the folder's file was deleted", got)
		}
	})
}

// streamingStore holds the listing back before its last key until a manifest has been
// read, which only happens when Reconcile works folder by folder while it lists.
type streamingStore struct {
	store.Store
	manifestRead chan struct{}
	once         atomic.Bool
}

func (s *streamingStore) Get(ctx context.Context, key string) (io.ReadCloser, store.Object, error) {
	if strings.HasSuffix(key, "/manifest.json") && s.once.CompareAndSwap(false, true) {
		close(s.manifestRead)
	}
	return s.Store.Get(ctx, key)
}

func (s *streamingStore) List(ctx context.Context, prefix string) iter.Seq2[store.Object, error] {
	return func(yield func(store.Object, error) bool) {
		var last *store.Object
		for obj, err := range s.Store.List(ctx, prefix) {
			if err != nil {
				yield(obj, err)
				return
			}
			if last != nil && !yield(*last, nil) {
				return
			}
			last = &obj
		}
		if last == nil {
			return
		}
		if strings.HasPrefix(prefix, "demo/") {
			select {
			case <-s.manifestRead:
			case <-time.After(10 * time.Second):
				yield(store.Object{}, fmt.Errorf("no manifest was read before the listing ended: Reconcile holds the whole listing"))
				return
			}
		}
		yield(*last, nil)
	}
}

func TestReconcileStreamsFolders(t *testing.T) {
	base, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := &streamingStore{Store: base, manifestRead: make(chan struct{})}
	for _, day := range []string{d15, d16, d17} {
		put(t, st, day+"data_"+tsA+".jsonl", []byte("x"))
	}
	rep, err := ledger.Reconcile(t.Context(), st, testStream)
	if err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	if rep.Folders != 3 || len(rep.Removed) != 3 {
		t.Fatalf("Reconcile = %+v, want 3 folders and 3 files removed", rep)
	}
}

// window returns the window of January 2024 from day a to day b.
func window(a, b int) ledger.Window {
	return ledger.Window{From: time.Date(2024, 1, a, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, b, 0, 0, 0, 0, time.UTC)}
}

// BenchmarkReconcile reconciles a stream of 1,000 day folders (one committed generation
// and one orphan each) on the local store.
func BenchmarkReconcile(b *testing.B) {
	const days = 1000
	for b.Loop() {
		b.StopTimer()
		st, err := store.NewLocal(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		day := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range days {
			p := layout.Partition{Stream: testStream, Day: day.AddDate(0, 0, i)}
			m := &ledger.Manifest{Version: 1, Partition: p.String(), Files: []ledger.File{{Key: p.DataKey(tsB, "jsonl"), Role: "data"}}}
			for _, k := range []string{p.DataKey(tsA, "jsonl"), p.DataKey(tsB, "jsonl")} {
				if _, err := st.Create(b.Context(), k, strings.NewReader("x"), 1); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := st.Swap(b.Context(), p.ManifestKey(), m.Encode(), ""); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		rep, err := ledger.Reconcile(b.Context(), st, testStream)
		if err != nil || len(rep.Removed) != days || rep.Kept != days {
			b.Fatalf("Reconcile = %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(days), "folders/op")
}

package engine_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

var (
	day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day4 = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)
)

// harness runs the engine against a fake API into a local store.
type harness struct {
	t     *testing.T
	st    store.Store
	sp    *spec.Spec
	url   string
	clock *httpapi.FakeClock
}

func newHarness(t *testing.T, h http.Handler) *harness {
	t.Helper()
	sp, err := spec.Lookup("demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeapi.StartHandler(t, h)
	return &harness{t: t, st: st, sp: sp, url: srv.URL, clock: httpapi.NewFakeClock(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))}
}

func (h *harness) run(accounts []string, f format.Format, runTime time.Time) *engine.Summary {
	h.t.Helper()
	var tasks []engine.Task
	for _, a := range accounts {
		c, err := httpapi.NewClient(httpapi.Config{Spec: h.sp, Clock: h.clock, HTTP: &http.Client{}, Timeout: 5 * time.Second})
		if err != nil {
			h.t.Fatal(err)
		}
		tasks = append(tasks, engine.Task{Spec: h.sp, AccountID: a, Client: c, BaseURL: h.url})
	}
	sum, err := engine.Run(context.Background(), engine.Options{
		Store: h.st, Format: f, TempDir: h.t.TempDir(), RunID: "run1", RunTime: runTime,
		Now: func() time.Time { return time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC) }, Refresh: true,
	}, tasks, engine.Range{From: day0, To: day4})
	if err != nil {
		h.t.Fatal(err)
	}
	return sum
}

// keys lists every object in the store.
func (h *harness) keys() []string {
	var out []string
	for obj, err := range h.st.List(context.Background(), "") {
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, obj.Key)
	}
	return out
}

// rows reads every data file of one stream and returns its records as JSON-ish maps keyed
// by _key.
func (h *harness) rows(prefix string) map[string]map[string]any {
	h.t.Helper()
	out := map[string]map[string]any{}
	for _, k := range h.keys() {
		if !strings.HasPrefix(k, prefix) || !strings.Contains(k, "/data_") {
			continue
		}
		rc, obj, err := h.st.Get(context.Background(), k)
		if err != nil {
			h.t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		sch, rows, err := format.ReadParquet(strings.NewReader(string(data)), obj.Size)
		if err != nil {
			h.t.Fatalf("%s: %v", k, err)
		}
		for row, err := range rows {
			if err != nil {
				h.t.Fatal(err)
			}
			m := map[string]any{}
			for i, f := range sch.Fields {
				m[f.Name] = plain(row[i])
			}
			key := m["_key"].(string)
			if _, dup := out[key]; dup {
				h.t.Errorf("record %s appears twice", key)
			}
			m["_file"] = k
			out[key] = m
		}
	}
	return out
}

func plain(v record.Value) any {
	switch v.Kind {
	case record.String, record.JSON:
		return v.S
	case record.Int:
		return v.I
	case record.Time:
		return time.UnixMicro(v.I).UTC().Format(time.RFC3339Nano)
	case record.List, record.Object:
		var out []any
		for _, e := range v.L {
			out = append(out, plain(e))
		}
		return out
	case record.Null, record.Absent:
		return nil
	}
	return v
}

func TestRunLandsExactRecordsAndRerunIsUnchanged(t *testing.T) {
	h := newHarness(t, mustHandler(t, "demo", fakeapi.Options{Seed: 1, Faults: true}))
	accounts := []string{"northwind", "contoso"}
	sum := h.run(accounts, format.Parquet, time.Date(2024, 2, 1, 10, 30, 0, 0, time.UTC))
	// 2 accounts × 2 streams × 4 days.
	if sum.Totals.Committed != 16 || sum.Totals.Failed != 0 || sum.Totals.Unchanged != 0 {
		t.Fatalf("totals = %+v; partitions: %+v", sum.Totals, sum.Partitions)
	}
	for _, a := range accounts {
		posts := h.rows("demo/" + a + "/posts/")
		comments := h.rows("demo/" + a + "/comments/")
		wantPosts, wantComments := 0, 0
		for d := day0; !d.After(day4); d = d.AddDate(0, 0, 1) {
			for _, p := range fakeapi.DemoPosts(1, a, d) {
				wantPosts++
				got, ok := posts[p.ID]
				if !ok {
					t.Fatalf("%s: post %s missing", a, p.ID)
				}
				wantFile := "demo/" + a + "/posts/" + p.Created.Format("2006/01/02") + "/data_20240201T103000Z.parquet"
				if got["_file"] != wantFile {
					t.Errorf("post %s in %s, want %s", p.ID, got["_file"], wantFile)
				}
				if got["id"] != p.ID || got["created_time"] != p.Created.Format(time.RFC3339Nano) || got["like_count"] != int64(p.LikeCount) {
					t.Errorf("post %s = %v, want %+v", p.ID, got, p)
				}
				for _, c := range fakeapi.DemoComments(1, p.ID) {
					wantComments++
					gc, ok := comments[c.ID]
					if !ok {
						t.Fatalf("comment %s missing", c.ID)
					}
					// Children live in their parent's partition.
					if want := "demo/" + a + "/comments/" + p.Created.Format("2006/01/02") + "/data_20240201T103000Z.parquet"; gc["_file"] != want {
						t.Errorf("comment %s in %s, want %s", c.ID, gc["_file"], want)
					}
					if gc["post_id"] != p.ID || gc["text"] != c.Text {
						t.Errorf("comment %s = %v", c.ID, gc)
					}
				}
			}
		}
		if len(posts) != wantPosts || len(comments) != wantComments {
			t.Errorf("%s: %d posts, %d comments; want %d, %d", a, len(posts), len(comments), wantPosts, wantComments)
		}
	}
	// Three reruns: each adds only its run summary.
	for i := range 3 {
		before := h.keys()
		at := time.Date(2024, 2, 1, 11+i, 0, 0, 0, time.UTC)
		again := h.run(accounts, format.Parquet, at)
		if again.Totals.Unchanged != 16 || again.Totals.Committed != 0 {
			t.Fatalf("rerun %d totals = %+v", i+1, again.Totals)
		}
		added := slices.DeleteFunc(h.keys(), func(k string) bool { return slices.Contains(before, k) })
		if len(added) != 1 || !strings.HasPrefix(added[0], "_sluice/runs/2024/02/01/run_"+at.Format("20060102T150405Z")+"_") {
			t.Fatalf("rerun %d added %v", i+1, added)
		}
	}
}

func TestMetadataCountsDuplicatesAndRequests(t *testing.T) {
	h := newHarness(t, mustHandler(t, "demo", fakeapi.Options{Seed: 1}))
	h.run([]string{"northwind"}, format.JSONL, time.Date(2024, 2, 1, 10, 30, 0, 0, time.UTC))
	var dups, written int64
	var files []string
	for _, k := range h.keys() {
		if !strings.HasPrefix(k, "demo/northwind/posts/") || !strings.Contains(k, "/metadata_") {
			continue
		}
		files = append(files, k)
		rc, _, err := h.st.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		var m engine.Metadata
		if err := json.NewDecoder(rc).Decode(&m); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		dups += m.Counts.Duplicates
		written += m.Counts.Written
		if m.File == nil || m.File.Format != "jsonl" || !strings.HasSuffix(m.File.Key, ".jsonl") || m.File.Records != m.Counts.Written {
			t.Errorf("%s: file = %+v", k, m.File)
		}
		if m.Requests.Requests == 0 || m.WindowCounts.Pages == 0 {
			t.Errorf("%s: requests %+v, window %+v", k, m.Requests, m.WindowCounts)
		}
	}
	sort.Strings(files)
	if len(files) != 4 {
		t.Fatalf("metadata files = %v", files)
	}
	want := int64(len(fakeapi.DemoRange(1, "northwind", day0, day4.AddDate(0, 0, 1))))
	wantDups := int64(fakeapi.DemoDuplicates(1, "northwind", day0, day4.AddDate(0, 0, 1), 100))
	if written != want || dups != wantDups {
		t.Fatalf("written %d, duplicates %d; want %d, %d", written, dups, want, wantDups)
	}
}

func mustHandler(t *testing.T, name string, opt fakeapi.Options) http.Handler {
	t.Helper()
	h, err := fakeapi.Handler(name, opt)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

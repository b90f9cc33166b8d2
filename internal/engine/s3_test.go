package engine_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/s3test"
)

// dropPosts serves the demo API without the posts it is told to drop: the upstream data
// changing between two runs.
type dropPosts struct {
	next http.Handler
	mu   sync.Mutex
	drop []string
}

func (d *dropPosts) set(ids ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.drop = ids
}

func (d *dropPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	drop := slices.Clone(d.drop)
	d.mu.Unlock()
	if len(drop) == 0 || !strings.HasSuffix(r.URL.Path, "/posts") {
		d.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	d.next.ServeHTTP(rec, r)
	var page map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != http.StatusOK {
		http.Error(w, "drop wrapper: unexpected upstream answer", http.StatusInternalServerError)
		return
	}
	var data []map[string]any
	if err := json.Unmarshal(page["data"], &data); err != nil {
		http.Error(w, "drop wrapper: "+err.Error(), http.StatusInternalServerError)
		return
	}
	data = slices.DeleteFunc(data, func(p map[string]any) bool { return slices.Contains(drop, p["id"].(string)) })
	page["data"], _ = json.Marshal(data)
	body, _ := json.Marshal(page)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// s3Store starts versitygw and returns a store on it under a key prefix.
func s3Store(t *testing.T) store.Store {
	t.Helper()
	srv := s3test.Start(t)
	st, err := store.NewS3(context.Background(), store.S3Config{
		Bucket: srv.Bucket, Prefix: "lake", Endpoint: srv.URL, Region: srv.Region, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestDemoRunOnS3ReplacesOnlyChangedPartitions(t *testing.T) {
	st := s3Store(t)
	api := &dropPosts{next: fakeapi.NewDemo(fakeapi.Options{Seed: demoSeed})}
	base := fakeapi.StartHandler(t, api).URL
	accts := []string{"northwind", "contoso"}
	run := func(runTime time.Time) *engine.Summary {
		return runE2E(t, e2eRun{
			Store: st, Spec: demoSpec(t), BaseURL: base, Accounts: accounts(nil, accts...),
			Format: format.Parquet, Range: engine.Range{From: demoFrom, To: demoTo}, RunTime: runTime, Refresh: true,
		})
	}
	wants := map[string]demoWant{}
	for _, a := range accts {
		wants[a] = wantDemo(t, a)
	}

	// First run: one generation per partition, the fake's exact records.
	t1 := time.Date(2024, 2, 1, 10, 0, 0, 0, time.UTC)
	sum1 := run(t1)
	if sum1.Totals.Committed != 16 || sum1.Totals.Failed != 0 || sum1.Totals.Unchanged != 0 {
		t.Fatalf("first run totals %+v; partitions %+v", sum1.Totals, sum1.Partitions)
	}
	wantKeys := []string{sum1.Key()}
	for _, a := range accts {
		wantKeys = append(wantKeys, wants[a].keys(a, t1, "parquet")...)
		wants[a].check(t, st, a)
	}
	keys1 := storeKeys(t, st, "")
	sameStrings(t, "first run objects", keys1, wantKeys)

	// Second run: nothing changed upstream, nothing is written but the run summary.
	t2 := t1.Add(time.Hour)
	sum2 := run(t2)
	if sum2.Totals.Unchanged != 16 || sum2.Totals.Committed != 0 || sum2.Totals.Failed != 0 {
		t.Fatalf("second run totals %+v", sum2.Totals)
	}
	sameStrings(t, "second run objects", storeKeys(t, st, ""), append(slices.Clone(keys1), sum2.Key()))

	// Upstream drops one post (one that has comments) of northwind on 2024-01-02: exactly
	// its posts and comments partitions of that day are replaced.
	day := demoFrom.AddDate(0, 0, 1)
	var gone string
	posts := fakeapi.DemoPosts(demoSeed, "northwind", day)
	for _, p := range posts[1 : len(posts)-1] {
		if p.CommentCount > 0 {
			gone = p.ID
			break
		}
	}
	if gone == "" {
		t.Fatalf("no inner post with comments on %s", day.Format(time.DateOnly))
	}
	api.set(gone)
	t3 := t2.Add(time.Hour)
	sum3 := run(t3)
	changed := map[string]bool{}
	for _, stream := range []string{"posts", "comments"} {
		changed[partitionKey("demo", "northwind", stream, day)] = true
	}
	wantOutcome := map[string]string{}
	for _, p := range sum1.Partitions {
		wantOutcome[p.Partition] = engine.OutcomeUnchanged
		if changed[p.Partition] {
			wantOutcome[p.Partition] = engine.OutcomeCommitted
		}
	}
	if got := outcomes(sum3); !maps.Equal(got, wantOutcome) {
		t.Fatalf("third run outcomes %v, want %v", got, wantOutcome)
	}

	// The replaced partitions hold their new generation only; every other key is kept.
	tsOf := func(p layout.Partition) time.Time {
		if changed[p.String()] {
			return t3
		}
		return t1
	}
	wantKeys = []string{sum1.Key(), sum2.Key(), sum3.Key()}
	for _, a := range accts {
		w := wants[a]
		if a == "northwind" {
			w = wantDemo(t, a, gone)
		}
		wantKeys = append(wantKeys, w.keysAt(a, tsOf, "parquet")...)
		w.check(t, st, a)
	}
	got := storeKeys(t, st, "")
	sameStrings(t, "third run objects", got, wantKeys)
	for p := range changed {
		day, _ := time.Parse(time.DateOnly, p[strings.LastIndex(p, "/")+1:])
		part := layout.Partition{Stream: layout.Stream{Source: "demo", Account: "northwind", Name: strings.Split(p, "/")[2]}, Day: day}
		for _, old := range []string{part.DataKey(layout.Timestamp(t1), "parquet"), part.MetadataKey(layout.Timestamp(t1))} {
			if !slices.Contains(keys1, old) || slices.Contains(got, old) {
				t.Errorf("superseded %s: stored before %t, still stored %t; want true, false", old, slices.Contains(keys1, old), slices.Contains(got, old))
			}
		}
		m, _, err := ledger.ReadManifest(context.Background(), st, part.ManifestKey())
		if err != nil || m == nil {
			t.Fatalf("manifest of %s: %v", p, err)
		}
		wantFiles := []string{part.DataKey(layout.Timestamp(t3), "parquet"), part.MetadataKey(layout.Timestamp(t3))}
		if m.RunTimestamp != layout.Timestamp(t3) || !slices.Equal(m.Keys(), wantFiles) {
			t.Errorf("manifest of %s: run %s, files %v; want %s, %v", p, m.RunTimestamp, m.Keys(), layout.Timestamp(t3), wantFiles)
		}
	}
}

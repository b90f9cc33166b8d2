package engine_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// BenchmarkRun measures the whole pipeline in process: loopback fake API → extraction,
// hashing, de-duplication → zstd Parquet → local store. make bench runs the same job
// through the binary and compares it with a raw download.
func BenchmarkRun(b *testing.B) {
	sp, err := spec.Load("../fakeapi/testdata/bench.yaml")
	if err != nil {
		b.Fatal(err)
	}
	opt := fakeapi.BenchOptions{Pages: 200, PerPage: 500, Cache: true}
	h, err := fakeapi.NewBench(opt)
	if err != nil {
		b.Fatal(err)
	}
	srv := fakeapi.StartHandler(b, h)
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for range b.N {
		st, err := store.NewLocal(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		c, err := httpapi.NewClient(httpapi.Config{Spec: sp, HTTP: &http.Client{}})
		if err != nil {
			b.Fatal(err)
		}
		sum, err := engine.Run(context.Background(), engine.Options{Store: st, Format: format.Parquet, TempDir: b.TempDir(), RunID: "bench"},
			[]engine.Task{{Spec: sp, AccountID: "bench", Client: c, BaseURL: srv.URL}}, engine.Range{From: day, To: day})
		if err != nil || sum.Totals.Records != int64(opt.Pages*opt.PerPage) {
			b.Fatalf("run: %v, totals %+v", err, sum.Totals)
		}
	}
	b.ReportMetric(float64(opt.Pages*opt.PerPage*b.N)/b.Elapsed().Seconds(), "records/s")
}

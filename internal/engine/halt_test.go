package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
)

// An exhausted quota stops the account for the rest of the run: its later windows fail
// at once, without sending requests that can only fail the same way.
func TestQuotaStopsTheAccount(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	f := fakeapi.NewFaults(fakeapi.NewX(fakeapi.Options{Seed: xSeed, Now: func() time.Time { return now }, UsageCap: 1}), nil)
	base := fakeapi.StartHandler(t, f).URL + "/2"
	// 90 days: three 30-day windows of the x spec, run one at a time.
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, 89)
	sum := runE2E(t, e2eRun{
		Store: localStore(t), Spec: xSpec(t), BaseURL: base, Format: format.Parquet,
		Accounts: accounts(map[string]string{"token": fakeapi.XDefaultToken}, xUser),
		Range:    engine.Range{From: from, To: to}, RunTime: now, Now: now, Concurrency: 1,
	})
	if sum.Totals.Failed != 90 || sum.ExitCode() != 1 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	// The usage cap answers the first page of the first window after one tweet was read;
	// the other two windows are not attempted.
	if n := len(f.Requests()); n != 2 {
		t.Fatalf("server saw %d requests, want 2 (first window only)", n)
	}
	var notAttempted int
	for _, p := range sum.Partitions {
		if strings.HasPrefix(p.Error, "not attempted: an earlier window of this account failed with: ") {
			notAttempted++
		}
	}
	if notAttempted != 60 {
		t.Errorf("%d partitions not attempted, want 60", notAttempted)
	}
}

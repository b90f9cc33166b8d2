package engine_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

const (
	xSeed = 7
	xUser = "2244994945"
)

func xSpec(t *testing.T) *spec.Spec {
	t.Helper()
	sp, err := spec.Lookup("x", nil)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// startX serves the X fake, with its clock at now, and returns it (recording requests)
// and the base URL the x spec needs.
func startX(t *testing.T, now time.Time) (*fakeapi.Faults, string) {
	t.Helper()
	f := fakeapi.NewFaults(fakeapi.NewX(fakeapi.Options{Seed: xSeed, Now: func() time.Time { return now }}), nil)
	return f, fakeapi.StartHandler(t, f).URL + "/2"
}

// runX runs the x source for xUser over [from, to] at runTime, with the engine's clock
// at now.
func runX(t *testing.T, st store.Store, base string, f format.Format, from, to, runTime, now time.Time) *engine.Summary {
	t.Helper()
	return runE2E(t, e2eRun{
		Store: st, Spec: xSpec(t), BaseURL: base, Format: f, Refresh: true,
		Accounts: accounts(map[string]string{"token": fakeapi.XDefaultToken}, xUser),
		Range:    engine.Range{From: from, To: to}, RunTime: runTime, Now: now,
	})
}

// wantTweets are the records of tweets as the x spec stores them.
func wantTweets(t *testing.T, tweets []fakeapi.Tweet) []map[string]any {
	t.Helper()
	out := []map[string]any{}
	for _, tw := range tweets {
		m := plainJSON(t, tw)
		m["created_at"] = tw.Created.Format(time.RFC3339Nano)
		m[engine.KeyColumn] = tw.ID
		out = append(out, m)
	}
	return out
}

// checkXPartitions compares every partition of days with the tweets the fake made, and
// the stored object set with exactly one generation per partition plus the run summaries.
func checkXPartitions(t *testing.T, st store.Store, f format.Format, days []time.Time, tweets func(d time.Time) []fakeapi.Tweet, ts time.Time, summaries ...string) {
	t.Helper()
	wantKeys := append([]string{}, summaries...)
	for _, d := range days {
		p := layout.Partition{Stream: layout.Stream{Source: "x", Account: xUser, Name: "tweets"}, Day: d}
		want := wantTweets(t, tweets(d))
		var got []map[string]any
		for _, k := range storeKeys(t, st, p.Dir()+"/data_") {
			got = append(got, readRecords(t, st, k)...)
		}
		sameRecords(t, p.String(), got, want)
		for _, r := range got {
			if id, _ := r["id"].(string); len(id) != 19 || strings.Trim(id, "0123456789") != "" {
				t.Errorf("%s: id %q is not a 19-digit string", p, id)
			}
		}
		if len(want) > 0 {
			wantKeys = append(wantKeys, p.DataKey(layout.Timestamp(ts), f.Ext()))
		}
		wantKeys = append(wantKeys, p.MetadataKey(layout.Timestamp(ts)), p.ManifestKey())

		m := readMeta(t, st, p.MetadataKey(layout.Timestamp(ts)))
		n := int64(len(want))
		if m.Counts != (engine.Counts{Fetched: n, Written: n}) {
			t.Errorf("%s: counts %+v, want %d fetched and written", p, m.Counts, n)
		}
		if m.WindowCounts.OutOfWindow != 0 || m.WindowCounts.Rejected != 0 {
			t.Errorf("%s: window counts %+v", p, m.WindowCounts)
		}
	}
	sameStrings(t, "objects", storeKeys(t, st, ""), wantKeys)
}

func TestXTimelineEndToEnd(t *testing.T) {
	from, to := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 3, 10, 8, 0, 0, 0, time.UTC)
	days := engine.Range{From: from, To: to}.Days()
	all := fakeapi.XRange(xSeed, xUser, from, to.AddDate(0, 0, 1))
	// The data set must exercise what the test claims: tweets on the first and the last
	// second of a UTC day, and an edited tweet with two ids.
	var edges, edited int
	for _, tw := range all {
		if s := tw.Created.Sub(layout.Day(tw.Created)); s < time.Second || s >= 86399*time.Second {
			edges++
		}
		if len(tw.EditHistoryTweetIDs) > 1 {
			edited++
		}
	}
	if len(all) < 10 || edges == 0 || edited == 0 {
		t.Fatalf("seed %d, user %s: %d tweets, %d on a day's edge, %d edited; pick another seed", xSeed, xUser, len(all), edges, edited)
	}
	byDay := func(d time.Time) []fakeapi.Tweet { return fakeapi.XTweets(xSeed, xUser, d) }

	for _, f := range []format.Format{format.Parquet, format.JSONL} {
		t.Run(string(f), func(t *testing.T) {
			srv, base := startX(t, now)
			st := localStore(t)
			run1 := time.Date(2024, 3, 10, 6, 0, 0, 0, time.UTC)
			sum := runX(t, st, base, f, from, to, run1, now)
			if sum.Totals != (engine.Totals{Committed: 5, Records: int64(len(all))}) {
				t.Fatalf("totals %+v; partitions %+v", sum.Totals, sum.Partitions)
			}
			checkXPartitions(t, st, f, days, byDay, run1, sum.Key())
			// One 5-day window: the request carries its bounds in RFC 3339.
			reqs := srv.Requests()
			if len(reqs) == 0 || reqs[0].Query.Get("start_time") != "2024-03-01T00:00:00Z" || reqs[0].Query.Get("end_time") != "2024-03-06T00:00:00Z" {
				t.Errorf("first request %+v", reqs)
			}

			before := storeKeys(t, st, "")
			run2 := run1.Add(time.Hour)
			again := runX(t, st, base, f, from, to, run2, now)
			if again.Totals != (engine.Totals{Unchanged: 5, Records: int64(len(all))}) {
				t.Fatalf("rerun totals %+v", again.Totals)
			}
			for _, p := range again.Partitions {
				if p.Outcome != engine.OutcomeUnchanged {
					t.Errorf("rerun %s: %s", p.Partition, p.Outcome)
				}
			}
			after := storeKeys(t, st, "")
			added := slices.DeleteFunc(slices.Clone(after), func(k string) bool { return slices.Contains(before, k) })
			if !slices.Equal(added, []string{again.Key()}) || len(after) != len(before)+1 {
				t.Errorf("rerun added %v, want only %s", added, again.Key())
			}
		})
	}
}

func TestXRangeEndingTodayIsClampedToNow(t *testing.T) {
	from, to := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 3, 5, 12, 0, 0, 0, time.UTC)
	srv, base := startX(t, now)
	st := localStore(t)
	sum := runX(t, st, base, format.Parquet, from, to, now, now)
	want := map[string]string{
		partitionKey("x", xUser, "tweets", from): engine.OutcomeCommitted,
		partitionKey("x", xUser, "tweets", to):   engine.OutcomeCommitted,
	}
	if got := outcomes(sum); !maps.Equal(got, want) || sum.ExitCode() != 0 {
		t.Fatalf("outcomes %v (exit %d), want %v; partitions %+v", got, sum.ExitCode(), want, sum.Partitions)
	}
	for _, rq := range srv.Requests() {
		if got := rq.Query.Get("end_time"); got != "2024-03-05T12:00:00Z" {
			t.Errorf("request %d: end_time %q, want the engine's now 2024-03-05T12:00:00Z", rq.N, got)
		}
	}
	// Today holds the tweets created before now, and only those.
	tweets := func(d time.Time) []fakeapi.Tweet {
		return slices.DeleteFunc(fakeapi.XTweets(xSeed, xUser, d), func(tw fakeapi.Tweet) bool { return !tw.Created.Before(now) })
	}
	if len(tweets(to)) == len(fakeapi.XTweets(xSeed, xUser, to)) {
		t.Fatalf("no tweet of %s after %s: pick another now, or the test cannot see a clamp", to.Format(time.DateOnly), now.Format(time.TimeOnly))
	}
	checkXPartitions(t, st, format.Parquet, []time.Time{from, to}, tweets, now, sum.Key())
}

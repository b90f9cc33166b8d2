package crashtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/fakeapi"
)

// Seeds of the two demo data sets: runs start with seedOld; scenarios that replace
// partitions rerun against an API serving seedNew.
const (
	seedOld uint64 = 1
	seedNew uint64 = 2
)

// reference is what a clean run leaves in an empty sink: the state every crashed-and-rerun
// scenario must reach.
type reference struct {
	seed     uint64
	snap     *snapshot
	records  int           // total records of the range
	out      *sink         // the sink the clean run wrote, a template for replacing scenarios
	duration time.Duration // how long the clean run took
}

// summaryLine matches the run line of a run that failed nothing; the group is the record total.
var summaryLine = regexp.MustCompile(`(?m)^run [0-9a-f]{12}  ` + fromDay + `\.\.` + toDay + `  committed \d+, unchanged \d+, skipped \d+, failed 0 partitions; (\d+) records$`)

// cleanRun runs sluice once against the demo API of seed into a fresh sink of b and checks
// that the run committed every partition and that the sink holds exactly the demo data
// set: every partition of the range, one generation each, with the records the API serves.
func cleanRun(t *testing.T, b *backend, out *sink, seed uint64, api string) *reference {
	t.Helper()
	sc := newScenario(t, b, out)
	res := sc.run(api, invocation{})
	want := expectedData(seed)
	total := 0
	for _, rows := range want {
		total += len(rows)
	}
	wantLine := fmt.Sprintf("committed %d, unchanged 0, skipped 0, failed 0 partitions; %d records", 2*len(accounts)*days(), total)
	if res.killed || res.code != 0 || !regexp.MustCompile(`(?m)^run [0-9a-f]{12}  `+fromDay+`\.\.`+toDay+`  `+regexp.QuoteMeta(wantLine)+`$`).MatchString(res.stdout) {
		t.Fatalf("clean run: want exit 0 and %q\n%s", wantLine, res.transcript())
	}
	snap, err := take(t.Context(), out)
	if err != nil {
		t.Fatal(err)
	}
	if d := (&snapshot{keys: expectedKeys(want), records: snap.records}).diff(snap); d != "" {
		t.Fatalf("clean run left a sink unlike the demo layout:\n%s", d)
	}
	for f, ids := range want {
		if got := rowIDs(t, f, snap.records[f]); !slices.Equal(got, ids) {
			t.Errorf("%s: record ids %v, want %v (the demo API's)", f, got, ids)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return &reference{seed: seed, snap: snap, records: total, out: out, duration: res.duration}
}

// days is the number of days in the run range.
func days() int {
	from, _ := time.Parse(time.DateOnly, fromDay)
	to, _ := time.Parse(time.DateOnly, toDay)
	return int(to.Sub(from).Hours()/24) + 1
}

// expectedData maps each partition folder of the range to the sorted ids of the records
// the demo API of seed serves for it: the posts created that UTC day, and their comments
// (which live under their post's day).
func expectedData(seed uint64) map[string][]string {
	out := map[string][]string{}
	from, _ := time.Parse(time.DateOnly, fromDay)
	for _, acct := range accounts {
		for i := range days() {
			day := from.AddDate(0, 0, i)
			dir := day.Format("2006/01/02")
			var posts, comments []string
			for _, p := range fakeapi.DemoPosts(seed, acct, day) {
				posts = append(posts, p.ID)
				for _, c := range fakeapi.DemoComments(seed, p.ID) {
					comments = append(comments, c.ID)
				}
			}
			slices.Sort(posts)
			slices.Sort(comments)
			out["demo/"+acct+"/posts/"+dir] = posts
			out["demo/"+acct+"/comments/"+dir] = comments
		}
	}
	return out
}

// expectedKeys lists the normalized keys a clean run leaves for the partitions of want:
// a manifest and a metadata file each, and a data file when the partition has records.
func expectedKeys(want map[string][]string) []string {
	var keys []string
	for f, ids := range want {
		keys = append(keys, statePrefix+f+"/manifest.json", f+"/metadata_{ts}.json")
		if len(ids) > 0 {
			keys = append(keys, f+"/data_{ts}.parquet")
		}
	}
	slices.Sort(keys)
	return keys
}

// rowIDs returns the sorted "id" values of canonical JSON rows; comment rows must also
// name a post of the same account and day in post_id.
func rowIDs(t *testing.T, folder string, rows []string) []string {
	t.Helper()
	var ids []string
	for _, r := range rows {
		var v struct {
			ID     string `json:"id"`
			PostID string `json:"post_id"`
		}
		if err := json.Unmarshal([]byte(r), &v); err != nil {
			t.Fatalf("%s: row %s: %v", folder, r, err)
		}
		ids = append(ids, v.ID)
		if strings.Contains(folder, "/comments/") && !regexp.MustCompile(`^`+regexp.QuoteMeta(v.PostID)+`_\d+$`).MatchString(v.ID) {
			t.Errorf("%s: comment %s has post_id %s", folder, v.ID, v.PostID)
		}
	}
	slices.Sort(ids)
	return ids
}

// recordTotal reads the record total from a successful run's summary line (-1 if absent).
func recordTotal(stdout string) int {
	m := summaryLine.FindStringSubmatch(stdout)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

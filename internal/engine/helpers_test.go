package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// e2eRun describes one engine run of the end-to-end tests: a source, its accounts, the
// store and the clocks. Zero fields take the defaults documented on each.
type e2eRun struct {
	Store    store.Store
	Spec     *spec.Spec
	BaseURL  string
	Accounts []e2eAccount
	Format   format.Format // default Parquet
	Range    engine.Range
	RunTime  time.Time
	RunID    string // default "run1"
	// Now is the engine's current time; default RunTime.
	Now time.Time
	// Clock is every client's clock; default a FakeClock reading Now, so waits are instant.
	Clock httpapi.Clock
	// Timeout bounds each attempt; default 5s.
	Timeout time.Duration
	// Retry is every client's retry policy.
	Retry httpapi.RetryPolicy
	// Concurrency bounds the windows in flight; default the engine's.
	Concurrency int
	// Refresh re-extracts committed partitions (the tests of re-extraction set it).
	Refresh bool
	// CheckpointPages is the checkpoint interval; 0 disables checkpoints.
	CheckpointPages int
	// AllowShrink commits snapshot captures that shrink.
	AllowShrink bool
}

// e2eAccount is one account of a run with its credentials.
type e2eAccount struct {
	ID    string
	Creds map[string]string
}

// accounts turns ids into accounts with the same credentials.
func accounts(creds map[string]string, ids ...string) []e2eAccount {
	out := make([]e2eAccount, len(ids))
	for i, id := range ids {
		out[i] = e2eAccount{ID: id, Creds: creds}
	}
	return out
}

// runE2E runs the engine once and returns its summary; a run that cannot start fails t.
func runE2E(t *testing.T, r e2eRun) *engine.Summary {
	t.Helper()
	if r.Now.IsZero() {
		r.Now = r.RunTime
	}
	if r.Clock == nil {
		r.Clock = httpapi.NewFakeClock(r.Now)
	}
	if r.Timeout == 0 {
		r.Timeout = 5 * time.Second
	}
	if r.RunID == "" {
		r.RunID = "run1"
	}
	var tasks []engine.Task
	for _, a := range r.Accounts {
		c, err := httpapi.NewClient(httpapi.Config{
			Spec: r.Spec, Credentials: a.Creds, Clock: r.Clock, HTTP: &http.Client{},
			Timeout: r.Timeout, Retry: r.Retry, Seed: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, engine.Task{Spec: r.Spec, AccountID: a.ID, Client: c, BaseURL: r.BaseURL})
	}
	now := r.Now
	sum, err := engine.Run(context.Background(), engine.Options{
		Store: r.Store, Format: r.Format, TempDir: t.TempDir(), RunID: r.RunID, RunTime: r.RunTime,
		Now: func() time.Time { return now }, Concurrency: r.Concurrency,
		Refresh: r.Refresh, CheckpointPages: r.CheckpointPages, AllowShrink: r.AllowShrink,
	}, tasks, r.Range)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return sum
}

// localStore is an empty local store in a temp dir.
func localStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// storeKeys lists the keys under prefix, in lexical order.
func storeKeys(t *testing.T, st store.Store, prefix string) []string {
	t.Helper()
	var out []string
	for obj, err := range st.List(context.Background(), prefix) {
		if err != nil {
			t.Fatalf("list %q: %v", prefix, err)
		}
		out = append(out, obj.Key)
	}
	return out
}

// readObject returns the bytes stored at key.
func readObject(t *testing.T, st store.Store, key string) []byte {
	t.Helper()
	rc, _, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data
}

// readMeta decodes the metadata file at key.
func readMeta(t *testing.T, st store.Store, key string) engine.Metadata {
	t.Helper()
	var m engine.Metadata
	if err := json.Unmarshal(readObject(t, st, key), &m); err != nil {
		t.Fatalf("metadata %s: %v", key, err)
	}
	return m
}

var hashText = regexp.MustCompile(`^[0-9a-f]{32}$`)

// readRecords reads the data file at key (Parquet with format.ReadParquet, JSON Lines by
// parsing each line as JSON) into plain JSON values: strings, json.Number, bools, maps
// and slices, timestamps as RFC 3339 UTC text. Null and missing values are left out,
// because Parquet cannot tell them apart. Every record's _hash is checked (32 hex
// digits) and removed, since it is derived, not data.
func readRecords(t *testing.T, st store.Store, key string) []map[string]any {
	t.Helper()
	data := readObject(t, st, key)
	var out []map[string]any
	switch {
	case strings.HasSuffix(key, ".parquet"):
		sch, rows, err := format.ReadParquet(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for row, err := range rows {
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			out = append(out, objectOf(t, sch.Fields, row))
		}
	case strings.HasSuffix(key, ".jsonl"):
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("%s: line %q: %v", key, sc.Text(), err)
			}
			out = append(out, dropNulls(m).(map[string]any))
		}
	default:
		t.Fatalf("%s: not a data file", key)
	}
	for _, m := range out {
		h, _ := m[engine.HashColumn].(string)
		if !hashText.MatchString(h) {
			t.Errorf("%s: record %v: _hash %q is not 32 hex digits", key, m[engine.KeyColumn], h)
		}
		delete(m, engine.HashColumn)
	}
	return out
}

// objectOf turns a row of fields into a plain JSON object.
func objectOf(t *testing.T, fields []schema.Field, vals []record.Value) map[string]any {
	m := map[string]any{}
	for i, f := range fields {
		if i >= len(vals) {
			break
		}
		if v := plainValue(t, f, vals[i]); v != nil {
			m[f.Name] = v
		}
	}
	return m
}

// plainValue is v as a plain JSON value (nil for null and absent).
func plainValue(t *testing.T, f schema.Field, v record.Value) any {
	switch v.Kind {
	case record.Absent, record.Null:
		return nil
	case record.String:
		return v.S
	case record.Int:
		return json.Number(strconv.FormatInt(v.I, 10))
	case record.Float:
		return json.Number(strconv.FormatFloat(v.F, 'g', -1, 64))
	case record.Bool:
		return v.I == 1
	case record.Time:
		return time.UnixMicro(v.I).UTC().Format(time.RFC3339Nano)
	case record.Date:
		return time.Unix(v.I*86400, 0).UTC().Format(time.DateOnly)
	case record.JSON:
		dec := json.NewDecoder(strings.NewReader(v.S))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			t.Fatalf("field %s: json %q: %v", f.Name, v.S, err)
		}
		return dropNulls(x)
	case record.List:
		out := []any{}
		for _, e := range v.L {
			var item schema.Field
			if f.Items != nil {
				item = *f.Items
			}
			out = append(out, plainValue(t, item, e))
		}
		return out
	case record.Object:
		return objectOf(t, f.Fields, v.L)
	}
	t.Fatalf("field %s: unknown kind %d", f.Name, v.Kind)
	return nil
}

// dropNulls removes null members of objects, recursively.
func dropNulls(x any) any {
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			if v == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(v)
		}
	case []any:
		for i, v := range x {
			x[i] = dropNulls(v)
		}
	}
	return x
}

// plainJSON marshals v and decodes it the way readRecords does, for expected records.
func plainJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return dropNulls(m).(map[string]any)
}

// byKey indexes records by their _key, failing on a repeated key.
func byKey(t *testing.T, recs []map[string]any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, r := range recs {
		k, _ := r[engine.KeyColumn].(string)
		if _, dup := out[k]; dup {
			t.Errorf("record %q appears twice", k)
		}
		out[k] = r
	}
	return out
}

// sameRecords reports every difference between two sets of records (compared by _key).
func sameRecords(t *testing.T, what string, got, want []map[string]any) {
	t.Helper()
	g, w := byKey(t, got), byKey(t, want)
	for k, wr := range w {
		gr, ok := g[k]
		switch {
		case !ok:
			t.Errorf("%s: record %s missing", what, k)
		case !reflect.DeepEqual(gr, wr):
			t.Errorf("%s: record %s\n got %v\nwant %v", what, k, gr, wr)
		}
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("%s: unexpected record %s: %v", what, k, g[k])
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d records, want %d", what, len(got), len(want))
	}
}

// sameStrings fails t when got and want differ, showing both.
func sameStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = sortedCopy(got), sortedCopy(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func sortedCopy(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}

// outcomes maps each partition of a summary to its outcome.
func outcomes(sum *engine.Summary) map[string]string {
	out := map[string]string{}
	for _, p := range sum.Partitions {
		out[p.Partition] = p.Outcome
	}
	return out
}

// partitionKey is a partition's name as PartitionResult.Partition writes it.
func partitionKey(source, account, stream string, day time.Time) string {
	return fmt.Sprintf("%s/%s/%s/%s", source, account, stream, day.Format(time.DateOnly))
}

// The demo run of the fault and S3 tests: four UTC days of one seed.
const demoSeed = 1

var (
	demoFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	demoTo   = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)
)

func demoSpec(t *testing.T) *spec.Spec {
	t.Helper()
	sp, err := spec.Lookup("demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// demoWant is what a clean demo run must store for one account: the records of every
// partition, by stream and day.
type demoWant map[string]map[time.Time][]map[string]any

// wantDemo computes the records of a clean demo run from the fake's own data, leaving out
// the posts whose ids are in drop (and their comments).
func wantDemo(t *testing.T, account string, drop ...string) demoWant {
	t.Helper()
	w := demoWant{"posts": {}, "comments": {}}
	for d := demoFrom; !d.After(demoTo); d = d.AddDate(0, 0, 1) {
		w["posts"][d], w["comments"][d] = []map[string]any{}, []map[string]any{}
		for _, p := range fakeapi.DemoPosts(demoSeed, account, d) {
			if slices.Contains(drop, p.ID) {
				continue
			}
			pm := plainJSON(t, p)
			pm["created_time"] = p.Created.Format(time.RFC3339Nano)
			pm[engine.KeyColumn] = p.ID
			w["posts"][d] = append(w["posts"][d], pm)
			for _, c := range fakeapi.DemoComments(demoSeed, p.ID) {
				cm := plainJSON(t, c)
				cm["created_time"] = c.Created.Format(time.RFC3339Nano)
				cm["post_id"] = p.ID
				cm[engine.KeyColumn] = c.ID
				w["comments"][d] = append(w["comments"][d], cm)
			}
		}
	}
	return w
}

// keys are the data and metadata keys of a run at ts that wrote every partition of w,
// and the partitions' manifests.
func (w demoWant) keys(account string, ts time.Time, ext string) []string {
	return w.keysAt(account, func(layout.Partition) time.Time { return ts }, ext)
}

// keysAt is keys with each partition's generation written by the run at ts(partition).
func (w demoWant) keysAt(account string, ts func(layout.Partition) time.Time, ext string) []string {
	var out []string
	for stream, days := range w {
		for d, recs := range days {
			p := layout.Partition{Stream: layout.Stream{Source: "demo", Account: account, Name: stream}, Day: d}
			stamp := layout.Timestamp(ts(p))
			if len(recs) > 0 {
				out = append(out, p.DataKey(stamp, ext))
			}
			out = append(out, p.MetadataKey(stamp), p.ManifestKey())
		}
	}
	return out
}

// check compares every data file of the account in st with w.
func (w demoWant) check(t *testing.T, st store.Store, account string) {
	t.Helper()
	for stream, days := range w {
		for d, want := range days {
			p := layout.Partition{Stream: layout.Stream{Source: "demo", Account: account, Name: stream}, Day: d}
			var got []map[string]any
			for _, k := range storeKeys(t, st, p.Dir()+"/data_") {
				got = append(got, readRecords(t, st, k)...)
				checkFileInfo(t, st, k)
			}
			sameRecords(t, p.String(), got, want)
		}
	}
}

// checkFileInfo checks that the metadata beside the data file at key gives its exact
// size and SHA-256.
func checkFileInfo(t *testing.T, st store.Store, key string) {
	t.Helper()
	dir, name := path.Split(key)
	meta := dir + "metadata_" + strings.TrimSuffix(strings.TrimPrefix(name, "data_"), path.Ext(name)) + ".json"
	info := readMeta(t, st, meta).File
	data := readObject(t, st, key)
	sum := sha256.Sum256(data)
	if info == nil || info.Key != key || info.Size != int64(len(data)) || info.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("%s: metadata file %+v, want size %d sha256 %x", key, info, len(data), sum)
	}
}

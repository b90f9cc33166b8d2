package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/spec"
)

// pagedAPI serves fixed pages of records at any path: {"data": [...], "next": "<n>"},
// the page number coming back in the cursor parameter. It counts the requests.
type pagedAPI struct {
	pages [][]string

	mu       sync.Mutex
	requests []string
}

func (a *pagedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.requests = append(a.requests, r.URL.RequestURI())
	a.mu.Unlock()
	n := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		var err error
		if n, err = strconv.Atoi(c); err != nil || n < 0 || n >= len(a.pages) {
			http.Error(w, `{"error":"bad cursor"}`, http.StatusBadRequest)
			return
		}
	}
	var b bytes.Buffer
	b.WriteString(`{"data":[` + strings.Join(a.pages[n], ",") + `]`)
	if n+1 < len(a.pages) {
		fmt.Fprintf(&b, `,"next":"%d"`, n+1)
	}
	b.WriteString("}")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

func (a *pagedAPI) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...)
}

// windowSpec is a one-stream source whose stream is given as YAML (indented by four).
func windowSpec(t *testing.T, stream string) *spec.Spec {
	t.Helper()
	doc := `name: mini
version: "1"
base_url: http://127.0.0.1:9
auth:
  type: none
streams:
  events:
` + stream
	sp, err := spec.Parse([]byte(doc), "mini.yaml")
	if err != nil {
		t.Fatalf("spec: %v\n%s", err, doc)
	}
	return sp
}

// eventsStream is the stream most cases use: server-side window by date, cursor paging,
// id/ts/n declared.
const eventsStream = `    request:
      path: /events
      params:
        from: "{{window.start|date}}"
        to: "{{window.last|date}}"
    records: data
    primary_key: [id]
    date: {field: ts, format: rfc3339}
    window: {format: date, max_days: 31}
    pagination: {type: cursor, cursor_path: next, param: cursor}
    fields:
      - {name: id, type: string}
      - {name: ts, type: timestamp, format: rfc3339}
      - {name: n, type: int}
`

func TestWindowRouting(t *testing.T) {
	cases := []struct {
		name     string
		stream   string
		pages    [][]string
		from, to string
		// want are the records of every partition of the range, as JSON (without _hash).
		want     map[string][]string
		counts   map[string]engine.Counts // per partition; missing days: written = len(want)
		window   engine.WindowCounts
		errors   []string
		requests int
	}{
		{
			name:   "records outside the window are dropped and counted",
			stream: eventsStream,
			pages: [][]string{
				{`{"id":"a","ts":"2024-01-01T23:59:59Z","n":1}`, `{"id":"b","ts":"2024-01-02T00:00:00Z","n":2}`, `{"id":"c","ts":"2024-01-03T23:59:59.999Z","n":3}`},
				{`{"id":"d","ts":"2024-01-04T00:00:00Z","n":4}`, `{"id":"e","ts":"2024-01-03T12:00:00+05:00","n":5}`},
			},
			from: "2024-01-02", to: "2024-01-03",
			want: map[string][]string{
				"2024-01-02": {`{"_key":"b","id":"b","ts":"2024-01-02T00:00:00Z","n":2}`},
				"2024-01-03": {`{"_key":"c","id":"c","ts":"2024-01-03T23:59:59.999Z","n":3}`, `{"_key":"e","id":"e","ts":"2024-01-03T07:00:00Z","n":5}`},
			},
			window:   engine.WindowCounts{Pages: 2, Fetched: 5, OutOfWindow: 2},
			requests: 2,
		},
		{
			name: "meta insights end_time at Los Angeles midnight, shifted one second back",
			stream: `    request: {path: /insights}
    records: data
    primary_key: [id]
    date: {field: end_time, format: "2006-01-02T15:04:05-0700", timezone: America/Los_Angeles, shift: -1s}
    window: {format: unix, max_days: 30}
    pagination: {type: cursor, cursor_path: next, param: cursor}
    fields:
      - {name: id, type: string}
      - {name: value, type: int}
      - {name: end_time, type: timestamp, format: "2006-01-02T15:04:05-0700"}
`,
			pages: [][]string{{
				`{"id":"reach/2023-12-31","value":7,"end_time":"2024-01-01T08:00:00+0000"}`,
				`{"id":"reach/2024-01-01","value":10,"end_time":"2024-01-02T08:00:00+0000"}`,
				`{"id":"reach/2024-01-02","value":12,"end_time":"2024-01-03T08:00:00+0000"}`,
			}},
			from: "2024-01-01", to: "2024-01-02",
			want: map[string][]string{
				"2024-01-01": {`{"_key":"reach/2024-01-01","id":"reach/2024-01-01","value":10,"end_time":"2024-01-02T08:00:00Z"}`},
				"2024-01-02": {`{"_key":"reach/2024-01-02","id":"reach/2024-01-02","value":12,"end_time":"2024-01-03T08:00:00Z"}`},
			},
			window:   engine.WindowCounts{Pages: 1, Fetched: 3, OutOfWindow: 1},
			requests: 1,
		},
		{
			name: "meta insights in daylight saving time",
			stream: `    request: {path: /insights}
    records: data
    primary_key: [id]
    date: {field: end_time, timezone: America/Los_Angeles, shift: -1s}
    window: {format: unix, max_days: 30}
    fields:
      - {name: id, type: string}
      - {name: end_time, type: timestamp}
`,
			pages: [][]string{{
				`{"id":"2024-07-01","end_time":"2024-07-02T07:00:00+0000"}`,
				`{"id":"2024-07-02","end_time":"2024-07-03T07:00:00+0000"}`,
			}},
			from: "2024-07-01", to: "2024-07-01",
			want: map[string][]string{
				"2024-07-01": {`{"_key":"2024-07-01","id":"2024-07-01","end_time":"2024-07-02T07:00:00Z"}`},
			},
			window:   engine.WindowCounts{Pages: 1, Fetched: 2, OutOfWindow: 1},
			requests: 1,
		},
		{
			name: "GA4 date-only yyyymmdd values are their own day, whatever the zone",
			stream: `    request: {path: /report}
    records: data
    primary_key: [date]
    date: {field: date, format: yyyymmdd, timezone: Pacific/Kiritimati}
    window: {format: date, max_days: 30}
    fields:
      - {name: date, type: date, format: yyyymmdd}
      - {name: sessions, type: int}
`,
			pages: [][]string{{
				`{"date":"20240101","sessions":"3"}`, `{"date":"20240102","sessions":"12"}`,
				`{"date":"20240103","sessions":"0"}`, `{"date":"20240104","sessions":"9"}`,
			}},
			from: "2024-01-02", to: "2024-01-03",
			want: map[string][]string{
				"2024-01-02": {`{"_key":"2024-01-02","date":"2024-01-02","sessions":12}`},
				"2024-01-03": {`{"_key":"2024-01-03","date":"2024-01-03","sessions":0}`},
			},
			window:   engine.WindowCounts{Pages: 1, Fetched: 4, OutOfWindow: 2},
			requests: 1,
		},
		{
			name: "client-side window stops at the first page entirely older than the window",
			stream: `    request: {path: /feed}
    records: data
    primary_key: [id]
    date: {field: ts, format: rfc3339}
    window: {client: true}
    pagination: {type: cursor, cursor_path: next, param: cursor}
    fields:
      - {name: id, type: string}
      - {name: ts, type: timestamp, format: rfc3339}
`,
			pages: [][]string{
				{`{"id":"f","ts":"2024-01-05T10:00:00Z"}`, `{"id":"e","ts":"2024-01-03T10:00:00Z"}`},
				{`{"id":"d","ts":"2024-01-03T01:00:00Z"}`, `{"id":"c","ts":"2024-01-02T09:00:00Z"}`},
				{`{"id":"b","ts":"2024-01-02T00:00:00Z"}`, `{"id":"a","ts":"2024-01-01T23:00:00Z"}`},
				{`{"id":"z","ts":"2023-12-31T10:00:00Z"}`, `{"id":"y","ts":"2023-12-30T10:00:00Z"}`},
				{`{"id":"x","ts":"2023-12-29T10:00:00Z"}`},
				{`{"id":"w","ts":"2024-01-02T10:00:00Z"}`},
			},
			from: "2024-01-02", to: "2024-01-03",
			want: map[string][]string{
				"2024-01-02": {`{"_key":"c","id":"c","ts":"2024-01-02T09:00:00Z"}`, `{"_key":"b","id":"b","ts":"2024-01-02T00:00:00Z"}`},
				"2024-01-03": {`{"_key":"e","id":"e","ts":"2024-01-03T10:00:00Z"}`, `{"_key":"d","id":"d","ts":"2024-01-03T01:00:00Z"}`},
			},
			window:   engine.WindowCounts{Pages: 4, Fetched: 8, OutOfWindow: 4},
			requests: 4,
		},
		{
			name:   "duplicates across page boundaries are dropped and counted",
			stream: eventsStream,
			pages: [][]string{
				{`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`, `{"id":"b","ts":"2024-01-02T02:00:00Z","n":2}`},
				{`{"id":"b","ts":"2024-01-02T02:00:00Z","n":2}`, `{"id":"c","ts":"2024-01-03T03:00:00Z","n":3}`},
				{`{"id":"c","ts":"2024-01-03T03:00:00Z","n":3}`, `{"id":"d","ts":"2024-01-03T04:00:00Z","n":4}`},
			},
			from: "2024-01-02", to: "2024-01-03",
			want: map[string][]string{
				"2024-01-02": {`{"_key":"a","id":"a","ts":"2024-01-02T01:00:00Z","n":1}`, `{"_key":"b","id":"b","ts":"2024-01-02T02:00:00Z","n":2}`},
				"2024-01-03": {`{"_key":"c","id":"c","ts":"2024-01-03T03:00:00Z","n":3}`, `{"_key":"d","id":"d","ts":"2024-01-03T04:00:00Z","n":4}`},
			},
			counts: map[string]engine.Counts{
				"2024-01-02": {Fetched: 3, Duplicates: 1, Written: 2},
				"2024-01-03": {Fetched: 3, Duplicates: 1, Written: 2},
			},
			window:   engine.WindowCounts{Pages: 3, Fetched: 6},
			requests: 3,
		},
		{
			name:   "with on_reject: skip a record without its date is rejected and counted",
			stream: eventsStream + "    on_reject: skip\n",
			pages: [][]string{{
				`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1}`, `{"id":"b","n":2}`, `{"id":"c","ts":null,"n":3}`,
			}},
			from: "2024-01-02", to: "2024-01-02",
			want: map[string][]string{
				"2024-01-02": {`{"_key":"a","id":"a","ts":"2024-01-02T01:00:00Z","n":1}`},
			},
			window:   engine.WindowCounts{Pages: 1, Fetched: 3, Rejected: 2},
			errors:   []string{`events: date field "ts" is missing`, `events: date field "ts" is missing`},
			requests: 1,
		},
		{
			name:   "additional_fields keep puts undeclared keys into _extra",
			stream: eventsStream + "    additional_fields: keep\n",
			pages: [][]string{{
				`{"id":"a","ts":"2024-01-02T01:00:00Z","n":1,"color":"red","tags":["x","y"],"geo":{"lat":1.5,"lon":-2}}`,
				`{"id":"b","ts":"2024-01-02T02:00:00Z","n":2}`,
			}},
			from: "2024-01-02", to: "2024-01-02",
			want: map[string][]string{
				"2024-01-02": {
					`{"_key":"a","id":"a","ts":"2024-01-02T01:00:00Z","n":1,"_extra":{"color":"red","tags":["x","y"],"geo":{"lat":1.5,"lon":-2}}}`,
					`{"_key":"b","id":"b","ts":"2024-01-02T02:00:00Z","n":2}`,
				},
			},
			window:   engine.WindowCounts{Pages: 1, Fetched: 2},
			requests: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &pagedAPI{pages: tc.pages}
			srv := fakeapi.StartHandler(t, api)
			st := localStore(t)
			from, _ := time.Parse(time.DateOnly, tc.from)
			to, _ := time.Parse(time.DateOnly, tc.to)
			runTime := time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC)
			sum := runE2E(t, e2eRun{
				Store: st, Spec: windowSpec(t, tc.stream), BaseURL: srv.URL, Accounts: accounts(nil, "acct"),
				Format: format.Parquet, Range: engine.Range{From: from, To: to}, RunTime: runTime,
			})
			if sum.Totals.Failed != 0 {
				t.Fatalf("partitions %+v", sum.Partitions)
			}
			if got := api.seen(); len(got) != tc.requests {
				t.Errorf("server saw %d requests %v, want %d", len(got), got, tc.requests)
			}

			ts := layout.Timestamp(runTime)
			wantKeys := []string{sum.Key()}
			for _, d := range (engine.Range{From: from, To: to}).Days() {
				p := layout.Partition{Stream: layout.Stream{Source: "mini", Account: "acct", Name: "events"}, Day: d}
				want := parseRecords(t, tc.want[d.Format(time.DateOnly)])
				var got []map[string]any
				for _, k := range storeKeys(t, st, p.Dir()+"/data_") {
					got = append(got, readRecords(t, st, k)...)
				}
				sameRecords(t, p.String(), got, want)
				if len(want) > 0 {
					wantKeys = append(wantKeys, p.DataKey(ts, "parquet"))
				}
				wantKeys = append(wantKeys, p.MetadataKey(ts), p.ManifestKey())

				m := readMeta(t, st, p.MetadataKey(ts))
				wantCounts, ok := tc.counts[d.Format(time.DateOnly)]
				if !ok {
					wantCounts = engine.Counts{Fetched: int64(len(want)), Written: int64(len(want))}
				}
				if m.Counts != wantCounts {
					t.Errorf("%s: counts %+v, want %+v", p, m.Counts, wantCounts)
				}
				if m.WindowCounts != tc.window {
					t.Errorf("%s: window counts %+v, want %+v", p, m.WindowCounts, tc.window)
				}
				if !reflect.DeepEqual(m.ErrorsSampled, tc.errors) {
					t.Errorf("%s: errors sampled %q, want %q", p, m.ErrorsSampled, tc.errors)
				}
			}
			// Nothing was misfiled outside the range.
			sameStrings(t, "objects", storeKeys(t, st, ""), wantKeys)
		})
	}
}

// parseRecords decodes expected records written as JSON.
func parseRecords(t *testing.T, lines []string) []map[string]any {
	t.Helper()
	out := []map[string]any{}
	for _, l := range lines {
		dec := json.NewDecoder(strings.NewReader(l))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("expected record %s: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

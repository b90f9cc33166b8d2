package crashtest

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/ledger"
)

// TestSnapshotFindsBrokenSinks proves the checker can fail: each case stores a partition
// folder in a broken state and expects the exact complaint.
func TestSnapshotFindsBrokenSinks(t *testing.T) {
	const (
		dir   = "demo/northwind/comments/2024/03/01"
		meta1 = dir + "/metadata_20240301T000000Z.json"
		meta2 = dir + "/metadata_20240302T000000Z.json"
		data2 = dir + "/data_20240302T000000Z.parquet"
		man   = "_sluice/state/" + dir + "/manifest.json"
	)
	manifest := func(keys ...string) string {
		m := &ledger.Manifest{Version: ledger.ManifestVersion, Partition: "demo/northwind/comments/2024-03-01"}
		for _, k := range keys {
			m.Files = append(m.Files, ledger.File{Key: k, Role: "metadata"})
		}
		return string(m.Encode())
	}
	tests := []struct {
		name    string
		objects map[string]string
		want    string // the diff against a reference of one committed empty partition
	}{
		{"converged", map[string]string{man: manifest(meta1), meta1: "{}"}, ""},
		{"converged, other run timestamp", map[string]string{man: manifest(meta2), meta2: "{}"}, ""},
		{"orphan of a crashed run", map[string]string{man: manifest(meta1), meta1: "{}", data2: "x"},
			"invariant broken: " + dir + ": holds " + data2 + " " + meta1 + "; its manifest names " + meta1 + "\n+ " + dir + "/data_{ts}.parquet (left over)\n"},
		{"superseded file left", map[string]string{man: manifest(meta2), meta1: "{}", meta2: "{}"},
			"invariant broken: " + dir + ": holds " + meta1 + " " + meta2 + "; its manifest names " + meta2 + "\n+ " + dir + "/metadata_{ts}.json (left over)\n"},
		{"two generations named", map[string]string{man: manifest(meta1, meta2), meta1: "{}", meta2: "{}"},
			"invariant broken: " + dir + ": not exactly one generation: " + meta1 + " " + meta2 + "\n+ " + dir + "/metadata_{ts}.json (left over)\n"},
		{"files without manifest", map[string]string{meta1: "{}"},
			"invariant broken: " + dir + ": files without a manifest: " + meta1 + "\n- " + man + " (missing)\n"},
		{"lease left", map[string]string{man: manifest(meta1), meta1: "{}", "_sluice/leases/demo/northwind/posts.json": "{}"},
			"lease left after a completed run: _sluice/leases/demo/northwind/posts.json\n"},
		{"run summaries ignored", map[string]string{man: manifest(meta1), meta1: "{}", "_sluice/runs/2024/03/01/run_20240301T000000Z_abc.json": "{}"}, ""},
	}
	// The reference: one committed partition without records (keys sorted: '_' < 'd').
	want := &snapshot{keys: []string{man, dir + "/metadata_{ts}.json"}, records: map[string][]string{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := localSink(t, t.TempDir())
			for k, v := range tt.objects {
				if _, err := s.st.Create(t.Context(), k, strings.NewReader(v), int64(len(v))); err != nil {
					t.Fatal(err)
				}
			}
			got, err := take(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			if d := want.diff(got); d != tt.want {
				t.Errorf("diff =\n%s\nwant\n%s", d, tt.want)
			}
		})
	}
}

// TestDiffRecords proves a record difference in a partition is reported exactly.
func TestDiffRecords(t *testing.T) {
	const f = "demo/contoso/posts/2024/03/02"
	want := &snapshot{records: map[string][]string{f: {`{"id":"1"}`, `{"id":"2"}`}}}
	tests := []struct {
		name string
		got  []string
		diff string
	}{
		{"same", []string{`{"id":"1"}`, `{"id":"2"}`}, ""},
		{"lost", []string{`{"id":"2"}`}, f + `: 1 records, want 2; 1 missing, 0 unexpected; first missing {"id":"1"}` + "\n"},
		{"duplicated", []string{`{"id":"1"}`, `{"id":"1"}`, `{"id":"2"}`}, f + `: 3 records, want 2; 0 missing, 1 unexpected; first unexpected {"id":"1"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := want.diff(&snapshot{records: map[string][]string{f: tt.got}}); d != tt.diff {
				t.Errorf("diff =\n%s\nwant\n%s", d, tt.diff)
			}
		})
	}
}

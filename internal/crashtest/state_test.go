package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
)

// Key prefixes of the tool's own objects that a comparison leaves out or treats apart.
const (
	runsPrefix   = "_sluice/runs/"
	leasesPrefix = "_sluice/leases/"
	statePrefix  = "_sluice/state/"
)

var (
	// runTS matches the run timestamp in object names.
	runTS = regexp.MustCompile(`\d{8}T\d{6}Z`)
	// partitionFile matches a file of an incremental partition: folder, role, timestamp.
	partitionFile = regexp.MustCompile(`^(demo/[^/]+/[^/]+/\d{4}/\d\d/\d\d)/(data|metadata)_(\d{8}T\d{6}Z)\.(parquet|json)$`)
	// manifestKey matches a partition manifest; the group is the partition folder.
	manifestKey = regexp.MustCompile(`^_sluice/state/(demo/[^/]+/[^/]+/\d{4}/\d\d/\d\d)/manifest\.json$`)
)

// snapshot is what a sink holds, in the terms a crash test compares.
type snapshot struct {
	// keys are the object keys with run timestamps replaced by {ts}, sorted; run summaries
	// and leases are left out.
	keys []string
	// records maps a partition folder to its data file's rows as canonical JSON, sorted.
	records map[string][]string
	// leases are the keys of stream leases still stored.
	leases []string
	// problems are broken invariants: a partition folder whose files are not exactly the
	// generation its manifest names, or that holds more than one generation.
	problems []string
}

// take reads the whole sink: every key, every manifest and every data file.
func take(ctx context.Context, s *sink) (*snapshot, error) {
	snap := &snapshot{records: map[string][]string{}}
	files := map[string][]string{}   // partition folder → its file keys
	manifests := map[string]string{} // partition folder → manifest key
	for obj, err := range s.st.List(ctx, "") {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.url, err)
		}
		k := obj.Key
		switch {
		case strings.HasPrefix(k, runsPrefix):
			continue
		case strings.HasPrefix(k, leasesPrefix):
			snap.leases = append(snap.leases, k)
			continue
		}
		snap.keys = append(snap.keys, runTS.ReplaceAllString(k, "{ts}"))
		if m := partitionFile.FindStringSubmatch(k); m != nil {
			files[m[1]] = append(files[m[1]], k)
		} else if m := manifestKey.FindStringSubmatch(k); m != nil {
			manifests[m[1]] = k
		}
	}
	slices.Sort(snap.keys)
	folders := slices.Sorted(maps.Keys(files))
	for f := range manifests {
		if files[f] == nil {
			snap.problems = append(snap.problems, fmt.Sprintf("%s: manifest without files", f))
		}
	}
	var h record.Hasher
	for _, f := range folders {
		got := files[f]
		mk, ok := manifests[f]
		if !ok {
			snap.problems = append(snap.problems, fmt.Sprintf("%s: files without a manifest: %s", f, strings.Join(got, " ")))
			continue
		}
		m, _, err := ledger.ReadManifest(ctx, s.st, mk)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", mk, err)
		}
		want := slices.Sorted(slices.Values(m.Keys()))
		if !slices.Equal(got, want) {
			snap.problems = append(snap.problems, fmt.Sprintf("%s: holds %s; its manifest names %s", f, strings.Join(got, " "), strings.Join(want, " ")))
			continue
		}
		if p := generationProblem(f, got); p != "" {
			snap.problems = append(snap.problems, p)
			continue
		}
		for _, k := range got {
			if !strings.HasSuffix(k, ".parquet") {
				continue
			}
			rows, err := readRows(ctx, s, k, &h)
			if err != nil {
				return nil, err
			}
			snap.records[f] = rows
		}
	}
	return snap, nil
}

// generationProblem checks that a folder holds one generation: exactly one metadata file,
// at most one data file, both of one run timestamp.
func generationProblem(folder string, keys []string) string {
	roles := map[string]int{}
	stamps := map[string]bool{}
	for _, k := range keys {
		m := partitionFile.FindStringSubmatch(k)
		roles[m[2]]++
		stamps[m[3]] = true
	}
	if roles["metadata"] != 1 || roles["data"] > 1 || len(stamps) != 1 {
		return fmt.Sprintf("%s: not exactly one generation: %s", folder, strings.Join(keys, " "))
	}
	return ""
}

// readRows reads a Parquet data file back and returns its rows as sorted canonical JSON.
func readRows(ctx context.Context, s *sink, key string, h *record.Hasher) ([]string, error) {
	data, err := readObject(ctx, s.st, key)
	if err != nil {
		return nil, err
	}
	sch, rows, err := format.ReadParquet(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	var out []string
	for row, err := range rows {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, string(h.AppendCanonical(nil, sch, row)))
	}
	slices.Sort(out)
	return out, nil
}

// diff describes how got differs from want, the reference; "" means it does not. Leftover
// leases and broken invariants count as differences.
func (want *snapshot) diff(got *snapshot) string {
	var b strings.Builder
	for _, p := range got.problems {
		fmt.Fprintf(&b, "invariant broken: %s\n", p)
	}
	for _, k := range got.leases {
		fmt.Fprintf(&b, "lease left after a completed run: %s\n", k)
	}
	missing, extra := setDiff(want.keys, got.keys)
	for _, k := range missing {
		fmt.Fprintf(&b, "- %s (missing)\n", k)
	}
	for _, k := range extra {
		fmt.Fprintf(&b, "+ %s (left over)\n", k)
	}
	for _, f := range slices.Sorted(maps.Keys(want.records)) {
		if g, ok := got.records[f]; ok && !slices.Equal(g, want.records[f]) {
			lost, added := setDiff(want.records[f], g)
			fmt.Fprintf(&b, "%s: %d records, want %d; %d missing, %d unexpected", f, len(g), len(want.records[f]), len(lost), len(added))
			if len(lost) > 0 {
				fmt.Fprintf(&b, "; first missing %s", lost[0])
			}
			if len(added) > 0 {
				fmt.Fprintf(&b, "; first unexpected %s", added[0])
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// setDiff returns the elements of the sorted a missing from the sorted b, and those of b
// missing from a (counting repeats).
func setDiff(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}

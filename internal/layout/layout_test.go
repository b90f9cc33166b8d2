package layout

import (
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	day := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	ts := Timestamp(time.Date(2024, 1, 16, 10, 30, 0, 0, time.FixedZone("x", 3600)))
	p := Partition{Stream: Stream{Source: "x", Account: "2244994945", Name: "tweets"}, Day: day}
	cases := []struct{ name, got, want string }{
		{"ts", ts, "20240116T093000Z"},
		{"data", p.DataKey(ts, "parquet"), "x/2244994945/tweets/2024/01/15/data_20240116T093000Z.parquet"},
		{"jsonl", p.DataKey(ts, "jsonl"), "x/2244994945/tweets/2024/01/15/data_20240116T093000Z.jsonl"},
		{"metadata", p.MetadataKey(ts), "x/2244994945/tweets/2024/01/15/metadata_20240116T093000Z.json"},
		{"quality", p.QualityKey(ts), "x/2244994945/tweets/2024/01/15/quality_20240116T093000Z.json"},
		{"manifest", p.ManifestKey(), "_sluice/state/x/2244994945/tweets/2024/01/15/manifest.json"},
		{"lease", p.LeaseKey(), "_sluice/leases/x/2244994945/tweets.json"},
		{"snapshot", p.SnapshotKey(day, ts, "parquet"), "x/2244994945/snapshots/tweets/snapshot_2024-01-15_20240116T093000Z.parquet"},
		{"diff", p.DiffKey(day, day.AddDate(0, 0, 1), ts, "parquet"), "x/2244994945/diffs/tweets/diff_2024-01-15_2024-01-16_20240116T093000Z.parquet"},
		{"run", RunKey(time.Date(2024, 1, 16, 9, 30, 0, 0, time.UTC), "r1"), "_sluice/runs/2024/01/16/run_20240116T093000Z_r1.json"},
		{"string", p.String(), "x/2244994945/tweets/2024-01-15"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestCheckSegment(t *testing.T) {
	cases := []struct {
		in, err string
	}{
		{"2244994945", ""},
		{"urn:li:organization:2414183", ""},
		{"user@mastodon.social", ""},
		{"", "must not be empty"},
		{"..", `must not be ".."`},
		{".", `must not be "."`},
		{"a/b", "must not contain / or \\ (it would change the storage path)"},
		{`a\b`, "must not contain / or \\ (it would change the storage path)"},
		{"a\nb", "must not contain control characters"},
		{"a\x00b", "must not contain control characters"},
		{"\xff", "must be valid UTF-8"},
	}
	for _, c := range cases {
		err := CheckSegment(c.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("CheckSegment(%q) = %q, want %q", c.in, got, c.err)
		}
	}
}

func TestDayAndTimestamp(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip(err)
	}
	// 2024-01-15 20:00 in LA is 2024-01-16 04:00 UTC: the UTC day is the 16th.
	in := time.Date(2024, 1, 15, 20, 0, 0, 0, la)
	if got := Day(in); !got.Equal(time.Date(2024, 1, 16, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Fatalf("Day = %v", got)
	}
	back, err := ParseTimestamp("20240116T040000Z")
	if err != nil || !back.Equal(in) {
		t.Fatalf("ParseTimestamp = %v, %v", back, err)
	}
	if _, err := ParseTimestamp("2024-01-16"); err == nil {
		t.Fatal("want error for malformed timestamp")
	}
}

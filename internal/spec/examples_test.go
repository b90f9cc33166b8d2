package spec

import (
	"path/filepath"
	"sort"
	"testing"
)

// TestExamples parses and validates every example spec, and checks its streams.
func TestExamples(t *testing.T) {
	want := map[string][]string{
		"facebook":          {"comments", "page_post_engagements", "posts"},
		"ga4":               {"daily_devices"},
		"instagram":         {"comments", "follower_count", "media", "profile", "reach"},
		"linkedin":          {"posts", "share_statistics"},
		"mastodon":          {"statuses"},
		"reddit":            {"submitted"},
		"tiktok":            {"research_videos", "videos"},
		"youtube":           {"comment_threads", "videos"},
		"youtube_analytics": {"channel_daily"},
	}
	files, err := filepath.Glob("../../examples/specs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("found %d example specs, want %d: %v", len(files), len(want), files)
	}
	for _, f := range files {
		name := filepath.Base(f[:len(f)-len(".yaml")])
		t.Run(name, func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatalf("Load:\n%v", err)
			}
			if err := Validate(s); err != nil {
				t.Fatalf("Validate:\n%v", err)
			}
			if s.Name != name {
				t.Errorf("name = %q, want %q (the file name)", s.Name, name)
			}
			var streams []string
			for n := range s.Streams {
				streams = append(streams, n)
			}
			sort.Strings(streams)
			if !equalStrings(streams, want[name]) {
				t.Errorf("streams = %v, want %v", streams, want[name])
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

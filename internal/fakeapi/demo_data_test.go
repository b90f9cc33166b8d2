package fakeapi

import (
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestDemoPostsShape(t *testing.T) {
	idRE := regexp.MustCompile(`^[1-9][0-9]{18}$`)
	cases := []struct {
		name    string
		account string
		day     time.Time
	}{
		{"epoch day", "acme", day(1970, 1, 1)},
		{"leap day", "acme", day(2024, 2, 29)},
		{"new year", "globex", day(2024, 12, 31)},
		{"far future", "initech", day(2199, 7, 4)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			posts := DemoPosts(7, tc.account, tc.day.Add(13*time.Hour))
			if n := len(posts); n < 3 || n > 12 {
				t.Fatalf("got %d posts, want 3..12", n)
			}
			newest, oldest := posts[0].Created, posts[len(posts)-1].Created
			if got := newest.Sub(tc.day); got < 86397*time.Second || got > 86399*time.Second {
				t.Errorf("newest post at %s, want within the last 3 seconds of the day", newest)
			}
			if got := oldest.Sub(tc.day); got < 0 || got > 2*time.Second {
				t.Errorf("oldest post at %s, want within the first 3 seconds of the day", oldest)
			}
			var prev int64 = 1<<63 - 1
			for _, p := range posts {
				if !idRE.MatchString(p.ID) {
					t.Errorf("id %q is not 19 digits", p.ID)
				}
				id, _ := strconv.ParseInt(p.ID, 10, 64)
				if id <= 1<<53 || id >= prev {
					t.Errorf("id %d not above 2^53 and strictly below the previous %d", id, prev)
				}
				prev = id
				if want := p.Created.Format("2006-01-02T15:04:05") + "+0000"; p.CreatedTime != want {
					t.Errorf("created_time %q, want %q", p.CreatedTime, want)
				}
				if got, ok := demoPostTime(p.ID); !ok || !got.Equal(p.Created) {
					t.Errorf("id %s encodes %s, want %s", p.ID, got, p.Created)
				}
				if p.CommentCount != len(DemoComments(7, p.ID)) {
					t.Errorf("comment_count %d, want %d", p.CommentCount, len(DemoComments(7, p.ID)))
				}
				if !slices.Contains(demoMediaTypes, p.MediaType) || p.Tags == nil || p.Author != demoAuthor(7, tc.account) {
					t.Errorf("bad post %+v", p)
				}
			}
			if again := DemoPosts(7, tc.account, tc.day); !slices.EqualFunc(posts, again, func(a, b Post) bool { return a.ID == b.ID && a.Message == b.Message }) {
				t.Errorf("DemoPosts is not deterministic")
			}
		})
	}
}

// TestDemoPostsGolden pins the generated data: tests elsewhere (and users' demo outputs)
// depend on it staying the same.
func TestDemoPostsGolden(t *testing.T) {
	posts := DemoPosts(1, "acme", day(2024, 1, 15))
	got := []string{strconv.Itoa(len(posts)), posts[0].ID, posts[0].CreatedTime, posts[len(posts)-1].CreatedTime}
	want := []string{"11", "1170536319841720010", "2024-01-15T23:59:58+0000", "2024-01-15T00:00:00+0000"}
	if !slices.Equal(got, want) {
		t.Errorf("DemoPosts(1, acme, 2024-01-15) = %q, want %q", got, want)
	}
	if DemoPosts(2, "acme", day(2024, 1, 15))[0].ID == posts[0].ID && DemoPosts(2, "acme", day(2024, 1, 15))[0].Message == posts[0].Message {
		t.Errorf("seed 2 serves the same newest post as seed 1")
	}
}

func TestDemoComments(t *testing.T) {
	counts := map[int]int{}
	for _, p := range DemoRange(3, "acme", day(2024, 3, 1), day(2024, 3, 11)) {
		cs := DemoComments(3, p.ID)
		counts[len(cs)]++
		for i, c := range cs {
			if d := c.Created.Sub(p.Created); d < 30*time.Second || d > 72*time.Hour {
				t.Errorf("comment %s is %s after its post, want 30s..72h", c.ID, d)
			}
			if i > 0 && c.Created.Before(cs[i-1].Created) {
				t.Errorf("comments of %s not oldest first", p.ID)
			}
			if c.From.ID == "" || c.From.Name == "" || c.Text == "" {
				t.Errorf("incomplete comment %+v", c)
			}
		}
	}
	for n := 0; n <= 5; n++ {
		if counts[n] == 0 {
			t.Errorf("no post with %d comments in 10 days (counts %v)", n, counts)
		}
	}
	if len(counts) != 6 {
		t.Errorf("comment counts %v, want only 0..5", counts)
	}
	for _, id := range []string{"", "abc", "123", "0999999999999999999"} {
		if got := DemoComments(3, id); got != nil {
			t.Errorf("DemoComments(%q) = %v, want nil", id, got)
		}
	}
}

func TestDemoDuplicates(t *testing.T) {
	cases := []struct {
		name  string
		limit int
		want  int
	}{
		{"limit 1 never repeats", 1, 0},
		{"limit 3", 3, -1},
		{"limit 10", 10, -1},
		{"one page", 100, 0},
	}
	since, until := day(2024, 5, 1), day(2024, 5, 8)
	all := DemoRange(1, "acme", since, until)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pages := DemoPages(1, "acme", since, until, tc.limit)
			seen := map[string]bool{}
			var dedup []Post
			dups := 0
			for i, p := range pages {
				if len(p) == 0 || len(p) > tc.limit {
					t.Fatalf("page %d has %d records (limit %d)", i, len(p), tc.limit)
				}
				if i > 0 && p[0].ID == pages[i-1][len(pages[i-1])-1].ID {
					dups++
				}
				for _, r := range p {
					if !seen[r.ID] {
						seen[r.ID] = true
						dedup = append(dedup, r)
					}
				}
			}
			if got := DemoDuplicates(1, "acme", since, until, tc.limit); got != dups {
				t.Errorf("DemoDuplicates = %d, boundaries repeating = %d", got, dups)
			}
			if tc.want >= 0 && dups != tc.want {
				t.Errorf("duplicates = %d, want %d", dups, tc.want)
			}
			if tc.want < 0 && dups == 0 {
				t.Errorf("no duplicates with limit %d over %d records", tc.limit, len(all))
			}
			if !slices.EqualFunc(dedup, all, func(a, b Post) bool { return a.ID == b.ID }) {
				t.Errorf("deduplicated pages hold %d records, want the %d of the range in order", len(dedup), len(all))
			}
		})
	}
}

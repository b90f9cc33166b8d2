package fakeapi

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// DemoTimeLayout is how the demo API writes times, like Meta's Graph API: UTC with a
// "+0000" offset that has no colon.
const DemoTimeLayout = "2006-01-02T15:04:05-0700"

// demoIDBase keeps every demo post id at 19 digits (and above 2^53) for any date from 1970
// on; the post's creation second is encoded in it, so ids sort like creation times.
const demoIDBase = 1_000_000_000_000_000_000

// Post is one record of the demo posts stream, exactly as the server encodes it.
type Post struct {
	ID           string   `json:"id"`
	CreatedTime  string   `json:"created_time"`
	Message      string   `json:"message,omitempty"` // absent on media-only posts
	LikeCount    int      `json:"like_count"`
	CommentCount int      `json:"comment_count"` // equals len(DemoComments(seed, ID))
	Author       Author   `json:"author"`
	Tags         []string `json:"tags"` // never null; [] when untagged
	MediaType    string   `json:"media_type"`

	// Created is CreatedTime parsed (UTC); it is not part of the JSON.
	Created time.Time `json:"-"`
}

// Author is the author of a post or comment.
type Author struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Comment is one record of the demo comments stream (children of a post).
type Comment struct {
	ID          string `json:"id"`
	CreatedTime string `json:"created_time"`
	Text        string `json:"text"`
	From        Author `json:"from"`

	// Created is CreatedTime parsed (UTC); it is not part of the JSON.
	Created time.Time `json:"-"`
}

// Read-only vocabularies of the demo generator.
var (
	demoMediaTypes = []string{"IMAGE", "VIDEO", "CAROUSEL_ALBUM", "TEXT"}
	demoTags       = []string{"news", "travel", "food", "tech", "sport", "music", "art", "ad"}
	demoNames      = []string{"Ana Souza", "Bo Chen", "Chloé Martin", "Dmitri Ivanov", "Eve Adams", "Farah Khan", "Günter Weiß"}
)

// DemoPosts returns the posts of account created on the UTC day containing day, newest
// first, exactly as the demo server serves them. Every day has 3–12 posts, one in the
// first three seconds after midnight and one in the last three seconds before the next.
func DemoPosts(seed uint64, account string, day time.Time) []Post {
	d := day.UTC().Truncate(24 * time.Hour)
	if d.Unix() < 0 {
		return nil
	}
	r := newPRNG(seed, "demo-posts", account, d.Format(time.DateOnly))
	n := r.between(3, 12)
	secs := make([]int, 0, n)
	secs = append(secs, r.intn(3), 86399-r.intn(3))
	for len(secs) < n {
		secs = append(secs, r.between(3, 86396))
	}
	slices.Sort(secs)
	acct := int64(hash64(seed, "demo-account", account) % 10_000)
	author := demoAuthor(seed, account)
	posts := make([]Post, n)
	for i, s := range secs {
		t := d.Add(time.Duration(s) * time.Second)
		id := strconv.FormatInt(demoIDBase+t.Unix()*100_000_000+acct*10_000+int64(i), 10)
		p := Post{
			ID:           id,
			CreatedTime:  t.Format(DemoTimeLayout),
			LikeCount:    r.intn(50) * r.intn(50),
			CommentCount: len(DemoComments(seed, id)),
			Author:       author,
			Tags:         []string{},
			MediaType:    pick(r, demoMediaTypes),
			Created:      t,
		}
		if r.intn(8) != 0 {
			p.Message = r.words(vocabulary, r.between(3, 12))
		}
		for range r.intn(4) {
			p.Tags = append(p.Tags, pick(r, demoTags))
		}
		posts[n-1-i] = p
	}
	return posts
}

// demoAuthor is the fixed author of an account's posts.
func demoAuthor(seed uint64, account string) Author {
	return Author{
		ID:   strconv.FormatUint(100_000_000_000_000+hash64(seed, "demo-author", account)%900_000_000_000_000, 10),
		Name: "Demo " + account,
	}
}

// DemoComments returns the comments of the post with id postID, oldest first, exactly as the
// demo server serves them: 0–5 comments created between 30 seconds and three days after the
// post (so they may fall on a later UTC day). It returns nil for an id the demo never makes.
func DemoComments(seed uint64, postID string) []Comment {
	posted, ok := demoPostTime(postID)
	if !ok {
		return nil
	}
	r := newPRNG(seed, "demo-comments", postID)
	n := r.intn(6)
	if n == 0 {
		return nil
	}
	offsets := make([]int, n)
	for i := range offsets {
		offsets[i] = r.between(30, 3*86400)
	}
	slices.Sort(offsets)
	out := make([]Comment, n)
	for i, off := range offsets {
		t := posted.Add(time.Duration(off) * time.Second)
		out[i] = Comment{
			ID:          fmt.Sprintf("%s_%d", postID, 1_000_000_000_000_000+int64(off)*10+int64(i)),
			CreatedTime: t.Format(DemoTimeLayout),
			Text:        r.words(vocabulary, r.between(2, 10)),
			From: Author{
				ID:   strconv.FormatUint(100_000_000_000_000+r.next()%900_000_000_000_000, 10),
				Name: pick(r, demoNames),
			},
			Created: t,
		}
	}
	return out
}

// demoPostTime decodes the creation time from a demo post id.
func demoPostTime(postID string) (time.Time, bool) {
	if len(postID) != 19 {
		return time.Time{}, false
	}
	id, err := strconv.ParseInt(postID, 10, 64)
	if err != nil || id < demoIDBase {
		return time.Time{}, false
	}
	return time.Unix((id-demoIDBase)/100_000_000, 0).UTC(), true
}

// DemoRange returns every post of account created in [since, until), newest first: the
// list the server pages through for a request with those since/until parameters.
func DemoRange(seed uint64, account string, since, until time.Time) []Post {
	since, until = since.UTC(), until.UTC()
	var out []Post
	for d := until.Truncate(24 * time.Hour); !d.Before(since.Truncate(24 * time.Hour)); d = d.Add(-24 * time.Hour) {
		for _, p := range DemoPosts(seed, account, d) {
			if !p.Created.Before(since) && p.Created.Before(until) {
				out = append(out, p)
			}
		}
	}
	return out
}

// DemoPages returns the pages the demo server serves for a walk over [since, until) with
// page size limit, following paging.next (or the after cursor) from the first page. Some
// pages start with the last record of the page before, as real APIs do; see DemoDuplicates.
func DemoPages(seed uint64, account string, since, until time.Time, limit int) [][]Post {
	all := DemoRange(seed, account, since, until)
	var pages [][]Post
	start := 0
	for {
		end, next, more := demoPageBounds(seed, all, start, limit)
		pages = append(pages, all[start:end])
		if !more {
			return pages
		}
		start = next
	}
}

// DemoDuplicates returns how many records a walk of DemoPages serves twice: the number of
// page boundaries that repeat a record.
func DemoDuplicates(seed uint64, account string, since, until time.Time, limit int) int {
	n := 0
	for _, p := range DemoPages(seed, account, since, until, limit) {
		n += len(p)
	}
	return n - len(DemoRange(seed, account, since, until))
}

// demoPageBounds returns the end of the page starting at start, where the next page starts,
// and whether there is one. The next page repeats this page's last record when a hash of
// that record says so (one boundary in four) and the page holds at least two records.
func demoPageBounds(seed uint64, all []Post, start, limit int) (end, next int, more bool) {
	end = min(start+limit, len(all))
	if end >= len(all) {
		return end, end, false
	}
	if limit >= 2 && hash64(seed, "demo-dup", all[end-1].ID)%4 == 0 {
		return end, end - 1, true
	}
	return end, end, true
}

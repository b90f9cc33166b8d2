package fakeapi

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// BenchIDBase is added to a benchmark record's index to make its id: ids are above 2^53,
// so a decoder that goes through float64 loses digits and the tests notice.
const BenchIDBase = 7_000_000_000_000_000_000

// benchText holds the prebuilt strings records are assembled from. Every string is plain
// JSON-safe text (no quotes or backslashes), so records are appended without escaping.
type benchText struct {
	titles, bodies, statuses, langs, handles, tags []string
}

func newBenchText() benchText {
	r := newPRNG(42, "bench-text")
	t := benchText{
		statuses: []string{"published", "draft", "scheduled", "archived"},
		langs:    []string{"en", "de", "fr", "pt", "es", "ja"},
	}
	for i := range 64 {
		t.titles = append(t.titles, r.words(vocabulary, 4+i%3))
		body := r.words(vocabulary, 12)
		for len(body) < 85 {
			body += " " + pick(r, vocabulary)
		}
		t.bodies = append(t.bodies, truncateRunes(body, 85))
		t.handles = append(t.handles, "user_"+strconv.Itoa(1000+i))
		t.tags = append(t.tags, pick(r, vocabulary)+"_"+strconv.Itoa(i))
	}
	return t
}

// BenchCreatedAt returns the created_at of record n: records are spread evenly, in order,
// over opt.Days UTC days from opt.Start, at whole seconds.
func BenchCreatedAt(opt BenchOptions, n int) time.Time {
	opt = opt.withDefaults()
	total := int64(opt.Pages) * int64(opt.PerPage)
	span := int64(opt.Days) * 86400
	return opt.Start.Add(time.Duration(int64(n)*span/total) * time.Second)
}

// appendRecord appends record n. opt must have its defaults applied.
func (t benchText) appendRecord(dst []byte, opt BenchOptions, n int) []byte {
	h := uint64(n)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	h ^= h >> 29
	pickS := func(list []string, shift uint) string { return list[(h>>shift)%uint64(len(list))] }
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, BenchIDBase+int64(n), 10)
	dst = append(dst, `,"created_at":"`...)
	dst = BenchCreatedAt(opt, n).AppendFormat(dst, time.RFC3339)
	dst = append(dst, `","account":"acct_`...)
	dst = strconv.AppendInt(dst, int64(h%1000), 10)
	dst = append(dst, `","title":"`...)
	if opt.FreshText {
		dst = appendFreshText(dst, n)
	} else {
		dst = append(dst, pickS(t.titles, 3)...)
		dst = append(dst, `","body":"`...)
		dst = append(dst, pickS(t.bodies, 9)...)
	}
	dst = append(dst, `","status":"`...)
	dst = append(dst, pickS(t.statuses, 15)...)
	dst = append(dst, `","lang":"`...)
	dst = append(dst, pickS(t.langs, 17)...)
	dst = append(dst, `","score":`...)
	dst = strconv.AppendInt(dst, int64(h>>20%100000), 10)
	dst = append(dst, `,"views":`...)
	dst = strconv.AppendInt(dst, int64(h>>24%10000000), 10)
	dst = append(dst, `,"shares":`...)
	dst = strconv.AppendInt(dst, int64(h>>40%1000), 10)
	dst = append(dst, `,"ratio":`...)
	dst = strconv.AppendFloat(dst, float64(h>>44%10000)/10000, 'f', -1, 64)
	dst = append(dst, `,"author":{"id":`...)
	dst = strconv.AppendInt(dst, int64(h>>30%1000000), 10)
	dst = append(dst, `,"handle":"`...)
	dst = append(dst, pickS(t.handles, 33)...)
	dst = append(dst, `","verified":`...)
	dst = strconv.AppendBool(dst, h>>50&1 == 1)
	dst = append(dst, `},"tags":["`...)
	dst = append(dst, pickS(t.tags, 36)...)
	dst = append(dst, `","`...)
	dst = append(dst, pickS(t.tags, 42)...)
	dst = append(dst, `","`...)
	dst = append(dst, pickS(t.tags, 48)...)
	return append(dst, `"]}`...)
}

// appendFreshText appends the title of record n, then the body field's key and the
// body: a title of 4 to 6 words and a body of words up to 85 bytes, drawn for n alone,
// so that records almost never share them.
func appendFreshText(dst []byte, n int) []byte {
	r := newPRNG(uint64(n), "bench-fresh-text")
	for i := range 4 + n%3 {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, pick(r, vocabulary)...)
	}
	dst = append(dst, `","body":"`...)
	start := len(dst)
	for len(dst)-start < 85 {
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		dst = append(dst, pick(r, vocabulary)...)
	}
	return dst[:start+len(truncateRunes(string(dst[start:]), 85))]
}

// truncateRunes cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

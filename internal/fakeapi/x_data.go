package fakeapi

import (
	"slices"
	"strconv"
	"time"
)

// XTimeLayout is how X writes created_at: UTC with milliseconds.
const XTimeLayout = "2006-01-02T15:04:05.000Z"

// xEpochMs is the snowflake epoch of X ids (2010-11-04T01:42:54.657Z).
const xEpochMs = 1288834974657

// Tweet is one tweet of the X fake with every field it can serve. Which fields a response
// carries depends on the request's tweet.fields (id, text and edit_history_tweet_ids always).
type Tweet struct {
	ID                  string        `json:"id"`
	Text                string        `json:"text"`
	EditHistoryTweetIDs []string      `json:"edit_history_tweet_ids"` // oldest first, ID last
	CreatedAt           string        `json:"created_at"`
	AuthorID            string        `json:"author_id"`
	ConversationID      string        `json:"conversation_id"`
	Lang                string        `json:"lang"`
	PublicMetrics       PublicMetrics `json:"public_metrics"`

	// Created is CreatedAt parsed (UTC); it is not part of the JSON.
	Created time.Time `json:"-"`
	// id is ID as a number, for filtering and paging.
	id uint64
}

// PublicMetrics are a tweet's public engagement counts.
type PublicMetrics struct {
	RetweetCount    int `json:"retweet_count"`
	ReplyCount      int `json:"reply_count"`
	LikeCount       int `json:"like_count"`
	QuoteCount      int `json:"quote_count"`
	ImpressionCount int `json:"impression_count"`
}

// XMinStartTime is the earliest start_time the X timeline accepts.
func XMinStartTime() time.Time { return time.Date(2010, 11, 6, 0, 0, 0, 0, time.UTC) }

// XTweets returns the tweets of user userID created on the UTC day containing day, newest
// first, with every field. Days have 0–8 tweets; about a third of days have one in the
// first second after midnight and a third one in the last second before the next. Ids are
// real-format snowflakes (time-ordered; 19 digits for dates from 2018 on). It returns nil
// for days before XMinStartTime.
func XTweets(seed uint64, userID string, day time.Time) []Tweet {
	d := day.UTC().Truncate(24 * time.Hour)
	if d.Before(XMinStartTime()) {
		return nil
	}
	r := newPRNG(seed, "x-tweets", userID, d.Format(time.DateOnly))
	n := r.intn(7)
	ms := make([]int64, 0, n+2)
	for range n {
		ms = append(ms, int64(r.intn(86_400_000)))
	}
	if r.intn(3) == 0 {
		ms = append(ms, int64(r.intn(1000)))
	}
	if r.intn(3) == 0 {
		ms = append(ms, 86_399_000+int64(r.intn(1000)))
	}
	slices.Sort(ms)
	worker := hash64(seed, "x-worker", userID) % 1024
	langs := []string{"en", "en", "pt", "de", "fr", "und"}
	out := make([]Tweet, len(ms))
	for i, m := range ms {
		t := d.Add(time.Duration(m) * time.Millisecond)
		id := xSnowflake(t.UnixMilli(), worker, uint64(i))
		tw := Tweet{
			ID:             strconv.FormatUint(id, 10),
			Text:           r.words(vocabulary, r.between(3, 20)),
			CreatedAt:      t.Format(XTimeLayout),
			AuthorID:       userID,
			ConversationID: strconv.FormatUint(id, 10),
			Lang:           pick(r, langs),
			Created:        t,
			id:             id,
		}
		tw.EditHistoryTweetIDs = []string{tw.ID}
		if r.intn(8) == 0 {
			orig := xSnowflake(t.UnixMilli()-int64(r.between(1000, 1_800_000)), worker, 2048+uint64(i))
			tw.EditHistoryTweetIDs = []string{strconv.FormatUint(orig, 10), tw.ID}
		}
		likes := r.intn(40) * r.intn(40)
		tw.PublicMetrics = PublicMetrics{
			RetweetCount:    r.intn(likes/4 + 1),
			ReplyCount:      r.intn(likes/8 + 1),
			LikeCount:       likes,
			QuoteCount:      r.intn(likes/16 + 1),
			ImpressionCount: likes*(10+r.intn(90)) + r.intn(500),
		}
		out[len(ms)-1-i] = tw
	}
	return out
}

// XRange returns the tweets of userID created in [start, end), newest first.
func XRange(seed uint64, userID string, start, end time.Time) []Tweet {
	var out []Tweet
	for d := end.UTC().Truncate(24 * time.Hour); !d.Before(start.UTC().Truncate(24 * time.Hour)); d = d.Add(-24 * time.Hour) {
		for _, t := range XTweets(seed, userID, d) {
			if !t.Created.Before(start) && t.Created.Before(end) {
				out = append(out, t)
			}
		}
	}
	return out
}

// xSnowflake builds an X id: milliseconds since the X epoch, a worker id and a sequence.
func xSnowflake(unixMs int64, worker, seq uint64) uint64 {
	return uint64(unixMs-xEpochMs)<<22 | (worker&1023)<<12 | seq&4095
}

// xSnowflakeTime returns the creation time encoded in an X id.
func xSnowflakeTime(id uint64) time.Time {
	return time.UnixMilli(int64(id>>22) + xEpochMs).UTC()
}

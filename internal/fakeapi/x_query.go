package fakeapi

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// xQuery is a validated timeline request.
type xQuery struct {
	user                    string
	max                     int
	start, end              time.Time // [start, end)
	after, sinceID, untilID uint64    // 0: not given; after comes from pagination_token
	fields                  xFields
	expandAuthor            bool
}

// xParamError is one entry of an invalid-request problem.
type xParamError struct {
	Parameters map[string][]string `json:"parameters"`
	Message    string              `json:"message"`
}

// Read-only lists of what the X timeline accepts, in X's own order of documentation.
var (
	xParams      = []string{"end_time", "exclude", "expansions", "max_results", "media.fields", "pagination_token", "place.fields", "poll.fields", "since_id", "start_time", "tweet.fields", "until_id", "user.fields"}
	xTweetFields = []string{"article", "attachments", "author_id", "card_uri", "context_annotations", "conversation_id", "created_at", "display_text_range", "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets", "reply_settings", "scopes", "source", "text", "withheld"}
	xExpansions  = []string{"article.cover_media", "article.media_entities", "attachments.media_keys", "attachments.media_source_tweet", "attachments.poll_ids", "author_id", "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id", "in_reply_to_user_id", "entities.note.mentions.username", "referenced_tweets.id", "referenced_tweets.id.attachments.media_keys", "referenced_tweets.id.author_id"}
)

// parseXQuery validates a timeline request the way X does, collecting every problem.
func parseXQuery(user string, q url.Values, now time.Time, seed uint64) (xQuery, []xParamError) {
	var bad []xParamError
	fail := func(param, value, format string, args ...any) {
		bad = append(bad, xParamError{Parameters: map[string][]string{param: {value}}, Message: fmt.Sprintf(format, args...)})
	}
	x := xQuery{user: user, max: XDefaultMaxResults, start: XMinStartTime(), end: now}
	if _, err := strconv.ParseUint(user, 10, 64); err != nil {
		fail("id", user, "The `id` query parameter value [%s] is not valid", user)
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(xParams, name) {
			fail(name, q.Get(name), "The query parameter [%s] is not one of [id,%s]", name, strings.Join(xParams, ","))
		}
	}
	if s := q.Get("max_results"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 5 || n > 100 {
			fail("max_results", s, "The `max_results` query parameter value [%s] is not between 5 and 100", s)
		}
		x.max = n
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start_time", &x.start}, {"end_time", &x.end}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			fail(p.name, s, "Invalid '%s':'%s'. '%s' must be a valid RFC 3339 date-time such as 2021-02-23T18:07:07Z", p.name, s, p.name)
			continue
		}
		*p.dst = t.UTC()
	}
	if s := q.Get("start_time"); s != "" && x.start.Before(XMinStartTime()) {
		fail("start_time", s, "Invalid 'start_time':'%s'. 'start_time' must be on or after 2010-11-06T00:00Z", s)
	}
	if s := q.Get("end_time"); s != "" && x.end.After(now) {
		fail("end_time", s, "Invalid 'end_time':'%s'. 'end_time' must be a minimum of 10 seconds prior to the request time.", s)
	}
	if len(bad) == 0 && !x.start.Before(x.end) {
		fail("start_time", q.Get("start_time"), "Invalid 'start_time':'%s'. 'start_time' must be before 'end_time':'%s'", x.start.Format(time.RFC3339), x.end.Format(time.RFC3339))
	}
	for _, p := range []struct {
		name string
		dst  *uint64
	}{{"since_id", &x.sinceID}, {"until_id", &x.untilID}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				fail(p.name, s, "The `%s` query parameter value [%s] is not valid", p.name, s)
			}
			*p.dst = n
		}
	}
	if s := q.Get("pagination_token"); s != "" {
		id, err := xTokenID(seed, s)
		if err != nil {
			fail("pagination_token", s, "The `pagination_token` query parameter value [%s] is not valid", s)
		}
		x.after = id
	}
	x.fields = xFields{}
	if list, ok := xList(q, "tweet.fields"); ok {
		for _, f := range list {
			if !slices.Contains(xTweetFields, f) {
				fail("tweet.fields", f, "The `tweet.fields` query parameter value [%s] is not one of [%s]", f, strings.Join(xTweetFields, ","))
			}
			x.fields[f] = true
		}
	}
	if list, ok := xList(q, "expansions"); ok {
		for _, e := range list {
			if !slices.Contains(xExpansions, e) {
				fail("expansions", e, "The `expansions` query parameter value [%s] is not one of [%s]", e, strings.Join(xExpansions, ","))
			}
			x.expandAuthor = x.expandAuthor || e == "author_id"
		}
	}
	if list, ok := xList(q, "exclude"); ok {
		for _, e := range list {
			if e != "retweets" && e != "replies" {
				fail("exclude", e, "The `exclude` query parameter value [%s] is not one of [retweets,replies]", e)
			}
		}
	}
	return x, bad
}

// xList splits a comma-separated parameter.
func xList(q url.Values, name string) ([]string, bool) {
	s := q.Get(name)
	if s == "" {
		return nil, false
	}
	return strings.Split(s, ","), true
}

// xFields is the set of tweet.fields requested.
type xFields map[string]bool

// render returns the JSON object of t with the default fields plus the requested ones.
func (f xFields) render(t Tweet) map[string]any {
	m := map[string]any{"id": t.ID, "text": t.Text, "edit_history_tweet_ids": t.EditHistoryTweetIDs}
	if f["created_at"] {
		m["created_at"] = t.CreatedAt
	}
	if f["author_id"] {
		m["author_id"] = t.AuthorID
	}
	if f["conversation_id"] {
		m["conversation_id"] = t.ConversationID
	}
	if f["lang"] {
		m["lang"] = t.Lang
	}
	if f["public_metrics"] {
		m["public_metrics"] = t.PublicMetrics
	}
	return m
}

// writeInvalidRequest writes X's 400 invalid-request problem.
func writeInvalidRequest(w http.ResponseWriter, errs []xParamError) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"errors": errs,
		"title":  "Invalid Request",
		"detail": "One or more parameters to your request was invalid.",
		"type":   "https://api.twitter.com/2/problems/invalid-request",
	})
}

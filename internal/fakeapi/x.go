package fakeapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// X fake defaults and limits.
const (
	// XDefaultToken is the bearer token the X fake accepts when Options.Token is empty.
	XDefaultToken = "fake-x-bearer-token"
	// XDefaultRateLimit is the user-timeline limit per window for app-only auth.
	XDefaultRateLimit = 1500
	// XDefaultRateWindow is X's rate-limit window.
	XDefaultRateWindow = 15 * time.Minute
	// XDefaultMaxResults is the page size when max_results is not given.
	XDefaultMaxResults = 10
)

// xAPI serves GET /2/users/{id}/tweets. Its state is the rate-limit window and the number
// of tweets read (for the usage cap).
type xAPI struct {
	seed     uint64
	token    string
	limit    int
	window   time.Duration
	usageCap int
	now      func() time.Time

	mu          sync.Mutex
	windowStart time.Time
	used        int
	tweetsRead  int
}

// NewX returns the X API v2 user-timeline fake:
//
//	GET /2/users/{id}/tweets?max_results=&pagination_token=&start_time=&end_time=
//	    &since_id=&until_id=&exclude=&tweet.fields=&expansions=&user.fields=
//
// It requires "Authorization: Bearer <opt.Token>" (401 otherwise), sets x-rate-limit-limit,
// x-rate-limit-remaining and x-rate-limit-reset (epoch seconds) on every response, and
// answers 429 once opt.RateLimit requests were made in the current window (which starts
// with the first request after the previous one ended).
func NewX(opt Options) http.Handler {
	x := &xAPI{
		seed: opt.Seed, token: opt.Token, limit: opt.RateLimit, window: opt.RateWindow,
		usageCap: opt.UsageCap, now: opt.now,
	}
	if x.token == "" {
		x.token = XDefaultToken
	}
	if x.limit <= 0 {
		x.limit = XDefaultRateLimit
	}
	if x.window <= 0 {
		x.window = XDefaultRateWindow
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2/users/{id}/tweets", x.tweets)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		x.headers(w, false)
		writeJSON(w, http.StatusNotFound, map[string]any{
			"errors": []map[string]any{{"message": "Sorry, that page does not exist", "code": 34}},
		})
	})
	return mux
}

// headers sets the rate-limit headers (and X's content type). With count, the request
// consumes one of the current window, starting a new window when the last one ended.
// It reports whether the request is within the limit.
func (x *xAPI) headers(w http.ResponseWriter, count bool) bool {
	now := x.now()
	x.mu.Lock()
	ended := x.windowStart.IsZero() || !now.Before(x.windowStart.Add(x.window))
	if ended && count {
		x.windowStart, x.used, ended = now, 0, false
	}
	if count {
		x.used++
	}
	used, reset := x.used, x.windowStart.Add(x.window)
	x.mu.Unlock()
	if ended {
		used, reset = 0, now.Add(x.window)
	}
	x.setRateHeaders(w, max(x.limit-used, 0), reset)
	return used <= x.limit
}

func (x *xAPI) setRateHeaders(w http.ResponseWriter, remaining int, reset time.Time) {
	h := w.Header()
	h.Set("x-rate-limit-limit", strconv.Itoa(x.limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(remaining))
	h.Set("x-rate-limit-reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("api-version", "2.0")
	h.Set("Content-Type", "application/json; charset=utf-8")
}

func (x *xAPI) tweets(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+x.token {
		x.headers(w, false)
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized",
		})
		return
	}
	if !x.headers(w, true) {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{
			"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429,
		})
		return
	}
	if x.capped() {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{
			"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
			"type": "https://api.twitter.com/2/problems/usage-capped", "period": "Monthly", "scope": "Product",
		})
		return
	}
	q, bad := parseXQuery(r.PathValue("id"), r.URL.Query(), x.now(), x.seed)
	if len(bad) > 0 {
		writeInvalidRequest(w, bad)
		return
	}
	page, more := xPage(x.seed, q)
	x.mu.Lock()
	x.tweetsRead += len(page)
	x.mu.Unlock()
	writeJSON(w, http.StatusOK, renderXPage(x.seed, q, page, more))
}

func (x *xAPI) capped() bool {
	if x.usageCap <= 0 {
		return false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.tweetsRead >= x.usageCap
}

// xPage returns the tweets of the page q asks for and whether more follow.
func xPage(seed uint64, q xQuery) ([]Tweet, bool) {
	upper := q.end
	if q.after != 0 {
		if t := xSnowflakeTime(q.after).Add(time.Millisecond); t.Before(upper) {
			upper = t
		}
	}
	var page []Tweet
	for d := upper.Add(-time.Nanosecond).Truncate(24 * time.Hour); !d.Before(q.start.Truncate(24 * time.Hour)); d = d.Add(-24 * time.Hour) {
		for _, t := range XTweets(seed, q.user, d) {
			if t.Created.Before(q.start) || !t.Created.Before(q.end) ||
				(q.after != 0 && t.id >= q.after) || (q.sinceID != 0 && t.id <= q.sinceID) || (q.untilID != 0 && t.id >= q.untilID) {
				continue
			}
			page = append(page, t)
			if len(page) > q.max {
				return page[:q.max], true
			}
		}
	}
	return page, false
}

// xMeta is the meta object of a timeline page.
type xMeta struct {
	ResultCount int    `json:"result_count"`
	NewestID    string `json:"newest_id,omitempty"`
	OldestID    string `json:"oldest_id,omitempty"`
	NextToken   string `json:"next_token,omitempty"`
}

// renderXPage builds the response body: data (absent when empty), includes, meta.
func renderXPage(seed uint64, q xQuery, page []Tweet, more bool) map[string]any {
	meta := xMeta{ResultCount: len(page)}
	body := map[string]any{"meta": &meta}
	if len(page) == 0 {
		return body
	}
	meta.NewestID, meta.OldestID = page[0].ID, page[len(page)-1].ID
	if more {
		meta.NextToken = xToken(seed, page[len(page)-1].id)
	}
	data := make([]map[string]any, len(page))
	for i, t := range page {
		data[i] = q.fields.render(t)
	}
	body["data"] = data
	if q.expandAuthor {
		body["includes"] = map[string]any{"users": []map[string]string{{
			"id": q.user, "name": "Fake User " + q.user, "username": "fake_" + q.user,
		}}}
	}
	return body
}

// xToken makes an opaque pagination token: the last id served, scrambled under the seed.
func xToken(seed uint64, lastID uint64) string {
	return strconv.FormatUint(lastID^hash64(seed, "x-token"), 36)
}

// xTokenID reverses xToken.
func xTokenID(seed uint64, token string) (uint64, error) {
	v, err := strconv.ParseUint(token, 36, 64)
	if err != nil || strings.ToLower(token) != token {
		return 0, fmt.Errorf("invalid token")
	}
	return v ^ hash64(seed, "x-token"), nil
}

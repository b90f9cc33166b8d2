package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// ErrorKind is the classification of a failed request. It decides whether the request is
// retried and how the caller reacts.
type ErrorKind string

// Error kinds.
const (
	KindRateLimited ErrorKind = "rate_limited" // the API throttled us: wait, then retry
	KindTransient   ErrorKind = "transient"    // a server hiccup (5xx): back off, retry
	KindAuth        ErrorKind = "auth"         // the credential is wrong or expired: permanent
	KindQuota       ErrorKind = "quota"        // a quota is exhausted for this run: permanent
	KindPermanent   ErrorKind = "permanent"    // the request itself is wrong: permanent
	KindSkip        ErrorKind = "skip"         // the spec says to ignore this response
	KindNetwork     ErrorKind = "network"      // timeout, reset, refused, cut-off body: retry
	KindDecode      ErrorKind = "decode"       // a success whose body is not valid JSON: retry
	KindCanceled    ErrorKind = "canceled"     // the caller's context ended: never retried
)

// Retryable reports whether a request that failed with this kind is tried again.
func (k ErrorKind) Retryable() bool {
	switch k {
	case KindRateLimited, KindTransient, KindNetwork, KindDecode:
		return true
	}
	return false
}

// ErrWaitTooLong is wrapped by an *Error when the API asks for a longer wait than the
// spec's rate_limit.max_wait allows.
var ErrWaitTooLong = errors.New("requested wait exceeds max_wait")

// Error is the error of a request that did not succeed. URL and Message are redacted.
// Use errors.As to read it, or KindOf for the kind alone.
type Error struct {
	Kind     ErrorKind
	Status   int           // HTTP status of the last response; 0 when none arrived
	Method   string        // request method
	URL      string        // request URL, secrets redacted
	Message  string        // the API's own message (redacted), or empty
	Hint     string        // what the user can do about it, or empty
	Wait     time.Duration // the wait the API asked for, when relevant
	Attempts int           // attempts made, including the last
	Err      error         // the underlying cause, if any (its text is redacted)
}

// Error returns text such as
// `GET https://api.x.com/2/users/42/tweets: 401 Unauthorized: "Unauthorized": check credential "token" (bearer auth)`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Method + " " + e.URL + ": ")
	if e.Status > 0 {
		b.WriteString(strconv.Itoa(e.Status) + " " + http.StatusText(e.Status))
	} else {
		b.WriteString(string(e.Kind))
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + strconv.Quote(e.Message))
	case e.Err != nil && e.Hint == "":
		b.WriteString(": " + e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	if e.Attempts > 1 {
		b.WriteString(" (after " + strconv.Itoa(e.Attempts) + " attempts)")
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err's *Error, or "" when err carries none.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// verdict is the classification of one response.
type verdict struct {
	kind    ErrorKind // "" means success
	status  int
	message string
	wait    time.Duration // the wait the response asks for; 0: none
	// validJSON: a success whose JSON body was scanned and found valid.
	validJSON bool
	// selected: the records of a valid body, selected in the same scan; nil when the
	// response is not a page or the general path must select them.
	selected *selection
}

// classifier applies the spec's error rules, then the defaults, to responses.
type classifier struct {
	rules []spec.ErrorRule
	rl    spec.RateLimit
}

var actionKinds = map[string]ErrorKind{
	spec.ActionRateLimited: KindRateLimited,
	spec.ActionRetry:       KindTransient,
	spec.ActionAuth:        KindAuth,
	spec.ActionQuota:       KindQuota,
	spec.ActionFail:        KindPermanent,
	spec.ActionSkip:        KindSkip,
	spec.ActionOK:          "",
}

// classify decides what a fully read response means. now dates the wait headers.
func (c *classifier) classify(status int, h http.Header, body []byte, now time.Time) verdict {
	return c.classifyPage(status, h, body, now, nil)
}

// classifyPage is classify for a response whose records are at *records (nil: not a
// page): a success body is validated and its records selected in one scan.
func (c *classifier) classifyPage(status int, h http.Header, body []byte, now time.Time, records *string) verdict {
	v := verdict{status: status}
	rule := c.match(status, body)
	if rule != nil {
		v.kind = actionKinds[rule.Action]
	} else {
		v.kind = defaultKind(status)
	}
	if v.kind == "" {
		if rule == nil {
			checkBody(&v, h, body, records)
		}
		return v
	}
	v.message = apiMessage(rule, body)
	if v.kind == KindRateLimited || v.kind == KindTransient {
		v.wait = c.wait(v.kind, rule, h, body, now)
	}
	return v
}

// checkBody decides whether a success body can be decoded: empty, not declared as
// something other than JSON, or valid JSON. A JSON body of a page has its records
// selected by the same scan.
func checkBody(v *verdict, h http.Header, body []byte, records *string) {
	switch {
	case !isJSON(h):
		return
	case len(bytes.TrimSpace(body)) == 0:
		v.validJSON = len(body) > 0
		return
	case records == nil:
		v.validJSON = validJSON(body)
	default:
		// The records are substrings of the body itself, viewed as a string rather than
		// copied: the Client reads each body into a buffer of its own, which nothing
		// writes to afterwards (see Response.Body).
		out, top, how := splitValidIndexed(unsafe.String(unsafe.SliceData(body), len(body)), *records)
		v.validJSON = how != splitInvalid
		if how == splitDone {
			v.selected = &selection{records: out, top: top}
		}
	}
	if !v.validJSON {
		v.kind, v.message = KindDecode, "response body is not valid JSON"
	}
}

// match returns the first rule that matches, or nil.
func (c *classifier) match(status int, body []byte) *spec.ErrorRule {
	for i := range c.rules {
		r := &c.rules[i]
		switch {
		case len(r.Status) > 0:
			if !slices.Contains(r.Status, status) {
				continue
			}
		case r.Path == "" && status < 400:
			continue
		}
		if r.Path != "" && !pathMatches(r, body) {
			continue
		}
		return r
	}
	return nil
}

// pathMatches compares the body value at r.Path with In / NotIn (as text). With neither
// list, the value only has to exist.
func pathMatches(r *spec.ErrorRule, body []byte) bool {
	got := gjson.GetBytes(body, r.Path)
	if !got.Exists() {
		return false
	}
	text := got.String()
	if len(r.In) > 0 && !slices.Contains(r.In, text) {
		return false
	}
	if len(r.NotIn) > 0 && slices.Contains(r.NotIn, text) {
		return false
	}
	return true
}

func defaultKind(status int) ErrorKind {
	switch {
	case status >= 200 && status < 300:
		return ""
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == 500 || status == 502 || status == 503 || status == 504:
		return KindTransient
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return KindAuth
	}
	return KindPermanent
}

// isJSON reports whether the headers declare (or do not deny) a JSON body; checkBody
// scans such bodies in full.
func isJSON(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return ct == "" || strings.Contains(ct, "json")
}

// messagePaths are where common APIs put their error message, most specific first.
var messagePaths = []string{
	"error.message", "error_description", "detail", "message", "title",
	"errors.0.message", "errors.0.detail", "error.code", "error",
}

const maxMessage = 1000

// apiMessage extracts the API's message: the rule's MessagePath, else a known place,
// else the start of a non-JSON body.
func apiMessage(rule *spec.ErrorRule, body []byte) string {
	paths := messagePaths
	if rule != nil && rule.MessagePath != "" {
		paths = append([]string{rule.MessagePath}, paths...)
	}
	if gjson.ValidBytes(body) {
		for _, p := range paths {
			if r := gjson.GetBytes(body, p); r.Type == gjson.String && r.Str != "" {
				return truncate(r.Str)
			}
		}
		return ""
	}
	text := strings.Join(strings.Fields(string(body)), " ")
	if strings.HasPrefix(text, "<") {
		return ""
	}
	return truncate(text)
}

func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// wait returns how long the response asks us to wait: Retry-After, then (rate limited)
// the reset header, then the rule's wait; 0 when it says nothing usable.
func (c *classifier) wait(kind ErrorKind, rule *spec.ErrorRule, h http.Header, body []byte, now time.Time) time.Duration {
	if d, ok := retryAfter(h.Get("Retry-After"), now); ok && d > 0 {
		return d
	}
	if kind == KindRateLimited && c.rl.ResetHeader != "" {
		if until, ok := parseReset(h.Get(c.rl.ResetHeader), c.rl.ResetFormat, now); ok && until.After(now) {
			return until.Sub(now)
		}
	}
	if rule == nil {
		return 0
	}
	if rule.WaitPath != "" {
		if r := gjson.GetBytes(body, rule.WaitPath); r.Exists() && r.Float() > 0 {
			return time.Duration(r.Float() * float64(waitUnit(rule.WaitUnit)))
		}
	}
	return rule.Wait.Std()
}

func waitUnit(unit string) time.Duration {
	switch unit {
	case "minutes", "m", "min":
		return time.Minute
	case "ms", "milliseconds":
		return time.Millisecond
	}
	return time.Second
}

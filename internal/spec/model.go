// Package spec is the source spec: the YAML document that describes one HTTP API to
// sluice (base URL, auth, rate limits, error rules and streams). It loads specs strictly,
// validates them with file:line positions, embeds the built-in specs and exports a JSON
// Schema for editors.
package spec

import "github.com/sluice-dev/sluice/internal/schema"

// Spec is one source: an API and the streams it offers.
type Spec struct {
	// Name is the source name (account_type in the storage layout): lowercase letters,
	// digits, "_" and "-".
	Name string `yaml:"name" json:"name"`
	// Version is the spec author's version of this document, recorded in metadata.
	Version string `yaml:"version" json:"version"`
	// Description says what the API is, for `sluice sources` and generated docs.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// BaseURL is prefixed to every stream path. A workflow config may override it.
	BaseURL string `yaml:"base_url" json:"base_url"`
	// Headers are sent with every request (templates allowed).
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Auth says how requests are authenticated.
	Auth Auth `yaml:"auth,omitempty" json:"auth,omitempty"`
	// RateLimit paces requests to the API.
	RateLimit RateLimit `yaml:"rate_limit,omitempty" json:"rate_limit,omitempty"`
	// Errors classify responses; they are checked in order before the defaults.
	Errors []ErrorRule `yaml:"errors,omitempty" json:"errors,omitempty"`
	// Streams are the kinds of records the API offers, by name (data_type in the layout).
	Streams map[string]*Stream `yaml:"streams" json:"streams"`

	// File is where the spec was loaded from ("builtin:x" for embedded specs).
	File string `yaml:"-" json:"-"`
	// Hash is the xxh3 digest of the spec document's bytes, recorded in metadata.
	Hash string `yaml:"-" json:"-"`
}

// Auth kinds.
const (
	AuthNone         = "none"
	AuthBearer       = "bearer"        // Authorization: Bearer {token}
	AuthHeader       = "header"        // {header}: {prefix}{token}
	AuthQuery        = "query"         // ?{param}={token}
	AuthBasic        = "basic"         // Authorization: Basic base64(username:password)
	AuthOAuth2Client = "oauth2_client" // client-credentials grant against token_url
	AuthOAuth2Token  = "oauth2_refresh"
)

// Auth describes authentication. Secret values never appear in a spec: they come from the
// account's credentials in the workflow config, by the names given here.
type Auth struct {
	// Type is one of none, bearer, header, query, basic, oauth2_client, oauth2_refresh.
	Type string `yaml:"type" json:"type"`
	// Header is the header name for type header (e.g. "X-API-Key").
	Header string `yaml:"header,omitempty" json:"header,omitempty"`
	// Prefix is prepended to the token in the header (type header), e.g. "Token ".
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty"`
	// Param is the query parameter name for type query (e.g. "access_token").
	Param string `yaml:"param,omitempty" json:"param,omitempty"`
	// Credential names the credential holding the token (bearer, header, query).
	// Default "token".
	Credential string `yaml:"credential,omitempty" json:"credential,omitempty"`
	// TokenURL is the OAuth2 token endpoint (oauth2_*).
	TokenURL string `yaml:"token_url,omitempty" json:"token_url,omitempty"`
	// Scopes are requested with OAuth2 grants.
	Scopes []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
}

// RateLimit paces requests: a token bucket shared by every request to the source, plus
// what to read from responses.
type RateLimit struct {
	// RequestsPerSecond is the sustained rate. Zero means unlimited.
	RequestsPerSecond float64 `yaml:"requests_per_second,omitempty" json:"requests_per_second,omitempty"`
	// RequestsPerMinute is an alternative way to give the rate.
	RequestsPerMinute float64 `yaml:"requests_per_minute,omitempty" json:"requests_per_minute,omitempty"`
	// Burst is how many requests may go at once after a pause. Default 1.
	Burst int `yaml:"burst,omitempty" json:"burst,omitempty"`
	// RemainingHeader holds the requests left in the current window (e.g. x-rate-limit-remaining).
	RemainingHeader string `yaml:"remaining_header,omitempty" json:"remaining_header,omitempty"`
	// ResetHeader holds when the window resets (e.g. x-rate-limit-reset).
	ResetHeader string `yaml:"reset_header,omitempty" json:"reset_header,omitempty"`
	// ResetFormat is how ResetHeader is written: unix (epoch seconds, default), seconds
	// (delay), iso8601, http_date.
	ResetFormat string `yaml:"reset_format,omitempty" json:"reset_format,omitempty"`
	// UsageHeaders hold JSON objects of usage percentages (Meta's X-App-Usage,
	// X-Business-Use-Case-Usage); at UsageThreshold percent requests pause.
	UsageHeaders []string `yaml:"usage_headers,omitempty" json:"usage_headers,omitempty"`
	// UsageThreshold is the percentage at which to pause. Default 90.
	UsageThreshold float64 `yaml:"usage_threshold,omitempty" json:"usage_threshold,omitempty"`
	// MaxWait caps any single wait the API asks for (Retry-After, reset). Default 15m.
	MaxWait Duration `yaml:"max_wait,omitempty" json:"max_wait,omitempty"`
}

// Error actions.
const (
	ActionRateLimited = "rate_limited" // wait (Retry-After, reset header, rule wait) and retry
	ActionRetry       = "retry"        // transient: back off and retry
	ActionAuth        = "auth"         // permanent: the credential is wrong or expired
	ActionQuota       = "quota"        // permanent for this run: quota exhausted
	ActionFail        = "fail"         // permanent
	ActionSkip        = "skip"         // ignore this request (e.g. a deleted child object)
	ActionOK          = "ok"           // treat as success despite the status
)

// ErrorRule classifies a response. A rule matches when every condition given matches.
type ErrorRule struct {
	// Status lists HTTP statuses; empty matches any status >= 400 (or any, with Path).
	Status []int `yaml:"status,omitempty" json:"status,omitempty"`
	// Path is a JSON path into the response body, compared with In / NotIn.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// In matches when the value at Path is one of these (compared as text).
	In []string `yaml:"in,omitempty" json:"in,omitempty"`
	// NotIn matches when the value at Path exists and is none of these.
	NotIn []string `yaml:"not_in,omitempty" json:"not_in,omitempty"`
	// Action is one of rate_limited, retry, auth, quota, fail, skip, ok.
	Action string `yaml:"action" json:"action"`
	// Wait is how long to wait before retrying when the response says nothing.
	Wait Duration `yaml:"wait,omitempty" json:"wait,omitempty"`
	// WaitPath reads the wait from the body, in WaitUnit (seconds, minutes, ms).
	WaitPath string `yaml:"wait_path,omitempty" json:"wait_path,omitempty"`
	// WaitUnit is the unit of WaitPath. Default seconds.
	WaitUnit string `yaml:"wait_unit,omitempty" json:"wait_unit,omitempty"`
	// MessagePath points at the API's error message in the body.
	MessagePath string `yaml:"message_path,omitempty" json:"message_path,omitempty"`
}

// What a rejected record does to its window.
const (
	RejectFail = "fail"
	RejectSkip = "skip"
)

// Stream modes.
const (
	ModeIncremental = "incremental"
	ModeSnapshot    = "snapshot"
)

// Stream is one kind of record.
type Stream struct {
	// Description says what the records are.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Mode is incremental (default) or snapshot.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Request is the first request of each window (or of each parent record).
	Request Request `yaml:"request" json:"request"`
	// Records is the JSON path of the records in a response ("data", "meta.items");
	// "@this" (or empty) when the body itself is the array or the single record.
	Records string `yaml:"records,omitempty" json:"records,omitempty"`
	// PrimaryKey names the fields that identify a record. Empty: the content hash.
	PrimaryKey []string `yaml:"primary_key,omitempty" json:"primary_key,omitempty"`
	// Date says which date a record represents: its partition.
	Date *DateRule `yaml:"date,omitempty" json:"date,omitempty"`
	// Window says how the requested date range is sent and split.
	Window *Window `yaml:"window,omitempty" json:"window,omitempty"`
	// Pagination says how to get the next page.
	Pagination Pagination `yaml:"pagination,omitempty" json:"pagination,omitempty"`
	// Fields are the declared columns. Empty: inferred from the first page.
	Fields []schema.Field `yaml:"fields,omitempty" json:"fields,omitempty"`
	// AdditionalFields is what to do with record fields not declared: keep (in an _extra
	// JSON column, the default), drop, or fail.
	AdditionalFields string `yaml:"additional_fields,omitempty" json:"additional_fields,omitempty"`
	// OnReject is what a record that cannot be turned into a row does to its request
	// window: fail (the default: nothing of the window is committed, so committed data is
	// never replaced by an extraction with holes) or skip (the record is dropped, counted
	// and sampled in the metadata, and the window commits).
	OnReject string `yaml:"on_reject,omitempty" json:"on_reject,omitempty"`
	// Parent makes this a child stream: one request (chain) per record of the parent.
	Parent *Parent `yaml:"parent,omitempty" json:"parent,omitempty"`
}

// Request is a request template. Strings may contain placeholders (see Template):
// {{account_id}}, {{window.start}}, {{window.end}} (exclusive), {{window.last}} (the last
// day, inclusive), each optionally with a format ({{window.start|unix_ms}}),
// {{parent.<field>}} (child streams) and {{vars.<name>}} (the account's params in the config).
type Request struct {
	// Method is GET (default) or POST.
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Path is appended to the base URL.
	Path string `yaml:"path" json:"path"`
	// Params are query parameters.
	Params map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
	// Headers are extra headers.
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Body is a JSON body (any YAML value); strings inside are templates, and a string that
	// is exactly one placeholder keeps the placeholder's type (a number stays a number).
	Body any `yaml:"body,omitempty" json:"body,omitempty"`
}

// Window says how the API filters by date. Without a window the API has no date filter.
type Window struct {
	// Format is the default format of {{window.*}} placeholders: unix, unix_ms, rfc3339,
	// date (YYYY-MM-DD), yyyymmdd, or a Go reference layout.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// MaxDays is the longest range one request chain may cover; longer ranges are split.
	// Default 1.
	MaxDays int `yaml:"max_days,omitempty" json:"max_days,omitempty"`
	// Client means the API cannot filter: records are requested newest first and paging
	// stops once a whole page is older than the window start.
	Client bool `yaml:"client,omitempty" json:"client,omitempty"`
	// MinStart is the earliest date the API accepts (YYYY-MM-DD); earlier days are skipped.
	MinStart string `yaml:"min_start,omitempty" json:"min_start,omitempty"`
}

// DateRule derives the partition date of a record.
type DateRule struct {
	// Field is the path of the value in the record.
	Field string `yaml:"field" json:"field"`
	// Format is how the value is written (see schema.Field.Format). Default: detect.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// Timezone is the IANA zone in which the instant is turned into a calendar date
	// (Meta insights: America/Los_Angeles). Default UTC. Date-only values are taken as is.
	Timezone string `yaml:"timezone,omitempty" json:"timezone,omitempty"`
	// Shift is added to the instant first (Meta's end_time marks the end of the day: -1s).
	Shift Duration `yaml:"shift,omitempty" json:"shift,omitempty"`
}

// Pagination types.
const (
	PageNone   = "none"
	PageCursor = "cursor"   // a token from the body goes into the next request
	PageNext   = "next_url" // the body holds the full URL of the next page
	PageLink   = "link_header"
	PageOffset = "offset"
	PagePage   = "page"
)

// Pagination says how to walk pages.
type Pagination struct {
	// Type is one of none (default), cursor, next_url, link_header, offset, page.
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
	// CursorPath (cursor) is where the next token is in the body ("meta.next_token").
	CursorPath string `yaml:"cursor_path,omitempty" json:"cursor_path,omitempty"`
	// Param is the request parameter that carries the cursor, offset or page number.
	Param string `yaml:"param,omitempty" json:"param,omitempty"`
	// In is where Param goes: query (default) or body.
	In string `yaml:"in,omitempty" json:"in,omitempty"`
	// HasMorePath is a boolean in the body; false ends paging (TikTok's data.has_more).
	HasMorePath string `yaml:"has_more_path,omitempty" json:"has_more_path,omitempty"`
	// StopPath ends paging when this path is absent or empty (Meta's paging.next).
	StopPath string `yaml:"stop_path,omitempty" json:"stop_path,omitempty"`
	// Carry copies values from a response into the next request: param name → body path
	// (TikTok Research's search_id).
	Carry map[string]string `yaml:"carry,omitempty" json:"carry,omitempty"`
	// URLPath (next_url) is where the next URL is in the body ("paging.next").
	URLPath string `yaml:"url_path,omitempty" json:"url_path,omitempty"`
	// Rel (link_header) is the relation to follow. Default "next".
	Rel string `yaml:"rel,omitempty" json:"rel,omitempty"`
	// LimitParam (offset, page) is the page-size parameter.
	LimitParam string `yaml:"limit_param,omitempty" json:"limit_param,omitempty"`
	// Limit (offset, page) is the page size sent in LimitParam.
	Limit int `yaml:"limit,omitempty" json:"limit,omitempty"`
	// Start (offset, page) is the first offset or page number. Default 0 for offset, 1 for page.
	Start *int `yaml:"start,omitempty" json:"start,omitempty"`
	// TotalPath (offset) is the total record count in the body (GA4's rowCount).
	TotalPath string `yaml:"total_path,omitempty" json:"total_path,omitempty"`
	// MaxPages stops after this many pages per request chain (0: no limit).
	MaxPages int `yaml:"max_pages,omitempty" json:"max_pages,omitempty"`
}

// Parent links a child stream to the stream whose records it expands.
type Parent struct {
	// Stream is the parent stream's name.
	Stream string `yaml:"stream" json:"stream"`
	// Fields are copied from the parent record into each child record: column name →
	// parent field name (e.g. post_id: id).
	Fields map[string]string `yaml:"fields,omitempty" json:"fields,omitempty"`
}

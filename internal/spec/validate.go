package spec

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Closed sets of values, in documentation order.
var (
	authTypes    = []string{AuthNone, AuthBearer, AuthHeader, AuthQuery, AuthBasic, AuthOAuth2Client, AuthOAuth2Token}
	resetFormats = []string{"unix", "seconds", "iso8601", "http_date"}
	actions      = []string{ActionRateLimited, ActionRetry, ActionAuth, ActionQuota, ActionFail, ActionSkip, ActionOK}
	waitUnits    = []string{"seconds", "minutes", "ms"}
	modes        = []string{ModeIncremental, ModeSnapshot}
	pageTypes    = []string{PageNone, PageCursor, PageNext, PageLink, PageOffset, PagePage}
	extraModes   = []string{"keep", "drop", "fail"}
	rejectModes  = []string{RejectFail, RejectSkip}
	methods      = []string{"GET", "POST"}
	paramPlaces  = []string{"query", "body"}
	// reservedStreams would collide with the snapshots/ and diffs/ folders of the layout.
	reservedStreams = []string{"snapshots", "diffs"}
)

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Validate checks the semantic rules of a spec built or changed in code: names, URLs,
// closed sets of values, required keys per auth and pagination type, templates and their
// variables, parent links, fields, time formats and time zones. Parse already runs the
// same checks with line numbers; problems reported here carry field paths only. It returns
// nil or a *Problems. Values left empty are taken as their defaults (see SetDefaults).
func Validate(s *Spec) error {
	ps := newProblemSet(s.File)
	validate(s, ps)
	return ps.err()
}

// validator checks one spec, recording problems in ps.
type validator struct {
	s  *Spec
	ps *problemSet
}

func validate(s *Spec, ps *problemSet) {
	v := &validator{s: s, ps: ps}
	v.top()
	v.auth()
	v.rateLimit()
	v.errorRules()
	for _, name := range v.streamNames() {
		v.stream(name, s.Streams[name])
	}
}

func (v *validator) top() {
	s := v.s
	switch {
	case s.Name == "":
		v.ps.add("name", "name is required (the source name used in storage paths, e.g. instagram)")
	case !namePattern.MatchString(s.Name):
		v.ps.add("name", "%q must start with a lowercase letter and hold only lowercase letters, digits, _ and -", s.Name)
	}
	v.baseURL()
	for _, k := range sortedKeys(s.Headers) {
		v.template(joinPath("headers", k), s.Headers[k], scope{where: "spec-level headers"})
	}
	if len(s.Streams) == 0 {
		v.ps.add("streams", "a spec needs at least one stream under streams:")
	}
}

func (v *validator) baseURL() {
	raw := v.s.BaseURL
	if raw == "" {
		v.ps.add("base_url", "base_url is required (e.g. https://api.example.com/v1)")
		return
	}
	if strings.Contains(raw, "{{") {
		v.ps.add("base_url", "base_url cannot hold placeholders; put them in each stream's request.path (a workflow config may override base_url)")
		return
	}
	if msg := checkHTTPURL(raw); msg != "" {
		v.ps.add("base_url", "%q %s", raw, msg)
	}
}

// checkHTTPURL returns why raw is not an absolute http(s) URL, or "".
func checkHTTPURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "is not a URL: " + strings.TrimPrefix(err.Error(), "parse \""+raw+"\": ")
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with https:// or http://"
	case u.Host == "":
		return "has no host"
	}
	return ""
}

func (v *validator) auth() {
	a := v.s.Auth
	typ := a.Type
	if typ == "" {
		typ = AuthNone
	}
	if !slices.Contains(authTypes, typ) {
		v.ps.add("auth.type", "%s", unknownValue("auth type", a.Type, authTypes))
		return
	}
	need := func(key, value, what string) {
		if value == "" {
			v.ps.add("auth."+key, "auth type %s needs %s (%s)", typ, key, what)
		}
	}
	switch typ {
	case AuthNone:
		if a.Header != "" || a.Param != "" || a.TokenURL != "" || a.Credential != "" || a.Prefix != "" || len(a.Scopes) > 0 {
			v.ps.add("auth.type", "auth keys are set but auth.type is missing or none (use %s)", orList(authTypes[1:]))
		}
	case AuthHeader:
		need("header", a.Header, "the header name, e.g. X-API-Key")
	case AuthQuery:
		need("param", a.Param, "the query parameter name, e.g. access_token")
	case AuthOAuth2Client, AuthOAuth2Token:
		need("token_url", a.TokenURL, "the OAuth2 token endpoint")
		if a.TokenURL != "" {
			if msg := checkHTTPURL(a.TokenURL); msg != "" {
				v.ps.add("auth.token_url", "%q %s", a.TokenURL, msg)
			}
		}
	}
}

func (v *validator) rateLimit() {
	r := v.s.RateLimit
	const p = "rate_limit."
	if r.RequestsPerSecond < 0 {
		v.ps.add(p+"requests_per_second", "requests_per_second must not be negative")
	}
	if r.RequestsPerMinute < 0 {
		v.ps.add(p+"requests_per_minute", "requests_per_minute must not be negative")
	}
	if r.RequestsPerSecond > 0 && r.RequestsPerMinute > 0 {
		v.ps.add(p+"requests_per_minute", "give requests_per_second or requests_per_minute, not both")
	}
	if r.Burst < 0 {
		v.ps.add(p+"burst", "burst must not be negative")
	}
	if r.UsageThreshold < 0 || r.UsageThreshold > 100 {
		v.ps.add(p+"usage_threshold", "usage_threshold is a percentage between 0 and 100, got %g", r.UsageThreshold)
	}
	if r.MaxWait < 0 {
		v.ps.add(p+"max_wait", "max_wait must not be negative")
	}
	if r.ResetFormat != "" {
		if !slices.Contains(resetFormats, r.ResetFormat) {
			v.ps.add(p+"reset_format", "%s", unknownValue("reset_format", r.ResetFormat, resetFormats))
		} else if r.ResetHeader == "" {
			v.ps.add(p+"reset_format", "reset_format describes reset_header, which is not set")
		}
	}
}

func (v *validator) errorRules() {
	for i, r := range v.s.Errors {
		p := indexPath("errors", i)
		switch {
		case r.Action == "":
			v.ps.add(p+".action", "error rule needs action (%s)", orList(actions))
		case !slices.Contains(actions, r.Action):
			v.ps.add(p+".action", "%s", unknownValue("action", r.Action, actions))
		}
		for j, st := range r.Status {
			if st < 100 || st > 599 {
				v.ps.add(indexPath(p+".status", j), "HTTP status %d is out of range (100-599)", st)
			}
		}
		if r.Path == "" && (len(r.In) > 0 || len(r.NotIn) > 0) {
			v.ps.add(p+".path", "in/not_in compare the value at path, which is not set")
		}
		if r.Wait < 0 {
			v.ps.add(p+".wait", "wait must not be negative")
		}
		if r.WaitUnit != "" {
			if !slices.Contains(waitUnits, r.WaitUnit) {
				v.ps.add(p+".wait_unit", "%s", unknownValue("wait_unit", r.WaitUnit, waitUnits))
			} else if r.WaitPath == "" {
				v.ps.add(p+".wait_unit", "wait_unit is the unit of wait_path, which is not set")
			}
		}
	}
}

func (v *validator) streamNames() []string {
	return sortedKeys(v.s.Streams)
}

// sortedKeys returns the keys of m in order, for deterministic problem lists.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quoted formats names as "a", "b", ... for messages.
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

package httpapi

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces every secret the Redactor removes.
const Redacted = "REDACTED"

// minSecret is the shortest secret replaced inside free text: replacing every "ab" of a
// message would destroy it while protecting nothing. Sensitive query parameters are
// redacted whatever their length.
const minSecret = 4

// sensitiveParams are query parameters whose values are credentials.
const sensitiveParams = `access_token|token|key|api_key|apikey|client_secret|password|appsecret_proof|refresh_token|signature|sig|code`

var (
	// paramRE finds name=value in URLs, also inside other text.
	paramRE = regexp.MustCompile(`(?i)([?&;](?:` + sensitiveParams + `)=)[^&#\s"'<>]*`)
	// escapedParamRE finds the same in a URL that is itself percent-encoded
	// (…%3Faccess_token%3Dvalue%26…): the value runs to the next %26 or delimiter.
	escapedParamRE = regexp.MustCompile(`(?i)((?:%3F|%26)(?:` + sensitiveParams + `)%3D)(?:[^%&#\s"'<>]|%(?:[013-9a-f][0-9a-f]|2[0-57-9a-f]))*`)
)

// Redactor removes secrets from text: the values it was given (also in their
// URL-encoded forms) and the values of sensitive query parameters (access_token, token,
// key, api_key, apikey, client_secret, password, appsecret_proof, refresh_token,
// signature, sig, code). Every URL and message that reaches an error, a log line or
// stats goes through it. It is safe for concurrent use; a nil *Redactor still redacts
// sensitive parameters.
type Redactor struct {
	mu      sync.RWMutex
	secrets []string // longest first, so a secret containing another goes whole
}

// NewRedactor returns a Redactor for these secret values. Empty values are ignored.
func NewRedactor(secrets []string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers more secrets, such as an access token fetched at run time.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if !slices.Contains(r.secrets, form) {
				r.secrets = append(r.secrets, form)
			}
		}
	}
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

// String returns s with every secret value and every sensitive query parameter value
// replaced by REDACTED.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.secrets {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
		r.mu.RUnlock()
	}
	s = paramRE.ReplaceAllString(s, "${1}"+Redacted)
	return escapedParamRE.ReplaceAllString(s, "${1}"+Redacted)
}

// URL returns u redacted as String does, with the password of any user info removed too.
func (r *Redactor) URL(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), Redacted)
			u = p.String()
		}
	}
	return r.String(u)
}

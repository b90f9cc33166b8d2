package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/sluice-dev/sluice/internal/httpapi"
)

// ErrSecret means a value about to be stored in a checkpoint looks like a credential.
// Checkpoints hold requests as the spec builds them, before auth is applied; a credential
// in one means auth leaked into the request, and it must not reach the store.
var ErrSecret = errors.New("refusing to store what looks like a credential")

// sensitiveHeaders are header names whose values are credentials.
var sensitiveHeaders = regexp.MustCompile(`(?i)^(authorization|proxy-authorization|cookie)$|token|secret|api-?key|password|signature`)

// sensitiveJSONKey finds JSON object keys that name credentials.
var sensitiveJSONKey = regexp.MustCompile(`(?i)"(access_token|token|api_key|apikey|client_secret|password|appsecret_proof|refresh_token|signature|secret)"\s*:`)

// Request is a stored HTTP request without credentials: the next page to fetch.
type Request struct {
	Method string          `json:"method"`
	URL    string          `json:"url"`
	Query  url.Values      `json:"query,omitempty"`
	Header http.Header     `json:"header,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// RequestFrom copies r (as the engine's paginator built it, before auth) into a
// storable Request. Query parameters that carry credentials are dropped, from the query
// and from the URL (Meta's paging.next URLs repeat the access_token): the client applies
// auth again when the request is sent. A body that is not JSON is an error: spec
// requests send JSON bodies.
func RequestFrom(r *httpapi.Request) (*Request, error) {
	if r == nil {
		return nil, nil
	}
	c := r.Clone()
	for name := range c.Query {
		if httpapi.IsSensitiveParam(name) {
			c.Query.Del(name)
		}
	}
	if u, err := url.Parse(c.URL); err == nil && u.RawQuery != "" {
		q := u.Query()
		dropped := false
		for name := range q {
			if httpapi.IsSensitiveParam(name) {
				q.Del(name)
				dropped = true
			}
		}
		if dropped {
			u.RawQuery = q.Encode()
			c.URL = u.String()
		}
	}
	out := &Request{Method: c.Method, URL: c.URL, Header: c.Header}
	if len(c.Query) > 0 {
		out.Query = c.Query
	}
	if len(out.Header) == 0 {
		out.Header = nil
	}
	if len(c.Body) > 0 {
		if !json.Valid(c.Body) {
			return nil, fmt.Errorf("checkpoint request %s %s: body is not JSON", c.Method, c.URL)
		}
		out.Body = json.RawMessage(c.Body)
	}
	return out, nil
}

// HTTP returns the request as an httpapi.Request to send again (auth is applied by the
// client, as for any request).
func (r *Request) HTTP() *httpapi.Request {
	out := &httpapi.Request{Method: r.Method, URL: r.URL, Query: url.Values{}, Header: r.Header.Clone()}
	for k, v := range r.Query {
		out.Query[k] = append([]string(nil), v...)
	}
	if out.Header == nil {
		out.Header = http.Header{}
	}
	if len(r.Body) > 0 {
		out.Body = append([]byte(nil), r.Body...)
	}
	return out
}

// checkSecrets returns an error wrapping ErrSecret when the URL, the query, a header or
// the body carries something that looks like a credential: a value the httpapi redactor
// would replace (access_token=, key=, sig=, user:password@ …), a credential header, or a
// credential-named JSON key. The error names where, never the value.
func (r *Request) checkSecrets() error {
	if r == nil {
		return nil
	}
	var red *httpapi.Redactor // nil still redacts sensitive parameters
	if red.URL(r.URL) != r.URL {
		return fmt.Errorf("next request URL %s: %w (a token query parameter or password)", red.URL(r.URL), ErrSecret)
	}
	if len(r.Query) > 0 {
		q := "?" + r.Query.Encode()
		if red.String(q) != q {
			return fmt.Errorf("next request query %s: %w (a token query parameter)", red.String(q), ErrSecret)
		}
	}
	for name := range r.Header {
		if sensitiveHeaders.MatchString(name) {
			return fmt.Errorf("next request header %s: %w", name, ErrSecret)
		}
	}
	if len(r.Body) > 0 {
		body := string(r.Body)
		if red.String(body) != body {
			return fmt.Errorf("next request body: %w (a token parameter)", ErrSecret)
		}
		if err := checkSecretJSON("next request body", r.Body); err != nil {
			return err
		}
	}
	return nil
}

// checkSecretJSON refuses JSON with an object key that names a credential.
func checkSecretJSON(what string, data []byte) error {
	if m := sensitiveJSONKey.FindSubmatch(data); m != nil {
		return fmt.Errorf("%s has a %q field: %w", what, strings.ToLower(string(m[1])), ErrSecret)
	}
	return nil
}

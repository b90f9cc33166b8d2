package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sluice-dev/sluice/internal/spec"
)

// Credential names used by the auth kinds.
const (
	CredToken        = "token"
	CredUsername     = "username"
	CredPassword     = "password"
	CredClientID     = "client_id"
	CredClientSecret = "client_secret"
	CredRefreshToken = "refresh_token"
)

// authenticator puts credentials on an outgoing request.
type authenticator interface {
	// apply authenticates req and returns the token it used ("" when none), which a
	// 401 hands back to invalidate.
	apply(ctx context.Context, req *http.Request) (string, error)
	// hint tells the user which credential to check after an auth failure.
	hint() string
}

// invalidator is implemented by authenticators whose token can be fetched again.
type invalidator interface {
	// invalidate drops token from the cache, if it is still the cached one.
	invalidate(token string)
}

// newAuth builds the authenticator for a spec's auth from resolved credentials.
// oauth is used to fetch OAuth2 tokens.
func newAuth(a spec.Auth, creds map[string]string, oauth oauthDeps) (authenticator, error) {
	need := func(name string) (string, error) {
		v, ok := creds[name]
		if !ok || v == "" {
			return "", fmt.Errorf("%s auth needs credential %q, which is not set (add it to the account's credentials)", a.Type, name)
		}
		return v, nil
	}
	tokenName := a.Credential
	if tokenName == "" {
		tokenName = CredToken
	}
	switch a.Type {
	case "", spec.AuthNone:
		return noAuth{}, nil
	case spec.AuthBearer, spec.AuthHeader, spec.AuthQuery:
		tok, err := need(tokenName)
		if err != nil {
			return nil, err
		}
		s := staticAuth{kind: a.Type, cred: tokenName, token: tok, header: "Authorization", prefix: "Bearer "}
		switch a.Type {
		case spec.AuthHeader:
			if a.Header == "" {
				return nil, fmt.Errorf("header auth needs auth.header (the header name, e.g. X-API-Key)")
			}
			s.header, s.prefix = a.Header, a.Prefix
		case spec.AuthQuery:
			if a.Param == "" {
				return nil, fmt.Errorf("query auth needs auth.param (the query parameter, e.g. access_token)")
			}
			s.param = a.Param
		}
		return s, nil
	case spec.AuthBasic:
		user, err := need(CredUsername)
		if err != nil {
			return nil, err
		}
		pass, ok := creds[CredPassword]
		if !ok {
			return nil, fmt.Errorf("basic auth needs credential %q, which is not set (add it to the account's credentials)", CredPassword)
		}
		return basicAuth{user: user, pass: pass}, nil
	case spec.AuthOAuth2Client, spec.AuthOAuth2Token:
		return newOAuth2(a, need, creds, oauth)
	}
	return nil, fmt.Errorf("unknown auth type %q (use none, bearer, header, query, basic, oauth2_client or oauth2_refresh)", a.Type)
}

type noAuth struct{}

func (noAuth) apply(context.Context, *http.Request) (string, error) { return "", nil }
func (noAuth) hint() string {
	return "the request was sent without credentials (auth type none)"
}

// staticAuth sends a fixed token in a header or a query parameter.
type staticAuth struct {
	kind, cred, token string
	header, prefix    string // header kinds
	param             string // query kind
}

func (s staticAuth) apply(_ context.Context, req *http.Request) (string, error) {
	if s.param != "" {
		setQueryParam(req.URL, s.param, s.token)
	} else {
		req.Header.Set(s.header, s.prefix+s.token)
	}
	return s.token, nil
}

func (s staticAuth) hint() string {
	return fmt.Sprintf("check credential %q (%s auth)", s.cred, s.kind)
}

// setQueryParam sets name=value in u's query, keeping the other parameters as written.
func setQueryParam(u *url.URL, name, value string) {
	q := u.Query()
	if q.Has(name) {
		q.Set(name, value)
		u.RawQuery = q.Encode()
		return
	}
	pair := url.QueryEscape(name) + "=" + url.QueryEscape(value)
	if u.RawQuery == "" {
		u.RawQuery = pair
	} else {
		u.RawQuery += "&" + pair
	}
}

type basicAuth struct{ user, pass string }

func (b basicAuth) apply(_ context.Context, req *http.Request) (string, error) {
	req.SetBasicAuth(b.user, b.pass)
	return "", nil
}

func (basicAuth) hint() string {
	return fmt.Sprintf("check credentials %q and %q (basic auth)", CredUsername, CredPassword)
}

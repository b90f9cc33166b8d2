package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// oauthDeps are what the OAuth2 authenticators share with their Client.
type oauthDeps struct {
	http     *http.Client
	clock    Clock
	timeout  time.Duration
	redactor *Redactor
}

// maxTokenResponse bounds the token endpoint's answer.
const maxTokenResponse = 1 << 20

// oauth2 fetches access tokens by the client-credentials or refresh-token grant and
// caches them until shortly before they expire. Concurrent requests share one fetch.
type oauth2 struct {
	kind     string
	tokenURL string
	form     url.Values
	hintText string
	deps     oauthDeps

	mu     sync.Mutex
	token  string
	expiry time.Time // zero: valid until a 401
	call   *tokenCall
}

// tokenCall is one token fetch in flight; done closes when token or err is set.
type tokenCall struct {
	done  chan struct{}
	token string
	err   error
}

func newOAuth2(a spec.Auth, need func(string) (string, error), creds map[string]string, deps oauthDeps) (*oauth2, error) {
	if a.TokenURL == "" {
		return nil, fmt.Errorf("%s auth needs auth.token_url", a.Type)
	}
	o := &oauth2{kind: a.Type, tokenURL: a.TokenURL, form: url.Values{}, deps: deps}
	var required []string
	if a.Type == spec.AuthOAuth2Client {
		o.form.Set("grant_type", "client_credentials")
		required = []string{CredClientID, CredClientSecret}
		o.hintText = fmt.Sprintf("check credentials %q and %q (%s auth)", CredClientID, CredClientSecret, a.Type)
	} else {
		o.form.Set("grant_type", "refresh_token")
		required = []string{CredRefreshToken}
		o.hintText = fmt.Sprintf("check credential %q (%s auth)", CredRefreshToken, a.Type)
	}
	for _, name := range required {
		v, err := need(name)
		if err != nil {
			return nil, err
		}
		o.form.Set(name, v)
	}
	for _, name := range []string{CredClientID, CredClientSecret} {
		if v := creds[name]; v != "" {
			o.form.Set(name, v)
		}
	}
	if len(a.Scopes) > 0 {
		o.form.Set("scope", strings.Join(a.Scopes, " "))
	}
	return o, nil
}

func (o *oauth2) hint() string { return o.hintText }

func (o *oauth2) apply(ctx context.Context, req *http.Request) (string, error) {
	tok, err := o.get(ctx)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return tok, nil
}

func (o *oauth2) invalidate(token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token == token {
		o.token = ""
	}
}

// get returns the cached token or waits for the one fetch in flight, starting it if
// needed. The fetch runs detached from ctx so one cancelled caller does not fail the
// others; it is bounded by the client's timeout.
func (o *oauth2) get(ctx context.Context) (string, error) {
	o.mu.Lock()
	if o.token != "" && (o.expiry.IsZero() || o.deps.clock.Now().Before(o.expiry)) {
		tok := o.token
		o.mu.Unlock()
		return tok, nil
	}
	c := o.call
	if c == nil {
		c = &tokenCall{done: make(chan struct{})}
		o.call = c
		go o.run(context.WithoutCancel(ctx), c)
	}
	o.mu.Unlock()
	select {
	case <-c.done:
		return c.token, c.err
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}

func (o *oauth2) run(ctx context.Context, c *tokenCall) {
	tok, expiresIn, err := o.fetch(ctx)
	o.mu.Lock()
	if err == nil {
		o.token, o.expiry = tok, time.Time{}
		if expiresIn > 0 {
			// Renew a little early: a tenth of the lifetime, at most a minute.
			o.expiry = o.deps.clock.Now().Add(expiresIn - min(expiresIn/10, time.Minute))
		}
	}
	o.call = nil
	o.mu.Unlock()
	c.token, c.err = tok, err
	close(c.done)
}

// fetch performs the grant and returns the access token and its lifetime (0: unknown).
func (o *oauth2) fetch(ctx context.Context) (string, time.Duration, error) {
	ctx, cancel := withTimeout(ctx, o.deps.clock, o.deps.timeout)
	defer cancel()
	fail := func(kind ErrorKind, status int, msg string, err error) (string, time.Duration, error) {
		e := &Error{Kind: kind, Status: status, Method: http.MethodPost, URL: o.deps.redactor.URL(o.tokenURL),
			Message: o.deps.redactor.String(msg), Attempts: 1, Err: err}
		if kind == KindAuth {
			e.Hint = o.hintText
		}
		return "", 0, e
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.tokenURL, strings.NewReader(o.form.Encode()))
	if err != nil {
		return fail(KindPermanent, 0, "", fmt.Errorf("token request: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := o.deps.http.Do(req)
	if err != nil {
		return fail(transportKind(ctx, err), 0, "", redactErr(o.deps.redactor, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return fail(transportKind(ctx, err), resp.StatusCode, "", redactErr(o.deps.redactor, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		kind := KindAuth
		switch k := defaultKind(resp.StatusCode); k {
		case KindRateLimited, KindTransient:
			kind = k
		}
		return fail(kind, resp.StatusCode, apiMessage(nil, body), nil)
	}
	tok := gjson.GetBytes(body, "access_token").String()
	if tok == "" {
		return fail(KindAuth, resp.StatusCode, "the token response has no access_token", nil)
	}
	o.deps.redactor.Add(tok)
	if next := gjson.GetBytes(body, "refresh_token").String(); next != "" && o.kind == spec.AuthOAuth2Token {
		// The server rotated the refresh token: the old one may no longer work.
		o.deps.redactor.Add(next)
		o.mu.Lock()
		o.form.Set(CredRefreshToken, next)
		o.mu.Unlock()
	}
	return tok, time.Duration(gjson.GetBytes(body, "expires_in").Float() * float64(time.Second)), nil
}

package httpapi

import (
	"context"
	"net/http"
	"testing"

	"github.com/sluice-dev/sluice/internal/spec"
)

func TestAuthKinds(t *testing.T) {
	creds := map[string]string{
		"token": "tok-fake-0001", "api_key": "key-fake-0002", "username": "user-fake", "password": "pass-fake",
	}
	cases := []struct {
		name      string
		auth      spec.Auth
		url       string // path and query after the server URL
		wantAuthz string // Authorization header the server saw
		wantOther string // the header or parameter named by auth, when not Authorization
		wantQuery string // the raw query the server saw
	}{
		{name: "none", auth: spec.Auth{Type: spec.AuthNone}, url: "/me"},
		{name: "empty type is none", auth: spec.Auth{}, url: "/me"},
		{name: "bearer", auth: spec.Auth{Type: spec.AuthBearer}, url: "/me", wantAuthz: "Bearer tok-fake-0001"},
		{name: "bearer with credential override", auth: spec.Auth{Type: spec.AuthBearer, Credential: "api_key"}, url: "/me", wantAuthz: "Bearer key-fake-0002"},
		{name: "header with prefix", auth: spec.Auth{Type: spec.AuthHeader, Header: "X-API-Key", Prefix: "Token "}, url: "/me", wantOther: "Token tok-fake-0001"},
		{name: "query", auth: spec.Auth{Type: spec.AuthQuery, Param: "access_token"}, url: "/me?fields=id", wantOther: "tok-fake-0001", wantQuery: "fields=id&access_token=tok-fake-0001"},
		{name: "query replaces a stale value", auth: spec.Auth{Type: spec.AuthQuery, Param: "access_token"}, url: "/me?access_token=old&after=c2", wantOther: "tok-fake-0001", wantQuery: "access_token=tok-fake-0001&after=c2"},
		{name: "basic", auth: spec.Auth{Type: spec.AuthBasic}, url: "/me", wantAuthz: "Basic dXNlci1mYWtlOnBhc3MtZmFrZQ=="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock(pipeStart)
			var authz, other, query string
			srv := newPipeServer(t, clk, func(clk *FakeClock, w http.ResponseWriter, r *http.Request) {
				authz, query = r.Header.Get("Authorization"), r.URL.RawQuery
				switch {
				case tc.auth.Header != "":
					other = r.Header.Get(tc.auth.Header)
				case tc.auth.Param != "":
					other = r.URL.Query().Get(tc.auth.Param)
				}
				pipeReply(200, pipeOK)(clk, w, r)
			})
			c := newPipeClient(t, Config{Clock: clk, Spec: &spec.Spec{Auth: tc.auth}, Credentials: creds})
			if _, err := c.Do(context.Background(), &Request{URL: srv.URL + tc.url}); err != nil {
				t.Fatal(err)
			}
			if authz != tc.wantAuthz || other != tc.wantOther || (tc.wantQuery != "" && query != tc.wantQuery) {
				t.Fatalf("server saw Authorization %q, other %q, query %q; want %q, %q, %q", authz, other, query, tc.wantAuthz, tc.wantOther, tc.wantQuery)
			}
		})
	}
}

func TestAuthConfigErrors(t *testing.T) {
	cases := []struct {
		name  string
		auth  spec.Auth
		creds map[string]string
		want  string
	}{
		{"bearer without token", spec.Auth{Type: spec.AuthBearer}, nil,
			`source acme: bearer auth needs credential "token", which is not set (add it to the account's credentials)`},
		{"query with an empty named credential", spec.Auth{Type: spec.AuthQuery, Param: "key", Credential: "api_key"}, map[string]string{"api_key": ""},
			`source acme: query auth needs credential "api_key", which is not set (add it to the account's credentials)`},
		{"header without a header name", spec.Auth{Type: spec.AuthHeader}, map[string]string{"token": "t-fake"},
			`source acme: header auth needs auth.header (the header name, e.g. X-API-Key)`},
		{"basic without password", spec.Auth{Type: spec.AuthBasic}, map[string]string{"username": "u"},
			`source acme: basic auth needs credential "password", which is not set (add it to the account's credentials)`},
		{"client credentials without secret", spec.Auth{Type: spec.AuthOAuth2Client, TokenURL: "https://auth.example/token"}, map[string]string{"client_id": "cid-fake"},
			`source acme: oauth2_client auth needs credential "client_secret", which is not set (add it to the account's credentials)`},
		{"refresh without token url", spec.Auth{Type: spec.AuthOAuth2Token}, map[string]string{"refresh_token": "rt-fake"},
			`source acme: oauth2_refresh auth needs auth.token_url`},
		{"unknown type", spec.Auth{Type: "digest"}, nil,
			`source acme: unknown auth type "digest" (use none, bearer, header, query, basic, oauth2_client or oauth2_refresh)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(Config{Spec: &spec.Spec{Name: "acme", Auth: tc.auth}, Credentials: tc.creds})
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}

func TestAuthHints(t *testing.T) {
	cases := []struct {
		auth spec.Auth
		want string
	}{
		{spec.Auth{Type: spec.AuthNone}, `the request was sent without credentials (auth type none)`},
		{spec.Auth{Type: spec.AuthHeader, Header: "X-Key", Credential: "api_key"}, `check credential "api_key" (header auth)`},
		{spec.Auth{Type: spec.AuthBasic}, `check credentials "username" and "password" (basic auth)`},
		{spec.Auth{Type: spec.AuthOAuth2Client, TokenURL: "http://t"}, `check credentials "client_id" and "client_secret" (oauth2_client auth)`},
		{spec.Auth{Type: spec.AuthOAuth2Token, TokenURL: "http://t"}, `check credential "refresh_token" (oauth2_refresh auth)`},
	}
	creds := map[string]string{"api_key": "k-fake", "username": "u", "password": "p", "client_id": "c", "client_secret": "s", "refresh_token": "r"}
	for _, tc := range cases {
		t.Run(tc.auth.Type, func(t *testing.T) {
			a, err := newAuth(tc.auth, creds, oauthDeps{})
			if err != nil {
				t.Fatal(err)
			}
			if got := a.hint(); got != tc.want {
				t.Fatalf("hint = %q, want %q", got, tc.want)
			}
		})
	}
}

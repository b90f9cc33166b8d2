package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

// oauthServer is a token endpoint (/token) and an API (/api) that accepts the tokens it
// issued and not revoked.
type oauthServer struct {
	*httptest.Server
	mu        sync.Mutex
	forms     []string // token request bodies, in order
	issued    int
	revoked   map[string]bool
	revokeAll bool
	apiHits   int
	seen      map[string]int // Authorization header → API requests
	failGrant string         // when set, the token endpoint answers 400 with this description
}

func newOAuthServer(t *testing.T) *oauthServer {
	s := &oauthServer{revoked: map[string]bool{}, seen: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			_ = r.ParseForm()
			time.Sleep(20 * time.Millisecond) // let concurrent requests pile up on the fetch
			s.mu.Lock()
			defer s.mu.Unlock()
			s.forms = append(s.forms, r.PostForm.Encode())
			if s.failGrant != "" {
				w.WriteHeader(400)
				fmt.Fprintf(w, `{"error":"invalid_grant","error_description":%q}`, s.failGrant)
				return
			}
			s.issued++
			fmt.Fprintf(w, `{"access_token":"tok-fake-%d","token_type":"bearer","expires_in":3600,"refresh_token":"rt-fake-%d"}`, s.issued, s.issued+1)
			return
		}
		authz := r.Header.Get("Authorization")
		s.mu.Lock()
		s.apiHits++
		s.seen[authz]++
		bad := s.revokeAll || s.revoked[strings.TrimPrefix(authz, "Bearer ")]
		s.mu.Unlock()
		if bad {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"message":"The token used in the request has expired"}`))
			return
		}
		_, _ = w.Write([]byte(pipeOK))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *oauthServer) do(f func(*oauthServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func TestOAuth2ClientCredentials(t *testing.T) {
	srv := newOAuthServer(t)
	clk := NewFakeClock(pipeStart)
	sp := &spec.Spec{Auth: spec.Auth{Type: spec.AuthOAuth2Client, TokenURL: srv.URL + "/token", Scopes: []string{"read", "write"}}}
	c := newPipeClient(t, Config{Clock: clk, Spec: sp, Credentials: map[string]string{"client_id": "cid-fake", "client_secret": "secret-fake"}})
	get := func() (*Response, error) { return c.Do(context.Background(), &Request{URL: srv.URL + "/api"}) }

	// 20 concurrent requests share one token fetch.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := get(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	srv.do(func(s *oauthServer) {
		wantForm := "client_id=cid-fake&client_secret=secret-fake&grant_type=client_credentials&scope=read+write"
		if len(s.forms) != 1 || s.forms[0] != wantForm || s.seen["Bearer tok-fake-1"] != 20 {
			t.Fatalf("token requests %q, API saw %v; want one %q and 20 × tok-fake-1", s.forms, s.seen, wantForm)
		}
		s.revoked["tok-fake-1"] = true
	})

	// A 401 fetches a new token once and retries once.
	resp, err := get()
	if err != nil || resp.Attempts != 2 {
		t.Fatalf("after revocation: resp %+v, err %v; want success in 2 attempts", resp, err)
	}
	srv.do(func(s *oauthServer) {
		if len(s.forms) != 2 || s.seen["Bearer tok-fake-2"] != 1 {
			t.Fatalf("token requests %d, API saw %v; want 2 and one tok-fake-2", len(s.forms), s.seen)
		}
	})

	// The token is renewed shortly before it expires, without a 401.
	clk.Advance(3540 * time.Second)
	if _, err := get(); err != nil {
		t.Fatal(err)
	}
	srv.do(func(s *oauthServer) {
		if len(s.forms) != 3 || s.seen["Bearer tok-fake-3"] != 1 {
			t.Fatalf("token requests %d, API saw %v; want 3 and one tok-fake-3", len(s.forms), s.seen)
		}
		s.revokeAll = true
	})

	// A second 401 is final, with the credential hint.
	_, err = get()
	want := fmt.Sprintf(`GET %s/api: 401 Unauthorized: "The token used in the request has expired": check credentials "client_id" and "client_secret" (oauth2_client auth) (after 2 attempts)`, srv.URL)
	if err == nil || err.Error() != want || KindOf(err) != KindAuth {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	srv.do(func(s *oauthServer) {
		if len(s.forms) != 4 {
			t.Fatalf("token requests = %d, want 4", len(s.forms))
		}
	})
}

func TestOAuth2Refresh(t *testing.T) {
	srv := newOAuthServer(t)
	clk := NewFakeClock(pipeStart)
	sp := &spec.Spec{Auth: spec.Auth{Type: spec.AuthOAuth2Token, TokenURL: srv.URL + "/token"}}
	c := newPipeClient(t, Config{Clock: clk, Spec: sp, Credentials: map[string]string{"refresh_token": "rt-fake-1", "client_id": "cid-fake"}})
	get := func() error { _, err := c.Do(context.Background(), &Request{URL: srv.URL + "/api"}); return err }
	if err := get(); err != nil {
		t.Fatal(err)
	}
	srv.do(func(s *oauthServer) { s.revoked["tok-fake-1"] = true })
	if err := get(); err != nil {
		t.Fatal(err)
	}
	srv.do(func(s *oauthServer) {
		want := []string{
			"client_id=cid-fake&grant_type=refresh_token&refresh_token=rt-fake-1",
			"client_id=cid-fake&grant_type=refresh_token&refresh_token=rt-fake-2", // rotated
		}
		if strings.Join(s.forms, "\n") != strings.Join(want, "\n") {
			t.Fatalf("token requests:\n%s\nwant:\n%s", strings.Join(s.forms, "\n"), strings.Join(want, "\n"))
		}
		s.failGrant = "Refresh token revoked"
		s.revoked["tok-fake-2"] = true
	})
	err := get()
	want := fmt.Sprintf(`POST %s/token: 400 Bad Request: "Refresh token revoked": check credential "refresh_token" (oauth2_refresh auth) (after 2 attempts)`, srv.URL)
	if err == nil || err.Error() != want || KindOf(err) != KindAuth {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	if got := c.Redactor().String("tok-fake-2 rt-fake-3"); got != "REDACTED REDACTED" {
		t.Errorf("fetched tokens not redacted: %q", got)
	}
}

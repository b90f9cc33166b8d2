package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor([]string{"EAAB-fake-token+/=", "s3cr3t-fake", "", "ab"})
	cases := []struct {
		name, in, want string
	}{
		{"secret in text", "token s3cr3t-fake was rejected", "token REDACTED was rejected"},
		{"secret twice", "s3cr3t-fake:s3cr3t-fake", "REDACTED:REDACTED"},
		{"secret url-encoded", "q=EAAB-fake-token%2B%2F%3D&x=1", "q=REDACTED&x=1"},
		{"meta paging.next",
			"https://graph.facebook.com/v19.0/17841406338772941/media?access_token=EAAB-other-fake&pretty=0&fields=id%2Ccaption&limit=25&after=QVFIUmZA",
			"https://graph.facebook.com/v19.0/17841406338772941/media?access_token=REDACTED&pretty=0&fields=id%2Ccaption&limit=25&after=QVFIUmZA"},
		{"every sensitive parameter",
			"https://a.example/p?token=1&key=2&api_key=3&apikey=4&client_secret=5&password=6&appsecret_proof=7&refresh_token=8&signature=9&sig=10&code=11&keep=12",
			"https://a.example/p?token=REDACTED&key=REDACTED&api_key=REDACTED&apikey=REDACTED&client_secret=REDACTED&password=REDACTED&appsecret_proof=REDACTED&refresh_token=REDACTED&signature=REDACTED&sig=REDACTED&code=REDACTED&keep=12"},
		{"parameter names are whole names", "https://a.example/p?__paging_token=abc&monkey=1&access_token_type=x", "https://a.example/p?__paging_token=abc&monkey=1&access_token_type=x"},
		{"case-insensitive names", "https://a.example/p?Access_Token=abc#frag", "https://a.example/p?Access_Token=REDACTED#frag"},
		{"url inside a sentence", `Get "https://a.example/p?key=AIza-fake": dial tcp: refused`, `Get "https://a.example/p?key=REDACTED": dial tcp: refused`},
		{"url inside JSON", `{"next":"https://a.example/p?limit=2&access_token=zzz","x":1}`, `{"next":"https://a.example/p?limit=2&access_token=REDACTED","x":1}`},
		{"percent-encoded url in a parameter", "https://a.example/login?next=https%3A%2F%2Fb.example%2Fcb%3Fcode%3Dxyz%252B1%26state%3Dok",
			"https://a.example/login?next=https%3A%2F%2Fb.example%2Fcb%3Fcode%3DREDACTED%26state%3Dok"},
		{"short secrets left in text", "ab cd", "ab cd"},
		{"nothing to do", "plain text", "plain text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.String(tc.in); got != tc.want {
				t.Fatalf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactorURL(t *testing.T) {
	var nilRedactor *Redactor
	cases := []struct {
		name string
		r    *Redactor
		in   string
		want string
	}{
		{"user password", NewRedactor(nil), "https://bob:hunter2-fake@a.example/x?y=1", "https://bob:REDACTED@a.example/x?y=1"},
		{"secret in path", NewRedactor([]string{"key-fake-9"}), "https://a.example/hooks/key-fake-9/run", "https://a.example/hooks/REDACTED/run"},
		{"nil redactor still redacts parameters", nilRedactor, "https://a.example/x?access_token=abc", "https://a.example/x?access_token=REDACTED"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.URL(tc.in); got != tc.want {
				t.Fatalf("URL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestClientRedactsErrors checks that the token of a query-auth source never reaches an
// error, with the URL the API itself returned as the next page.
func TestClientRedactsErrors(t *testing.T) {
	raw, err := os.ReadFile("testdata/ig_user_media_p1_with_next.json")
	if err != nil {
		t.Fatal(err)
	}
	next := gjson.GetBytes(raw, "paging.next").Str
	clk := NewFakeClock(pipeStart)
	srv := newPipeServer(t, clk, pipeReply(400, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token EAAB-fake-0042","code":190}}`))
	sp := &spec.Spec{Auth: spec.Auth{Type: spec.AuthQuery, Param: "access_token"}, Errors: metaRules[1:2]}
	c := newPipeClient(t, Config{Clock: clk, Spec: sp, Credentials: map[string]string{"token": "EAAB-fake-0042"}})
	nextURL := strings.Replace(next, "https://graph.facebook.com", srv.URL, 1)
	_, err = c.Do(context.Background(), &Request{URL: nextURL})
	wantURL := strings.Replace(nextURL, "access_token=access_token", "access_token=REDACTED", 1)
	want := fmt.Sprintf(`GET %s: 400 Bad Request: "Invalid OAuth access token - Cannot parse access token REDACTED": check credential "token" (query auth)`, wantURL)
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

func TestClientRedactsTransportErrors(t *testing.T) {
	srv := newPipeServer(t, nil, pipeReply(200, pipeOK))
	url := srv.URL
	srv.Close() // connection refused from now on
	sp := &spec.Spec{Auth: spec.Auth{Type: spec.AuthQuery, Param: "access_token"}}
	c := newPipeClient(t, Config{Spec: sp, Clock: NewFakeClock(pipeStart), Retry: RetryPolicy{MaxAttempts: 2},
		Credentials: map[string]string{"token": "EAAB-fake-77"}})
	// A next-page URL as Meta returns it, carrying the token.
	_, err := c.Do(context.Background(), &Request{URL: url + "/v19.0/42/media?access_token=EAAB-fake-77&after=QVF"})
	if KindOf(err) != KindNetwork {
		t.Fatalf("kind = %q (%v), want network", KindOf(err), err)
	}
	text := err.Error()
	prefix := fmt.Sprintf(`GET %s/v19.0/42/media?access_token=REDACTED&after=QVF: network: dial tcp `, url)
	if !strings.HasPrefix(text, prefix) || !strings.HasSuffix(text, "connect: connection refused (after 2 attempts)") || strings.Contains(text, "EAAB") {
		t.Fatalf("error = %s\nwant prefix %s", text, prefix)
	}
}

func TestClientRedactsLogs(t *testing.T) {
	clk := NewFakeClock(pipeStart)
	srv := newPipeServer(t, clk, pipeReply(503, `{}`), pipeReply(200, pipeOK))
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newPipeClient(t, Config{Clock: clk, Logger: log, Credentials: map[string]string{"token": "EAAB-fake-78"}})
	if _, err := c.Do(context.Background(), &Request{URL: srv.URL + "/me?access_token=EAAB-fake-78"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "EAAB") || strings.Count(out, "access_token=REDACTED") != 3 {
		t.Fatalf("log lines (2 responses, 1 retry) not redacted:\n%s", out)
	}
}

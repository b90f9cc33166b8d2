package config

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// fakeSecretsManager serves the Secrets Manager GetSecretValue call of the AWS JSON 1.1
// protocol, as the real SDK sends it, from a map of secret name → secret string.
type fakeSecretsManager struct {
	secrets map[string]string
	mu      sync.Mutex
	calls   []string // SecretIds asked for
	regions []string // regions from the SigV4 credential scope
}

func (f *fakeSecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"InvalidRequestException","message":"unexpected request"}`))
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	// Credential=AKID/20240101/us-east-1/secretsmanager/aws4_request
	scope := strings.Split(strings.SplitN(r.Header.Get("Authorization"), "Credential=", 2)[1], "/")
	f.mu.Lock()
	f.calls = append(f.calls, in.SecretId)
	f.regions = append(f.regions, scope[2])
	f.mu.Unlock()
	v, ok := f.secrets[in.SecretId]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + in.SecretId, "Name": in.SecretId,
		"SecretString": v, "VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9,
	})
}

// newFakeSM starts the fake and returns a real SDK client pointed at it.
func newFakeSM(t *testing.T, secrets map[string]string) (*fakeSecretsManager, SecretsManagerAPI) {
	t.Helper()
	f := &fakeSecretsManager{secrets: secrets}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := secretsmanager.New(secretsmanager.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret-key", ""),
		HTTPClient:   srv.Client(),
	})
	return f, client
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("token.txt", "fake-file-token\r\n\n")
	write("empty.txt", "\n")
	abs := filepath.Join(dir, "token.txt")
	fake, sm := newFakeSM(t, map[string]string{
		"prod/x": `{"token":"fake-sm-token","id":12345,"nested":{"a":1}}`,
		"plain":  "fake-plain-secret",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/y": `{"token":"fake-arn-token"}`,
		"notjson":   "abc",
		"emptykeys": `{"token":""}`,
	})
	env := map[string]string{"X_TOKEN": "fake-env-token", "EMPTY": ""}
	r := &Resolver{
		LookupEnv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		SecretsManager: sm,
	}
	at := func(kind, name, key string) Ref {
		return Ref{Kind: kind, Name: name, Key: key, Dir: dir, File: "sluice.yaml", Line: 12, Path: "credentials.token"}
	}
	tests := []struct {
		name string
		ref  Ref
		want string
		err  string
	}{
		{"env", at(RefEnv, "X_TOKEN", ""), "fake-env-token", ""},
		{"env unset", at(RefEnv, "X_BEARER_TOKEN", ""), "",
			"sluice.yaml:12: credentials.token: environment variable X_BEARER_TOKEN is not set (add it to .env or export it)"},
		{"env empty", at(RefEnv, "EMPTY", ""), "",
			"sluice.yaml:12: credentials.token: environment variable EMPTY is empty (give it a value in .env or export it)"},
		{"file relative, newline trimmed", at(RefFile, "token.txt", ""), "fake-file-token", ""},
		{"file absolute", at(RefFile, abs, ""), "fake-file-token", ""},
		{"file missing", at(RefFile, "nope.txt", ""), "",
			"sluice.yaml:12: credentials.token: secret file " + filepath.Join(dir, "nope.txt") + " does not exist"},
		{"file empty", at(RefFile, "empty.txt", ""), "",
			"sluice.yaml:12: credentials.token: secret file " + filepath.Join(dir, "empty.txt") + " is empty"},
		{"aws-sm json key", at(RefAWSSM, "prod/x", "token"), "fake-sm-token", ""},
		{"aws-sm number key", at(RefAWSSM, "prod/x", "id"), "12345", ""},
		{"aws-sm whole", at(RefAWSSM, "plain", ""), "fake-plain-secret", ""},
		{"aws-sm arn", at(RefAWSSM, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/y", "token"), "fake-arn-token", ""},
		{"aws-sm missing key", at(RefAWSSM, "prod/x", "tokne"), "",
			`sluice.yaml:12: credentials.token: aws-sm secret prod/x has no key "tokne" (did you mean "token"?)`},
		{"aws-sm missing key, no hint", at(RefAWSSM, "prod/x", "password"), "",
			`sluice.yaml:12: credentials.token: aws-sm secret prod/x has no key "password" (keys: id, nested, token)`},
		{"aws-sm nested", at(RefAWSSM, "prod/x", "nested"), "",
			`sluice.yaml:12: credentials.token: aws-sm secret prod/x: key "nested" holds an object or list, not a value`},
		{"aws-sm not json", at(RefAWSSM, "notjson", "token"), "",
			"sluice.yaml:12: credentials.token: aws-sm secret notjson is not a JSON object, so #token cannot select from it (drop #token to use the whole secret)"},
		{"aws-sm empty key", at(RefAWSSM, "emptykeys", "token"), "",
			`sluice.yaml:12: credentials.token: aws-sm secret emptykeys: key "token" is empty`},
		{"aws-sm not found", at(RefAWSSM, "prod/missing", "token"), "",
			"sluice.yaml:12: credentials.token: aws-sm secret prod/missing: ResourceNotFoundException: Secrets Manager can't find the specified secret. (check the name and the region: AWS_REGION, or use the secret's ARN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := r.Resolve(context.Background(), tt.ref)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Resolve error = %v\nwant %s", err, tt.err)
				}
				var p Problem
				if !errors.As(err, &p) || p.Line != 12 {
					t.Errorf("error is not a Problem on line 12: %#v", err)
				}
				return
			}
			if err != nil || s.Reveal() != tt.want {
				t.Fatalf("Resolve = %q, %v; want %q", s.Reveal(), err, tt.want)
			}
		})
	}
	// Each secret is fetched once however many keys are read; an ARN is asked in its region.
	count := map[string]int{}
	for i, id := range fake.calls {
		count[id]++
		if strings.HasPrefix(id, "arn:") && fake.regions[i] != "eu-west-1" {
			t.Errorf("ARN secret signed for region %s, want eu-west-1", fake.regions[i])
		}
	}
	if count["prod/x"] != 1 || count["plain"] != 1 || count["prod/missing"] != 1 {
		t.Errorf("GetSecretValue calls = %v, want one per secret", count)
	}
}

// TestCredentialsLazyPerAccount proves one account's missing secret does not stop another
// account from resolving, and that every failing credential of an account is reported.
func TestCredentialsLazyPerAccount(t *testing.T) {
	doc := `accounts:
  - source: x
    id: "1"
    credentials: {token: "${env:X_TOKEN_1}"}
  - source: x
    id: "2"
    credentials:
      token: "${env:X_TOKEN_2}"
      secret: "${file:missing.txt}"
`
	c, err := Parse("sluice.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	r := &Resolver{LookupEnv: func(k string) (string, bool) {
		if k == "X_TOKEN_1" {
			return "fake-token-1", true
		}
		return "", false
	}}
	got, err := r.Credentials(context.Background(), &c.Accounts[0])
	if err != nil || len(got) != 1 || got["token"].Reveal() != "fake-token-1" {
		t.Fatalf("Credentials(account 1) = %v, %v; want token", got, err)
	}
	_, err = r.Credentials(context.Background(), &c.Accounts[1])
	want := "sluice.yaml:8: credentials.token: environment variable X_TOKEN_2 is not set (add it to .env or export it)\n" +
		"sluice.yaml:9: credentials.secret: secret file missing.txt does not exist"
	if err == nil || err.Error() != want {
		t.Errorf("Credentials(account 2) error =\n%v\nwant\n%s", err, want)
	}
}

func TestARNRegion(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/x-AbCdEf": "eu-west-1",
		"arn:aws-cn:secretsmanager:cn-north-1:1:secret:x":                    "cn-north-1",
		"prod/x":              "",
		"arn:aws:s3:::bucket": "",
	} {
		if got := arnRegion(in); got != want {
			t.Errorf("arnRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, maxSecretFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := (&Resolver{}).Resolve(context.Background(), Ref{Kind: RefFile, Name: "big", Dir: dir, File: "s.yaml", Line: 3, Path: "credentials.key"})
	want := "s.yaml:3: credentials.key: secret file " + filepath.Join(dir, "big") + " is larger than 65536 bytes; is it the right file?"
	if err == nil || err.Error() != want {
		t.Errorf("Resolve = %v, want %s", err, want)
	}
}

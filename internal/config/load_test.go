package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/format"
)

const fullConfig = `sink: s3://my-bucket/raw/
format: jsonl
s3: {endpoint: http://127.0.0.1:7070, region: us-east-1, path_style: true}
specs: [./specs, /opt/specs/acme.yaml]
defaults:
  lookback_days: 0
  concurrency: 8
  timeout: 1m
  retry: {max_attempts: 3, initial: 1s, max: 20s}
  checkpoint_pages: 50
  snapshot_max_shrink: 0.25
sources:
  x: {base_url: https://api.x.com/2}
accounts:
  - source: x
    id: "2244994945"
    name: TwitterDev
    streams: [tweets]
    credentials: {token: "${env:X_BEARER_TOKEN}"}
    vars: {username: TwitterDev, limit: 100}
  - source: instagram
    id: 017841405822304914
    credentials:
      access_token: "${aws-sm:prod/meta#token}"
      app_secret: "${file:secrets/app.txt}"
`

func TestParseFull(t *testing.T) {
	c, err := Parse("conf/sluice.yaml", []byte(fullConfig))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Config{
		File:     "conf/sluice.yaml",
		Dir:      "conf",
		Sink:     Sink{Kind: SinkS3, Bucket: "my-bucket", Prefix: "raw", Raw: "s3://my-bucket/raw/"},
		Format:   format.JSONL,
		S3:       S3{Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: true},
		Specs:    []string{"conf/specs", "/opt/specs/acme.yaml"},
		Defaults: Defaults{LookbackDays: 0, Concurrency: 8, Timeout: time.Minute, Retry: Retry{MaxAttempts: 3, Initial: time.Second, Max: 20 * time.Second}, CheckpointPages: 50, SnapshotMaxShrink: 0.25},
		Sources:  map[string]SourceOverride{"x": {BaseURL: "https://api.x.com/2"}},
		Accounts: []Account{
			{
				Source: "x", ID: "2244994945", Name: "TwitterDev", Streams: []string{"tweets"}, Line: 15,
				Credentials: map[string]Ref{"token": {Kind: RefEnv, Name: "X_BEARER_TOKEN", Dir: "conf", File: "conf/sluice.yaml", Line: 19, Path: "credentials.token"}},
				Vars:        map[string]string{"username": "TwitterDev", "limit": "100"},
			},
			{
				Source: "instagram", ID: "017841405822304914", Line: 21,
				Credentials: map[string]Ref{
					"access_token": {Kind: RefAWSSM, Name: "prod/meta", Key: "token", Dir: "conf", File: "conf/sluice.yaml", Line: 24, Path: "credentials.access_token"},
					"app_secret":   {Kind: RefFile, Name: "secrets/app.txt", Dir: "conf", File: "conf/sluice.yaml", Line: 25, Path: "credentials.app_secret"},
				},
			},
		},
		LogFormat: "text",
	}
	c.lines = nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", c, want)
	}
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse("sluice.yaml", []byte("sink: ./data\n"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	wantDefaults := Defaults{LookbackDays: 2, Concurrency: 4, Timeout: 30 * time.Second,
		Retry: Retry{MaxAttempts: 6, Initial: 500 * time.Millisecond, Max: 30 * time.Second}, CheckpointPages: 200, SnapshotMaxShrink: 0.5}
	if c.Defaults != wantDefaults {
		t.Errorf("Defaults = %+v, want %+v", c.Defaults, wantDefaults)
	}
	if c.Format != format.Parquet || c.LogFormat != "text" {
		t.Errorf("Format, LogFormat = %q, %q; want parquet, text", c.Format, c.LogFormat)
	}
	if want := (Sink{Kind: SinkLocal, Path: "data", Raw: "./data"}); c.Sink != want {
		t.Errorf("Sink = %+v, want %+v", c.Sink, want)
	}
	if c.Line("sink") != 1 || c.Line("format") != 0 {
		t.Errorf("Line(sink), Line(format) = %d, %d; want 1, 0", c.Line("sink"), c.Line("format"))
	}
}

// TestParseAnchors checks that x- extension keys, aliases and << merges work as YAML users expect.
func TestParseAnchors(t *testing.T) {
	doc := `x-creds: &creds
  token: "${env:TOKEN_A}"
  secret: "${env:SECRET_A}"
accounts:
  - {source: x, id: "1", credentials: *creds}
  - source: x
    id: "2"
    credentials:
      <<: *creds
      token: "${env:TOKEN_B}"
`
	c, err := Parse("sluice.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got := map[string]string{}
	for _, a := range c.Accounts {
		for k, r := range a.Credentials {
			got[a.ID+"."+k] = r.String()
		}
	}
	want := map[string]string{
		"1.token": "${env:TOKEN_A}", "1.secret": "${env:SECRET_A}",
		"2.token": "${env:TOKEN_B}", "2.secret": "${env:SECRET_A}",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("credentials = %v, want %v", got, want)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // every problem, one per line
	}{
		{"syntax error", "sink: ./d\naccounts:\n  - source: x\n    id: 1: 2\n",
			"sluice.yaml:4: invalid YAML: mapping values are not allowed in this context"},
		{"tab indentation", "sink: ./d\n\tformat: jsonl\n",
			"sluice.yaml:2: invalid YAML: found a tab character that violates indentation"},
		{"two documents", "sink: ./a\n---\nsink: ./b\n",
			"sluice.yaml:2: invalid YAML: only one YAML document is allowed (remove the second ---)"},
		{"empty", "# nothing yet\n", "sluice.yaml: the config is empty (see examples/sluice.yaml for a start)"},
		{"not a mapping", "- sink\n", "sluice.yaml:1: expected a mapping of keys, got a list"},
		{"unknown keys with hints", "sink: ./d\nfromat: jsonl\ndefaults:\n  lookback: 3\n  concurency: 2\ns3: {path-style: true}\n",
			`sluice.yaml:2: unknown key "fromat" (did you mean "format"?)
sluice.yaml:4: defaults: unknown key "lookback" (valid keys: lookback_days, concurrency, timeout, retry, checkpoint_pages, snapshot_max_shrink)
sluice.yaml:5: defaults: unknown key "concurency" (did you mean "concurrency"?)
sluice.yaml:6: s3: unknown key "path-style" (did you mean "path_style"?)`},
		{"duplicate key", "sink: ./a\nformat: jsonl\nsink: ./b\n",
			`sluice.yaml:3: sink: duplicate key (first set on line 1)`},
		{"type errors", "sink: ./d\nformat: [parquet]\ns3: {path_style: yes}\ndefaults:\n  concurrency: four\n  lookback_days: 1.5\n  timeout: 30\n  retry: {initial: soon, max: -1s, max_attempts: 0}\n",
			`sluice.yaml:2: format: expected a string, got a list
sluice.yaml:3: s3.path_style: "yes" is not true or false
sluice.yaml:5: defaults.concurrency: "four" is not a whole number
sluice.yaml:6: defaults.lookback_days: "1.5" is not a whole number
sluice.yaml:7: defaults.timeout: 30 needs a unit, e.g. 30s or 30ms
sluice.yaml:8: defaults.retry.initial: "soon" is not a duration (use forms like 500ms, 30s, 2m)
sluice.yaml:8: defaults.retry.max: must be positive, got -1s
sluice.yaml:8: defaults.retry.max_attempts: must be at least 1, got 0`},
		{"semantic values", "sink: ./d\nformat: parqet\ns3: {endpoint: 127.0.0.1:7070}\ndefaults:\n  concurrency: 0\n  lookback_days: -1\n  retry: {initial: 10s, max: 1s}\nsources:\n  x: {base_url: api.x.com}\n",
			`sluice.yaml:2: format: unknown format "parqet" (did you mean "parquet"?)
sluice.yaml:3: s3.endpoint: "127.0.0.1:7070" is not an http(s) URL (e.g. https://api.example.com)
sluice.yaml:5: defaults.concurrency: must be at least 1, got 0
sluice.yaml:6: defaults.lookback_days: cannot be negative (0 means yesterday only)
sluice.yaml:7: defaults.retry: max (1s) is shorter than initial (10s)
sluice.yaml:9: sources.x.base_url: "api.x.com" is not an http(s) URL (e.g. https://api.example.com)`},
		{"checkpoints and shrink", "sink: ./d\ndefaults:\n  checkpoint_pages: -2\n  snapshot_max_shrink: 1.5\n",
			`sluice.yaml:3: defaults.checkpoint_pages: cannot be negative (0 turns checkpoints off)
sluice.yaml:4: defaults.snapshot_max_shrink: 1.5: give a fraction between 0 and 1 (0.5 refuses captures with less than half the records of the last snapshot)`},
		{"shrink not a number", "sink: ./d\ndefaults: {snapshot_max_shrink: half}\n",
			`sluice.yaml:2: defaults.snapshot_max_shrink: "half" is not a number`},
		{"bad sinks", "sink: gs://bucket/raw\n", `sluice.yaml:1: sink: unsupported scheme "gs" (use s3://bucket/prefix, file:///abs/path or a local folder)`},
		{"sink scheme typo", "sink: s4://bucket/raw\n", `sluice.yaml:1: sink: unsupported scheme "s4" (did you mean "s3"?)`},
		{"sink bucket", "sink: s3://My_Bucket/raw\n", `sluice.yaml:1: sink: "My_Bucket" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`},
		{"unsafe account ids", `accounts:
  - {source: x, id: "a/b"}
  - {source: x, id: ".."}
  - {source: x, id: "a..b"}
  - {source: x, id: ""}
  - {source: x, id: "tab\there"}
  - {source: x, id: " 12"}
  - {source: x, id: 'c:\d'}
  - {source: X, id: "1"}
`, `sluice.yaml:2: accounts[0].id: account id "a/b" cannot contain "/" or "\" (it becomes one folder name)
sluice.yaml:3: accounts[1].id: account id ".." cannot contain ".."
sluice.yaml:4: accounts[2].id: account id "a..b" cannot contain ".."
sluice.yaml:5: accounts[3].id: account id is empty
sluice.yaml:6: accounts[4].id: account id "tab\there" cannot contain control characters
sluice.yaml:7: accounts[5].id: account id " 12" has leading or trailing spaces
sluice.yaml:8: accounts[6].id: account id "c:\\d" cannot contain "/" or "\" (it becomes one folder name)
sluice.yaml:9: accounts[7].source: "X" is not a source name (lowercase letters, digits, _ and -)`},
		{"missing fields and duplicates", `accounts:
  - source: x
    id: "1"
  - name: nobody
  - source: x
    id: 1
    streams: [tweets, tweets]
  - source: x
    id: "1"
    stream: [tweets]
`, `sluice.yaml:4: accounts[1]: missing source
sluice.yaml:4: accounts[1]: missing id
sluice.yaml:5: accounts[2]: duplicate account x/1 (first listed on line 2)
sluice.yaml:7: accounts[2].streams: stream "tweets" is listed twice
sluice.yaml:8: accounts[3]: duplicate account x/1 (first listed on line 2)
sluice.yaml:10: accounts[3]: unknown key "stream" (did you mean "streams"?)`},
		{"cyclic merge", "x-a: &a {<<: *a}\naccounts:\n  - {<<: *a, source: x, id: '1'}\n",
			"sluice.yaml:1: accounts[0]: merge (<<) nested too deeply"},
		{"quoted scalars", "s3: {path_style: \"true\"}\ndefaults: {concurrency: '4'}\n",
			`sluice.yaml:1: s3.path_style: write true without quotes: it is a boolean
sluice.yaml:2: defaults.concurrency: write 4 without quotes: it is a number`},
		{"accounts shape", "accounts: {source: x}\n", `sluice.yaml:1: accounts: expected a list of accounts (each starting with "- source: ..."), got a mapping`},
		{"streams scalar", "accounts:\n  - {source: x, id: '1', streams: tweets}\n", `sluice.yaml:2: accounts[0].streams: expected a list, write [tweets]`},
		{"pasted literal token", "accounts:\n  - source: x\n    id: '1'\n    credentials:\n      token: AAAAfakeBearerToken123\n",
			`sluice.yaml:5: accounts[0].credentials.token: secrets must not be written in the config file; reference one instead, e.g. token: "${env:X_TOKEN}" with X_TOKEN=... in .env`},
		{"bad references", `accounts:
  - source: x
    id: '1'
    credentials:
      a: "${evn:X_TOKEN}"
      b: $X_TOKEN
      c: "${env:1X}"
      d: "${aws-sm:#key}"
      e: "Bearer ${env:X_TOKEN}"
      f: "${env:X_TOKEN"
      g: 12345
      h: {env: X_TOKEN}
      i: "${file:}"
`, `sluice.yaml:5: accounts[0].credentials.a: unknown secret source "evn" (did you mean "env"?)
sluice.yaml:6: accounts[0].credentials.b: write "${env:X_TOKEN}" to read an environment variable
sluice.yaml:7: accounts[0].credentials.c: ${env:...}: not an environment variable name (letters, digits and _, not starting with a digit)
sluice.yaml:8: accounts[0].credentials.d: ${aws-sm:...}: missing secret name (write ${aws-sm:name} or ${aws-sm:name#key})
sluice.yaml:9: accounts[0].credentials.e: a secret reference must be the whole value; the source spec adds any prefix such as "Bearer "
sluice.yaml:10: accounts[0].credentials.f: malformed secret reference (write ${env:NAME}, ${file:path} or ${aws-sm:name#key})
sluice.yaml:11: accounts[0].credentials.g: secrets must not be written in the config file; reference one instead, e.g. g: "${env:X_G}" with X_G=... in .env
sluice.yaml:12: accounts[0].credentials.h: expected a secret reference such as "${env:NAME}", got a mapping
sluice.yaml:13: accounts[0].credentials.i: ${file:}: missing file path`},
		{"vars", "accounts:\n  - source: x\n    id: '1'\n    vars: {user-name: a, list: [1], token: '${env:T}'}\n",
			`sluice.yaml:4: accounts[0].vars.user-name: "user-name" cannot be used as {{vars.user-name}} (letters, digits and _)
sluice.yaml:4: accounts[0].vars.list: expected a string, got a list
sluice.yaml:4: accounts[0].vars.token: vars are not secret; put secret references under credentials`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("sluice.yaml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want problems:\n%s", c, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, tt.want)
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) != strings.Count(tt.want, "\n")+1 {
				t.Errorf("errors.As(Problems) = %d problems, want %d", len(ps), strings.Count(tt.want, "\n")+1)
			}
		})
	}
}

func TestParseNeverEchoesLiteralSecret(t *testing.T) {
	const fake = "FAKE-not-a-real-token-0000"
	doc := "accounts:\n  - source: x\n    id: '1'\n    credentials: {token: " + fake + ", other: 'Bearer " + fake + "'}\n"
	_, err := Parse("sluice.yaml", []byte(doc))
	if err == nil || strings.Contains(err.Error(), fake) {
		t.Fatalf("Parse error = %v; want an error that does not contain the literal", err)
	}
}

func TestLoadExample(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "examples", "sluice.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var got []string
	for _, a := range c.Accounts {
		got = append(got, a.Key()+" "+a.Credentials["token"].String())
	}
	want := []string{"x/2244994945 ${env:X_BEARER_TOKEN}", "x/783214 ${env:X_BEARER_TOKEN}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("accounts = %q, want %q", got, want)
	}
	if c.Sink.String() != "s3://acme-data-lake/raw/social" || c.S3.Region != "eu-west-1" {
		t.Errorf("sink, region = %s, %s", c.Sink, c.S3.Region)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestAccountMatch(t *testing.T) {
	a := Account{Source: "x", ID: "2244994945", Name: "TwitterDev"}
	for sel, want := range map[string]bool{
		"2244994945": true, "x/2244994945": true, "x": true, "TwitterDev": true,
		"twitterdev": false, "y/2244994945": false, "": false,
	} {
		if got := a.Match(sel); got != want {
			t.Errorf("Match(%q) = %v, want %v", sel, got, want)
		}
	}
	if a.Label() != "TwitterDev" || (&Account{Source: "x", ID: "1"}).Label() != "x/1" {
		t.Errorf("Label = %q", a.Label())
	}
}

// TestDocExamplesParse keeps every YAML example in docs/configuration.md valid.
func TestDocExamplesParse(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(doc), "```yaml\n")[1:]
	if len(blocks) < 5 {
		t.Fatalf("found %d yaml blocks, want at least 5", len(blocks))
	}
	for i, b := range blocks {
		b, _, _ = strings.Cut(b, "```")
		if _, err := Parse(fmt.Sprintf("configuration.md#%d", i), []byte(b)); err != nil {
			t.Errorf("example %d:\n%s\n%v", i, b, err)
		}
	}
}

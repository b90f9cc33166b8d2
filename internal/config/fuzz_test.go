package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// FuzzLoad feeds arbitrary documents to Parse: it must never panic, and it must return
// either a config or problems, never both nor neither.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "sluice.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), fullConfig, overrideConfig, "", "---\n", "- a\n", "sink: [\n",
		"a: &a [*a]\naccounts: *a\n",
		"x-a: &a {<<: *a}\naccounts:\n  - <<: *a\n",
		"accounts:\n  - {source: x, id: '1', credentials: {t: '${aws-sm:n#k}'}, vars: {a: 1}}\n",
		"defaults: {retry: {initial: 1ns, max: 1ns}, timeout: 9999999h}\n",
		"sink: s3://b-b/p\nsources: {x: {base_url: 'http://[::1'}}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", c != nil, err)
		}
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error message")
			}
			return
		}
		_ = c.Check(func(string) ([]string, error) { return []string{"tweets"}, nil })
		_ = c.Apply(Overrides{}, Overrides{Sink: ptr("./out")})
		r := &Resolver{LookupEnv: func(string) (string, bool) { return "", false }, SecretsManager: noSM{}}
		for i := range c.Accounts {
			_, _ = r.Credentials(context.Background(), &c.Accounts[i])
		}
	})
}

// noSM answers every Secrets Manager call with an error, without a network.
type noSM struct{}

func (noSM) GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return nil, errors.New("no secrets manager in fuzz tests")
}

// FuzzResolveRange checks that any flag text yields a valid range or an error.
func FuzzResolveRange(f *testing.F) {
	f.Add("2024-01-01", "2024-01-31", "", 2)
	f.Add("", "", "2024-02-29", 0)
	f.Add("9999-12-31", "", "", -5)
	now := time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to, date string, lookback int) {
		r, err := ResolveRange(from, to, date, lookback%4000, now)
		if err != nil {
			return
		}
		if r.To.Before(r.From) || r.To.After(now) || r.Len() < 1 {
			t.Fatalf("invalid range %s", r)
		}
	})
}

package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const fakeSecret = "FAKE-secret-value-do-not-print"

// holder embeds Secrets the ways callers will: exported, unexported, by pointer, in maps.
type holder struct {
	Token  Secret
	hidden Secret
	Ptr    *Secret
	Map    map[string]Secret
	List   []Secret
}

func TestSecretRedaction(t *testing.T) {
	s := NewSecret(fakeSecret)
	h := holder{Token: s, hidden: s, Ptr: &s, Map: map[string]Secret{"token": s}, List: []Secret{s}}
	if s.Reveal() != fakeSecret {
		t.Fatalf("Reveal = %q, want the value", s.Reveal())
	}
	var logText, logJSON bytes.Buffer
	slog.New(slog.NewTextHandler(&logText, nil)).Info("auth", "token", s, "holder", h)
	slog.New(slog.NewJSONHandler(&logJSON, nil)).Info("auth", "token", s, slog.Group("g", "secret", s))
	jsonOut, err := json.Marshal(h)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	yamlOut, err := yaml.Marshal(h)
	if err != nil {
		t.Fatalf("yaml.Marshal: %v", err)
	}
	outputs := map[string]string{
		"%v":          fmt.Sprintf("%v", s),
		"%s":          fmt.Sprintf("%s", s),
		"%q":          fmt.Sprintf("%q", s),
		"%x":          fmt.Sprintf("%x", s),
		"%d":          fmt.Sprintf("%d", s),
		"%#v":         fmt.Sprintf("%#v", s),
		"%+v":         fmt.Sprintf("%+v", s),
		"holder %v":   fmt.Sprintf("%v", h),
		"holder %+v":  fmt.Sprintf("%+v", h),
		"holder %#v":  fmt.Sprintf("%#v", h),
		"&holder %+v": fmt.Sprintf("%+v", &h),
		"Sprint":      fmt.Sprint(s, h),
		"String":      s.String(),
		"GoString":    s.GoString(),
		"json":        string(jsonOut),
		"yaml":        string(yamlOut),
		"slog text":   logText.String(),
		"slog json":   logJSON.String(),
		"error":       fmt.Errorf("auth with %v failed", s).Error(),
	}
	for name, out := range outputs {
		if strings.Contains(out, fakeSecret) {
			t.Errorf("%s leaks the secret: %s", name, out)
		}
	}
	exact := map[string]string{
		"%v": redacted, "%s": redacted, "%q": redacted, "%#v": redacted, "String": redacted, "GoString": redacted,
		"json": `{"Token":"[REDACTED]","Ptr":"[REDACTED]","Map":{"token":"[REDACTED]"},"List":["[REDACTED]"]}`,
		"yaml": "token: '[REDACTED]'\nptr: '[REDACTED]'\nmap:\n    token: '[REDACTED]'\nlist:\n    - '[REDACTED]'\n",
	}
	for name, want := range exact {
		if outputs[name] != want {
			t.Errorf("%s = %q, want %q", name, outputs[name], want)
		}
	}
	if !strings.Contains(logText.String(), "token=[REDACTED]") || !strings.Contains(logJSON.String(), `"token":"[REDACTED]","g":{"secret":"[REDACTED]"}`) {
		t.Errorf("slog output lacks the redacted attributes:\n%s%s", logText.String(), logJSON.String())
	}
}

func TestSecretZero(t *testing.T) {
	var s Secret
	if s.Reveal() != "" || !s.IsZero() || s.String() != redacted {
		t.Errorf("zero Secret: Reveal %q, IsZero %v, String %q", s.Reveal(), s.IsZero(), s.String())
	}
	if NewSecret("x").IsZero() {
		t.Error("NewSecret(x).IsZero() = true")
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
		err  string
	}{
		{"${env:X_BEARER_TOKEN}", Ref{Kind: RefEnv, Name: "X_BEARER_TOKEN"}, ""},
		{" ${env: _A1 } ", Ref{Kind: RefEnv, Name: "_A1"}, ""},
		{"${file:secrets/x.txt}", Ref{Kind: RefFile, Name: "secrets/x.txt"}, ""},
		{"${file:/run/secrets/token}", Ref{Kind: RefFile, Name: "/run/secrets/token"}, ""},
		{"${aws-sm:prod/x#token}", Ref{Kind: RefAWSSM, Name: "prod/x", Key: "token"}, ""},
		{"${aws-sm:prod/x}", Ref{Kind: RefAWSSM, Name: "prod/x"}, ""},
		{"${aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/x-AbCdEf#token}",
			Ref{Kind: RefAWSSM, Name: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/x-AbCdEf", Key: "token"}, ""},
		{"${vault:kv/x}", Ref{}, `unknown secret source "vault" (use env, file or aws-sm)`},
		{"${awssm:x}", Ref{}, `unknown secret source "awssm" (did you mean "aws-sm"?)`},
		{"${env}", Ref{}, "malformed secret reference (write ${env:NAME}, ${file:path} or ${aws-sm:name#key})"},
		{"${env:A}${env:B}", Ref{}, "malformed secret reference (write ${env:NAME}, ${file:path} or ${aws-sm:name#key})"},
		{"${env:A-B}", Ref{}, "${env:...}: not an environment variable name (letters, digits and _, not starting with a digit)"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRef(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseRef error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseRef = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

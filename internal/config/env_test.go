package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseDotEnv(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []EnvVar
		err  string
	}{
		{"plain and comments", "# comment\n\nA=1\n  B = two words  \nexport C=3\n", []EnvVar{{"A", "1", 3}, {"B", "two words", 4}, {"C", "3", 5}}, ""},
		{"inline comment", "A=value # note\nB=val#ue\nC=x\t# tab note\n", []EnvVar{{"A", "value", 1}, {"B", "val#ue", 2}, {"C", "x", 3}}, ""},
		{"empty value", "A=\nB=''\nC=\"\"\n", []EnvVar{{"A", "", 1}, {"B", "", 2}, {"C", "", 3}}, ""},
		{"single quotes literal", `A='a \n "b" # c' # comment`, []EnvVar{{"A", `a \n "b" # c`, 1}}, ""},
		{"double quotes escapes", `A="line1\nline2\t\"q\" \\ # not a comment" # comment`, []EnvVar{{"A", "line1\nline2\t\"q\" \\ # not a comment", 1}}, ""},
		{"multi-line double quotes", "A=\"-----BEGIN FAKE-----\nabc\n-----END FAKE-----\"\nB=2\n",
			[]EnvVar{{"A", "-----BEGIN FAKE-----\nabc\n-----END FAKE-----", 1}, {"B", "2", 4}}, ""},
		{"equals in value", "URL=https://x.test/?a=1&b=2\n", []EnvVar{{"URL", "https://x.test/?a=1&b=2", 1}}, ""},
		{"later wins", "A=1\nB=2\nA=3\n", []EnvVar{{"A", "3", 3}, {"B", "2", 2}}, ""},
		{"crlf", "A=1\r\nB=\"2\"\r\n", []EnvVar{{"A", "1", 1}, {"B", "2", 2}}, ""},
		{"errors never echo the line", "A=1\nFAKE_SECRET_abc\n1X=2\nB='open\nC=\"x\" trailing\nD=\"never closed\n",
			nil, ".env:2: expected KEY=VALUE (KEY: letters, digits and _)\n" +
				".env:3: expected KEY=VALUE (KEY: letters, digits and _)\n" +
				".env:4: B: missing closing single quote\n" +
				".env:5: C: unexpected text after the closing quote\n" +
				".env:6: D: missing closing double quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDotEnv(".env", []byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseDotEnv error =\n%v\nwant\n%s", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseDotEnv = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestLoadDotEnv(t *testing.T) {
	// t.Setenv then Unsetenv: the variables start unset and are restored after the test.
	for _, k := range []string{"SLUICE_T_NEW", "SLUICE_T_EXISTING", "SLUICE_T_EMPTY", "SLUICE_T_SET_EMPTY"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("SLUICE_T_EXISTING", "from-process")
	t.Setenv("SLUICE_T_SET_EMPTY", "")
	path := filepath.Join(t.TempDir(), ".env")
	body := "SLUICE_T_NEW=from-file\nSLUICE_T_EXISTING=from-file\nSLUICE_T_EMPTY=\nSLUICE_T_SET_EMPTY=from-file\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := LoadDotEnv(path); err != nil {
		t.Fatalf("LoadDotEnv: %v", err)
	}
	for k, want := range map[string]string{"SLUICE_T_NEW": "from-file", "SLUICE_T_EXISTING": "from-process", "SLUICE_T_SET_EMPTY": ""} {
		if got, ok := os.LookupEnv(k); !ok || got != want {
			t.Errorf("%s = %q (set %v), want %q", k, got, ok, want)
		}
	}
	if v, ok := os.LookupEnv("SLUICE_T_EMPTY"); ok {
		t.Errorf("SLUICE_T_EMPTY set to %q; an empty .env line must set nothing", v)
	}
	if err := LoadDotEnv(filepath.Join(t.TempDir(), "absent.env")); err != nil {
		t.Errorf("LoadDotEnv(missing) = %v, want nil", err)
	}
	bad := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(bad, []byte("SLUICE_T_NEW2=1\nnot a line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SLUICE_T_NEW2", "")
	os.Unsetenv("SLUICE_T_NEW2")
	if err := LoadDotEnv(bad); err == nil || err.Error() != bad+":2: expected KEY=VALUE (KEY: letters, digits and _)" {
		t.Errorf("LoadDotEnv(bad) = %v", err)
	}
	if _, ok := os.LookupEnv("SLUICE_T_NEW2"); ok {
		t.Error("a .env file with problems must set nothing")
	}
}

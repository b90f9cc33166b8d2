package spec

import (
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func TestBuiltin(t *testing.T) {
	specs, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin:\n%v", err)
	}
	for i, s := range specs {
		if s.File != "builtin:"+s.Name {
			t.Errorf("File = %q, want builtin:%s", s.File, s.Name)
		}
		if i > 0 && specs[i-1].Name >= s.Name {
			t.Errorf("not sorted by name: %q before %q", specs[i-1].Name, s.Name)
		}
		if len(s.Hash) != 32 {
			t.Errorf("%s: Hash = %q", s.Name, s.Hash)
		}
	}
}

func testBuiltins(t *testing.T) []*Spec {
	t.Helper()
	specs, err := loadDir(os.DirFS("testdata"), "builtin", "builtin:")
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

func TestLoadDir(t *testing.T) {
	specs := testBuiltins(t)
	if len(specs) != 2 || specs[0].Name != "alpha" || specs[1].Name != "beta" || specs[0].File != "builtin:alpha" {
		t.Fatalf("got %d specs: %+v", len(specs), specs)
	}
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"empty directory", fstest.MapFS{}, ""},
		{"name differs from file", fstest.MapFS{"specs/gamma.yaml": {Data: []byte("name: delta\nbase_url: https://d.test\nstreams:\n  s:\n    mode: snapshot\n    request: {path: /s}\n")}},
			`builtin:gamma: name "delta" must match the file name gamma.yaml`},
		{"invalid spec", fstest.MapFS{"specs/gamma.yaml": {Data: []byte("name: gamma\nbase_url: https://g.test\nstreams: {}\n")}},
			"builtin:gamma:3: streams: a spec needs at least one stream under streams:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := loadDir(tt.fs, "specs", "builtin:")
			if tt.want == "" {
				if err != nil || len(specs) != 0 {
					t.Fatalf("got %d specs, err %v; want none, nil", len(specs), err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMergeAndFind(t *testing.T) {
	tests := []struct {
		name        string
		files       []string
		lookup      string
		wantFile    string
		wantVersion string
		wantErr     string
	}{
		{"built-in", nil, "alpha", "builtin:alpha", "1", ""},
		{"user file overrides built-in", []string{"testdata/user_beta.yaml"}, "beta", "testdata/user_beta.yaml", "2-patched", ""},
		{"typo", nil, "alpah", "", "", `unknown source "alpah" (did you mean "alpha"?); available: alpha, beta`},
		{"far off", nil, "zzzzzz", "", "", `unknown source "zzzzzz"; available: alpha, beta`},
		{"same name twice", []string{"testdata/user_beta.yaml", "testdata/user_beta.yaml"}, "beta", "", "",
			`testdata/user_beta.yaml: source "beta" is already defined in testdata/user_beta.yaml`},
		{"broken user file", []string{"testdata/bad/values.yaml"}, "alpha", "", "", `testdata/bad/values.yaml:1: name: "Acme" must start`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all, err := merge(testBuiltins(t), tt.files)
			var s *Spec
			if err == nil {
				s, err = find(tt.lookup, all)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tt.wantErr)
				}
				if strings.HasPrefix(tt.wantErr, "unknown source") && !errors.Is(err, ErrUnknownSource) {
					t.Errorf("err does not wrap ErrUnknownSource")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.File != tt.wantFile || s.Version != tt.wantVersion {
				t.Errorf("File, Version = %q, %q; want %q, %q", s.File, s.Version, tt.wantFile, tt.wantVersion)
			}
		})
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := Lookup("no-such-source-anywhere", nil)
	if !errors.Is(err, ErrUnknownSource) || !strings.Contains(err.Error(), "; available: ") {
		t.Errorf("err = %v, want ErrUnknownSource listing the available sources", err)
	}
}

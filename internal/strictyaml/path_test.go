package strictyaml

import "testing"

func TestPaths(t *testing.T) {
	tests := []struct {
		name, parent, key string
		want              string
	}{
		{"top level", "", "streams", "streams"},
		{"nested", "streams", "posts", "streams.posts"},
		{"dash and digits", "a", "x-1_b", "a.x-1_b"},
		{"dot quoted", "params", "user.fields", `params["user.fields"]`},
		{"space quoted", "", "a b", `["a b"]`},
		{"empty key quoted", "vars", "", `vars[""]`},
		{"quote escaped", "h", `say "hi"`, `h["say \"hi\""]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := JoinPath(tt.parent, tt.key)
			if got != tt.want {
				t.Fatalf("JoinPath(%q, %q) = %q, want %q", tt.parent, tt.key, got, tt.want)
			}
			if p := ParentPath(got); p != tt.parent {
				t.Errorf("ParentPath(%q) = %q, want %q", got, p, tt.parent)
			}
		})
	}
}

func TestIndexAndParentPath(t *testing.T) {
	tests := []struct{ path, parent string }{
		{IndexPath("fields", 2), "fields"},
		{IndexPath("streams.posts.fields", 10), "streams.posts.fields"},
		{"accounts[0].credentials.token", "accounts[0].credentials"},
		{"accounts[0]", "accounts"},
		{"name", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := ParentPath(tt.path); got != tt.parent {
				t.Errorf("ParentPath(%q) = %q, want %q", tt.path, got, tt.parent)
			}
		})
	}
	if got := IndexPath("a.b", 3); got != "a.b[3]" {
		t.Errorf("IndexPath = %q, want a.b[3]", got)
	}
}

func TestPlainKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"post_id", true}, {"x-creds", true}, {"A9", true},
		{"", false}, {"a.b", false}, {"a b", false}, {"é", false}, {"a/b", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := PlainKey(tt.key); got != tt.want {
				t.Errorf("PlainKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

package store_test

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func TestValidateKey(t *testing.T) {
	cases := []struct {
		name, key, want string // want "" means valid
	}{
		{"simple", "instagram/123/posts/2024/01/15/data_20240115T103000Z.parquet", ""},
		{"state", "_sluice/state/x/manifest.json", ""},
		{"unicode and spaces", "ü/日本/a b.txt", ""},
		{"dotfile", "a/.hidden", ""},
		{"dots inside", "a/..b/c..", ""},
		{"empty", "", `invalid key "": key is empty`},
		{"leading slash", "/a", `invalid key "/a": key must not start with "/"`},
		{"trailing slash", "a/", `invalid key "a/": key must not end with "/"`},
		{"double slash", "a//b", `invalid key "a//b": empty segment ("//") is not allowed`},
		{"dot dot", "..", `invalid key "..": segment ".." is not allowed`},
		{"dot", "a/./b", `invalid key "a/./b": segment "." is not allowed`},
		{"backslash", `a\b`, `invalid key "a\\b": backslash is not allowed (use "/" to separate segments)`},
		{"nul", "a\x00", `invalid key "a\x00": control character U+0000 at byte 1 is not allowed`},
		{"del", "a\x7fb", `invalid key "a\x7fb": control character U+007F at byte 1 is not allowed`},
		{"c1 control", "a\u0085", `invalid key "a\u0085": control character U+0085 at byte 1 is not allowed`},
		{"bad utf8", "a\xff", `invalid key "a\xff": key is not valid UTF-8`},
		{"reserved", "x/.sluice-tmp-1", `invalid key "x/.sluice-tmp-1": segment ".sluice-tmp-1" is reserved (names starting with ".sluice-" are the local store's temp and lock files)`},
		{"long segment", strings.Repeat("s", 256), `invalid key "` + strings.Repeat("s", 256) + `": segment of 256 bytes is too long (at most 255)`},
		{"long key", strings.Repeat("abcdefgh/", 114) + "abc", `invalid key "` + strings.Repeat("abcdefgh/", 114) + `abc": key is 1029 bytes long (at most 1024)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := store.ValidateKey(c.key)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Fatalf("ValidateKey(%q) = %q, want %q", c.key, got, c.want)
			}
		})
	}
}

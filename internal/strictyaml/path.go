package strictyaml

import (
	"strconv"
	"strings"
)

// JoinPath appends a mapping key to a field path. Keys that are not plain words (letters,
// digits, _ and -) are quoted in brackets so the path stays readable and unambiguous:
// JoinPath("params", "user.fields") is `params["user.fields"]`.
func JoinPath(parent, key string) string {
	if !PlainKey(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// IndexPath appends a list index to a field path: IndexPath("fields", 2) is "fields[2]".
func IndexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// ParentPath drops the last element of a field path made by JoinPath and IndexPath; the
// parent of a top-level key is "".
func ParentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}

// PlainKey reports whether k is a plain word (letters, digits, _ and -, at least one),
// which JoinPath writes without quotes.
func PlainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

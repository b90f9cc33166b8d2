package store

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidKey is returned (wrapped, with the key and the reason) by every Store for a key
// that is not a safe relative path. Both stores apply the same rules, so a key accepted by
// one is accepted by the other.
var ErrInvalidKey = errors.New("invalid key")

// reservedPrefix starts the names of the local store's temp and lock files. Keys may not
// contain a segment with this prefix, so List can skip those names without ambiguity.
const reservedPrefix = ".sluice-"

const (
	maxKeyBytes     = 1024 // the S3 limit
	maxSegmentBytes = 255  // the usual file-name limit of local file systems
)

// ValidateKey reports whether key is usable by every Store: a non-empty, valid UTF-8,
// "/"-separated relative path of at most 1024 bytes, with no empty, "." or ".." segments,
// no segment longer than 255 bytes or starting with ".sluice-", no backslashes and no
// control characters. The error wraps ErrInvalidKey and names the key and the rule.
func ValidateKey(key string) error {
	if reason := keyProblem(key); reason != "" {
		return fmt.Errorf("%w %q: %s", ErrInvalidKey, key, reason)
	}
	return nil
}

// validatePrefix checks a List prefix: "" (everything), a key, a key followed by "/", or a
// key whose last segment is cut short. It wraps ErrInvalidKey like ValidateKey.
func validatePrefix(prefix string) error {
	p := strings.TrimSuffix(prefix, "/")
	if prefix == "" {
		return nil
	}
	if reason := keyProblem(p); reason != "" {
		return fmt.Errorf("%w prefix %q: %s", ErrInvalidKey, prefix, reason)
	}
	return nil
}

// keyProblem returns why key is unusable, or "" when it is fine.
func keyProblem(key string) string {
	switch {
	case key == "":
		return "key is empty"
	case len(key) > maxKeyBytes:
		return fmt.Sprintf("key is %d bytes long (at most %d)", len(key), maxKeyBytes)
	case !utf8.ValidString(key):
		return "key is not valid UTF-8"
	case strings.HasPrefix(key, "/"):
		return `key must not start with "/"`
	case strings.HasSuffix(key, "/"):
		return `key must not end with "/"`
	}
	for i, r := range key {
		switch {
		case r == '\\':
			return `backslash is not allowed (use "/" to separate segments)`
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return fmt.Sprintf("control character %U at byte %d is not allowed", r, i)
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return `empty segment ("//") is not allowed`
		case seg == "." || seg == "..":
			return fmt.Sprintf("segment %q is not allowed", seg)
		case len(seg) > maxSegmentBytes:
			return fmt.Sprintf("segment of %d bytes is too long (at most %d)", len(seg), maxSegmentBytes)
		case strings.HasPrefix(seg, reservedPrefix):
			return fmt.Sprintf("segment %q is reserved (names starting with %q are the local store's temp and lock files)", seg, reservedPrefix)
		}
	}
	return ""
}

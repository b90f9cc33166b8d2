package config

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// redacted is how a Secret renders everywhere except Reveal.
const redacted = "[REDACTED]"

// Secret holds a credential value. Every way of printing or encoding it (fmt verbs
// including %v, %+v, %#v, %s, %q, %x; JSON; YAML; slog) renders "[REDACTED]"; only Reveal
// returns the value. The value sits behind a pointer so that even reflection-based
// printing of a struct holding a Secret in an unexported field shows an address, not
// the value. The zero Secret is empty.
type Secret struct {
	v *string
}

// NewSecret wraps a value.
func NewSecret(value string) Secret { return Secret{v: &value} }

// Reveal returns the value. Call it only where the value leaves the process for its
// intended recipient (an Authorization header, a token request).
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// String returns "[REDACTED]".
func (s Secret) String() string { return redacted }

// GoString returns "[REDACTED]".
func (s Secret) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb and flag.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for encoders that use encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// MarshalYAML returns "[REDACTED]".
func (s Secret) MarshalYAML() (any, error) { return redacted, nil }

// LogValue returns "[REDACTED]" for log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// Secret reference kinds.
const (
	RefEnv   = "env"    // ${env:NAME}: an environment variable (the process env or .env)
	RefFile  = "file"   // ${file:path}: a file's content, trailing newlines trimmed
	RefAWSSM = "aws-sm" // ${aws-sm:name#key}: AWS Secrets Manager, optionally one JSON key
)

var refKinds = []string{RefEnv, RefFile, RefAWSSM}

// Ref is a secret reference as written in the config: where a value comes from, not
// the value. It is safe to print.
type Ref struct {
	// Kind is RefEnv, RefFile or RefAWSSM.
	Kind string
	// Name is the variable name, the file path as written, or the secret name or ARN.
	Name string
	// Key is the JSON key inside an aws-sm secret ("" for the whole secret string).
	Key string
	// Dir is the directory relative file paths are resolved against.
	Dir string
	// File, Line and Path locate the reference for error messages.
	File string
	Line int
	Path string
}

// String renders the reference as written: ${kind:name#key}.
func (r Ref) String() string {
	s := "${" + r.Kind + ":" + r.Name
	if r.Key != "" {
		s += "#" + r.Key
	}
	return s + "}"
}

var (
	refRE     = regexp.MustCompile(`^\$\{([^:{}]*):([^{}]*)\}$`)
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// IsRef reports whether s is written as a reference (starts with "${"), well-formed or not.
func IsRef(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "${") }

// ParseRef parses a whole-value reference: ${env:NAME}, ${file:path} or
// ${aws-sm:name#key}. The error never repeats s, in case s is a pasted secret.
func ParseRef(s string) (Ref, error) {
	m := refRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Ref{}, fmt.Errorf("malformed secret reference (write ${env:NAME}, ${file:path} or ${aws-sm:name#key})")
	}
	kind, arg := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	r := Ref{Kind: kind, Name: arg}
	switch kind {
	case RefEnv:
		if !envNameRE.MatchString(arg) {
			return Ref{}, fmt.Errorf("${env:...}: not an environment variable name (letters, digits and _, not starting with a digit)")
		}
	case RefFile:
		if arg == "" {
			return Ref{}, fmt.Errorf("${file:}: missing file path")
		}
	case RefAWSSM:
		r.Name, r.Key, _ = strings.Cut(arg, "#")
		if r.Name == "" {
			return Ref{}, fmt.Errorf("${aws-sm:...}: missing secret name (write ${aws-sm:name} or ${aws-sm:name#key})")
		}
	default:
		return Ref{}, fmt.Errorf("unknown secret source %q%s", kind, hint(kind, refKinds, "use env, file or aws-sm"))
	}
	return r, nil
}

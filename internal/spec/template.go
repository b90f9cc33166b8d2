package spec

import (
	"fmt"
	"strings"
)

// Template is a parsed template string: literal text with {{ placeholders }}. A placeholder
// names a variable and optionally a format: {{ window.start | unix_ms }}. Single braces are
// literal text, so Graph API field expansions such as children{id} need no escaping.
type Template struct {
	// Parts alternate between literal text and placeholders, in order.
	Parts []TemplatePart
}

// TemplatePart is either literal text (Var == "") or a placeholder.
type TemplatePart struct {
	Text   string // literal text
	Var    string // variable name, e.g. "account_id", "window.start", "parent.id"
	Format string // optional format after "|"
}

// Variable namespaces a placeholder may use.
var templateRoots = []string{"account_id", "window.start", "window.end", "window.last", "cursor", "parent.", "vars."}

// ParseTemplate parses s. It reports unknown variable names and unterminated placeholders.
func ParseTemplate(s string) (Template, error) {
	var t Template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if s != "" {
				t.Parts = append(t.Parts, TemplatePart{Text: s})
			}
			return t, nil
		}
		if i > 0 {
			t.Parts = append(t.Parts, TemplatePart{Text: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return t, fmt.Errorf("unterminated placeholder %q (close it with }})", s[i:])
		}
		inner := strings.TrimSpace(s[i+2 : i+j])
		name, format, _ := strings.Cut(inner, "|")
		p := TemplatePart{Var: strings.TrimSpace(name), Format: strings.TrimSpace(format)}
		if !knownVar(p.Var) {
			return t, fmt.Errorf("unknown placeholder {{%s}} (use account_id, window.start, window.end, window.last, cursor, parent.<field> or vars.<name>)", inner)
		}
		t.Parts = append(t.Parts, p)
		s = s[i+j+2:]
	}
}

// Single reports whether the template is exactly one placeholder with no literal text,
// in which case a JSON body keeps the variable's own type.
func (t Template) Single() bool { return len(t.Parts) == 1 && t.Parts[0].Var != "" }

// Vars lists the variable names the template uses.
func (t Template) Vars() []string {
	var out []string
	for _, p := range t.Parts {
		if p.Var != "" {
			out = append(out, p.Var)
		}
	}
	return out
}

func knownVar(name string) bool {
	for _, r := range templateRoots {
		if strings.HasSuffix(r, ".") {
			if strings.HasPrefix(name, r) && len(name) > len(r) {
				return true
			}
		} else if name == r {
			return true
		}
	}
	return false
}

package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// EnvVar is one KEY=VALUE assignment read from a .env file.
type EnvVar struct {
	Key   string
	Value string
	Line  int
}

// LoadDotEnv reads the .env file at path and sets each variable that is not already set
// in the process environment: the real environment wins, so an exported variable or a
// CI secret overrides the file. Empty values (KEY= lines kept from .env.example) set
// nothing. A .env file is optional: a missing file is not an error.
// A file that does not parse sets nothing and returns Problems with file:line.
func LoadDotEnv(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read env file: %w", err)
	}
	vars, err := ParseDotEnv(path, data)
	if err != nil {
		return err
	}
	for _, v := range vars {
		if _, ok := os.LookupEnv(v.Key); ok || v.Value == "" {
			continue // the real environment wins; an empty template line sets nothing
		}
		if err := os.Setenv(v.Key, v.Value); err != nil {
			return fmt.Errorf("%s:%d: set %s: %w", path, v.Line, v.Key, err)
		}
	}
	return nil
}

// ParseDotEnv parses .env text: KEY=VALUE lines, blank lines and # comments, an optional
// "export " prefix, values unquoted (trimmed, a " #" starts a comment), 'single-quoted'
// (literal) or "double-quoted" (with \n, \t, \", \\ escapes; may span lines). A later
// assignment of the same key wins. Errors are Problems naming file:line but never the
// line's content, which may hold a secret.
func ParseDotEnv(name string, data []byte) ([]EnvVar, error) {
	var out []EnvVar
	var probs Problems
	index := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		start := line
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		key, val, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		if !ok || !envNameRE.MatchString(key) {
			probs = append(probs, Problem{File: name, Line: start, Msg: "expected KEY=VALUE (KEY: letters, digits and _)"})
			continue
		}
		val = strings.TrimLeft(val, " \t")
		var err error
		if strings.HasPrefix(val, `"`) {
			// A double-quoted value continues over lines until its closing quote.
			for !closedDouble(val) && sc.Scan() {
				line++
				val += "\n" + sc.Text()
			}
			val, err = unquoteDouble(val)
		} else {
			val, err = unquoteOther(val)
		}
		if err != nil {
			probs = append(probs, Problem{File: name, Line: start, Path: key, Msg: err.Error()})
			continue
		}
		v := EnvVar{Key: key, Value: val, Line: start}
		if i, dup := index[key]; dup {
			out[i] = v
		} else {
			index[key] = len(out)
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		probs = append(probs, Problem{File: name, Line: line + 1, Msg: fmt.Sprintf("read: %v", err)})
	}
	return out, probs.err()
}

// closedDouble reports whether s (starting with ") contains its unescaped closing quote.
func closedDouble(s string) bool {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return true
		}
	}
	return false
}

func unquoteDouble(s string) (string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			if rest := strings.TrimSpace(s[i+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
				return "", fmt.Errorf("unexpected text after the closing quote")
			}
			return b.String(), nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default: // \" \\ \$ and anything else: the character itself
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", fmt.Errorf("missing closing double quote")
}

func unquoteOther(s string) (string, error) {
	if strings.HasPrefix(s, "'") {
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("missing closing single quote")
		}
		if rest := strings.TrimSpace(s[end+2:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("unexpected text after the closing quote")
		}
		return s[1 : end+1], nil
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "\t#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s), nil
}

package spec

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a spec document, located by file, line and field path.
type Problem struct {
	// File is the spec's file name ("builtin:x" for embedded specs).
	File string
	// Line is the 1-based line in File, or 0 when the problem has no position (a spec
	// built in code, or a missing top-level key).
	Line int
	// Path is the field path, e.g. "streams.posts.pagination.cursor_path"; empty for the
	// document as a whole.
	Path string
	// Message says what is wrong and, where it helps, what to write instead.
	Message string
}

// String formats p as "file:line: path: message", leaving out the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		b.WriteString("line " + strconv.Itoa(p.Line) + ": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is the error returned for an invalid spec: every problem found in one pass,
// ordered by line. Its Error method joins them, one per line.
type Problems struct {
	List []Problem
}

// Error returns the problems one per line, each formatted by Problem.String.
func (p *Problems) Error() string {
	return strings.Join(p.Lines(), "\n")
}

// Lines returns the formatted problems, one string each.
func (p *Problems) Lines() []string {
	lines := make([]string, len(p.List))
	for i, q := range p.List {
		lines[i] = q.String()
	}
	return lines
}

// problemSet collects problems while a spec is decoded and validated.
type problemSet struct {
	file  string
	lines map[string]int  // field path → line, recorded while decoding
	bad   map[string]bool // paths that already have a decoding problem
	list  []Problem
}

func newProblemSet(file string) *problemSet {
	return &problemSet{file: file, lines: map[string]int{}, bad: map[string]bool{}}
}

// addAt records a problem at an explicit line.
func (ps *problemSet) addAt(line int, path, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// add records a semantic problem at path, located at the line of path or of its nearest
// recorded ancestor. Problems at a path that already failed to decode are dropped: the
// decoding message says more; so are problems under such a path.
func (ps *problemSet) add(path, format string, args ...any) {
	for p := path; p != ""; p = parentPath(p) {
		if ps.bad[p] {
			return
		}
	}
	ps.addAt(ps.line(path), path, format, args...)
}

// line returns the line of path or of its nearest ancestor with a known line.
func (ps *problemSet) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := ps.lines[p]; ok {
			return l
		}
	}
	return 0
}

// err returns the collected problems sorted by line (problems without a line last), or nil.
func (ps *problemSet) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		li, lj := ps.list[i].Line, ps.list[j].Line
		if (li == 0) != (lj == 0) {
			return lj == 0
		}
		return li < lj
	})
	return &Problems{List: ps.list}
}

// joinPath appends a mapping key to a field path; keys that are not plain words are
// quoted so the path stays readable ("params[\"user.fields\"]").
func joinPath(parent, key string) string {
	if !plainKey(key) {
		return parent + "[" + strconv.Quote(key) + "]"
	}
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// indexPath appends a list index to a field path.
func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// parentPath drops the last element of a field path.
func parentPath(p string) string {
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

func plainKey(k string) bool {
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

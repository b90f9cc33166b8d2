package spec

import (
	"strings"

	"github.com/sluice-dev/sluice/internal/strictyaml"
)

// Problem is one thing wrong with a spec document, located by file, line and field path
// (File is the spec's file name, "builtin:x" for embedded specs; Line is 0 for a spec
// built in code or a missing top-level key). String formats it as
// "file:line: path: message".
type Problem = strictyaml.Problem

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
	set *strictyaml.Set
}

func newProblemSet(file string) *problemSet {
	return &problemSet{set: strictyaml.NewSet(file)}
}

// addAt records a problem at an explicit line.
func (ps *problemSet) addAt(line int, path, format string, args ...any) {
	ps.set.AddAt(line, path, format, args...)
}

// add records a semantic problem at path, located at the line of path or of its nearest
// recorded ancestor, unless decoding already reported path or an ancestor.
func (ps *problemSet) add(path, format string, args ...any) {
	ps.set.Add(path, format, args...)
}

// err returns the collected problems sorted by line (problems without a line last), or nil.
func (ps *problemSet) err() error {
	if list := ps.set.Problems(); list != nil {
		return &Problems{List: list}
	}
	return nil
}

// joinPath appends a mapping key to a field path (see strictyaml.JoinPath).
func joinPath(parent, key string) string { return strictyaml.JoinPath(parent, key) }

// indexPath appends a list index to a field path.
func indexPath(parent string, i int) string { return strictyaml.IndexPath(parent, i) }

// plainKey reports whether k is written bare in field paths (letters, digits, _ and -).
func plainKey(k string) bool { return strictyaml.PlainKey(k) }

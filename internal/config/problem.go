package config

import (
	"strings"

	"github.com/sluice-dev/sluice/internal/strictyaml"
)

// Problem is one thing wrong with a config, located in its file.
type Problem struct {
	// File is the config file as given to Load ("" when not from a file).
	File string
	// Line is the 1-based line, or 0 when the problem has no single place.
	Line int
	// Path is the field path, e.g. "accounts[0].credentials.token" ("" for the document).
	Path string
	// Msg says what is wrong and, when it can, how to fix it.
	Msg string
}

// Error renders "file:line: path: msg", leaving out the parts that are empty.
func (p Problem) Error() string {
	return strictyaml.Problem{File: p.File, Line: p.Line, Path: p.Path, Message: p.Msg}.String()
}

// Problems is every problem found, ordered by line. It is the error type returned by
// Load, Parse, Check and Apply; use errors.As to list the problems one by one.
type Problems []Problem

// Error renders one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns ps sorted by line (problems without a line last), without repeats, as an
// error, or nil when there are none.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return Problems(strictyaml.SortByLine(ps, func(p Problem) int { return p.Line }))
}

// hint returns ` (did you mean "x"?)` when one of options is close to got, else
// ` (otherwise)`: a did-you-mean when there is a plausible typo, the alternatives when not.
func hint(got string, options []string, otherwise string) string {
	return strictyaml.Hint(got, options, otherwise)
}

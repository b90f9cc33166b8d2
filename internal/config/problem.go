package config

import (
	"fmt"
	"slices"
	"strings"
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
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
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

// err returns ps sorted by line, without repeats, as an error, or nil when there are none.
func (ps Problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
	out := ps[:0]
	seen := map[Problem]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// hint returns ` (did you mean "x"?)` when one of options is close to got, else
// ` (otherwise)`: a did-you-mean when there is a plausible typo, the alternatives when not.
func hint(got string, options []string, otherwise string) string {
	if s := closest(got, options); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return " (" + otherwise + ")"
}

// closest returns the option nearest to got by edit distance, if near enough to be a
// plausible typo (at most a third of the word, and at least 1, edits away).
func closest(got string, options []string) string {
	best, bestD := "", 0
	g := strings.ToLower(got)
	for _, o := range options {
		d := editDistance(g, strings.ToLower(o))
		if best == "" || d < bestD {
			best, bestD = o, d
		}
	}
	if best == "" || bestD > max(1, len([]rune(got))/3) {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b, in runes:
// insertions, deletions, substitutions and transpositions of neighbours ("evn" → "env")
// each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: two back (for transpositions), previous and current.
	back := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], back[j-2]+1)
			}
		}
		back, prev, cur = prev, cur, back
	}
	return prev[len(rb)]
}

// Package strictyaml reads YAML documents strictly and reports what is wrong with them as
// located problems: file, line, field path and a message that says what to write instead.
//
// It provides the pieces the spec and config readers share: the Problem type and its
// ordering, a Set that collects problems and the lines of field paths, did-you-mean hints,
// and a Walker over yaml.Node trees that checks mappings (unknown and duplicate keys,
// merge keys, aliases) and scalars of each kind, either by hand or, with Decode, driven by
// the yaml tags of a Go struct. Nothing stops at the first problem: one pass reports all.
package strictyaml

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a document, located by file, line and field path.
type Problem struct {
	// File names the document ("" when it has no name).
	File string
	// Line is the 1-based line in File, or 0 when the problem has no single position.
	Line int
	// Path is the field path, e.g. "streams.posts.pagination.cursor_path" or
	// "accounts[0].id"; empty for the document as a whole.
	Path string
	// Message says what is wrong and, where it helps, what to write instead.
	Message string
}

// String formats p as "file:line: path: message", leaving out the parts that are unknown;
// a line without a file reads "line N: ".
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

// SortByLine orders ps in place by the line that line returns, keeping the order of
// problems on the same line and putting problems without a line (0) last, and returns ps
// without exact repeats (an anchor merged twice reports its problems once). P is a
// problem type of the caller's; line reads its line.
func SortByLine[P comparable](ps []P, line func(P) int) []P {
	slices.SortStableFunc(ps, func(a, b P) int {
		la, lb := line(a), line(b)
		if (la == 0) != (lb == 0) {
			if la == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(la, lb)
	})
	out := ps[:0]
	seen := make(map[P]bool, len(ps))
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

package strictyaml

import "fmt"

// Set collects the problems of one document together with the line of each field path,
// so that problems found after decoding (a missing key, a bad combination of values) can
// still be located. Create one with NewSet; it is not safe for concurrent use.
type Set struct {
	file  string
	lines map[string]int  // field path → line
	bad   map[string]bool // paths whose value could not be decoded
	list  []Problem
}

// NewSet returns an empty Set for the document named file.
func NewSet(file string) *Set {
	return &Set{file: file, lines: map[string]int{}, bad: map[string]bool{}}
}

// File returns the document name given to NewSet.
func (s *Set) File() string { return s.file }

// Lines returns the map of field path to line that a Walker fills while decoding (pass it
// as Walker.Lines). Add locates problems with it.
func (s *Set) Lines() map[string]int { return s.lines }

// Report records p as it is, and when unusable is not empty, marks that path as one whose
// value is missing or wrong because of p, so that Add stays quiet about it and everything
// under it rather than repeat p less precisely. It makes Set a Reporter.
func (s *Set) Report(p Problem, unusable string) {
	s.list = append(s.list, p)
	if unusable != "" {
		s.bad[unusable] = true
	}
}

// AddAt records a problem at an explicit line (0 for none) and path.
func (s *Set) AddAt(line int, path, format string, args ...any) {
	s.list = append(s.list, Problem{File: s.file, Line: line, Path: path, Message: fmt.Sprintf(format, args...)})
}

// Add records a problem about the value at path, located at the line of path or of its
// nearest ancestor with a known line. It records nothing when path or an ancestor was
// reported unusable: the decoding problem already says more.
func (s *Set) Add(path, format string, args ...any) {
	for p := path; p != ""; p = ParentPath(p) {
		if s.bad[p] {
			return
		}
	}
	s.AddAt(s.Line(path), path, format, args...)
}

// Line returns the line of path or of its nearest ancestor with a known line, or 0.
func (s *Set) Line(path string) int {
	for p := path; p != ""; p = ParentPath(p) {
		if l, ok := s.lines[p]; ok {
			return l
		}
	}
	return 0
}

// Len returns how many problems have been recorded.
func (s *Set) Len() int { return len(s.list) }

// Problems returns the recorded problems ordered as SortByLine orders them, or nil when
// there are none.
func (s *Set) Problems() []Problem {
	if len(s.list) == 0 {
		return nil
	}
	s.list = SortByLine(s.list, func(p Problem) int { return p.Line })
	return s.list
}

package strictyaml

import (
	"reflect"
	"testing"
)

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		fill  func(s *Set)
		want  []string // formatted problems, nil for none
		lines map[string]int
	}{
		{"none", func(*Set) {}, nil, map[string]int{}},
		{"located at own line", func(s *Set) {
			s.Lines()["auth.type"] = 7
			s.Add("auth.type", "unknown auth type %q", "x")
		}, []string{`f.yaml:7: auth.type: unknown auth type "x"`}, map[string]int{"auth.type": 7}},
		{"located at nearest ancestor", func(s *Set) {
			s.Lines()["streams"] = 3
			s.Lines()["streams.posts"] = 9
			s.Add("streams.posts.fields[2].name", "field needs a name")
			s.Add("name", "name is required")
		}, []string{"f.yaml:9: streams.posts.fields[2].name: field needs a name", "f.yaml: name: name is required"}, nil},
		{"quiet under an unusable path", func(s *Set) {
			s.Lines()["a"] = 1
			s.Report(Problem{File: "f.yaml", Line: 1, Path: "a.b", Message: "expected a mapping of keys, got a list"}, "a.b")
			s.Add("a.b", "b is required")
			s.Add("a.b.c", "c is required")
			s.Add(`a.b["x.y"]`, "x.y is wrong")
			s.Add("a.bc", "bc is required")
		}, []string{"f.yaml:1: a.b: expected a mapping of keys, got a list", "f.yaml:1: a.bc: bc is required"}, nil},
		{"report without unusable keeps checks", func(s *Set) {
			s.Report(Problem{File: "f.yaml", Line: 2, Path: "name", Message: "duplicate key (first set on line 1)"}, "")
			s.Add("name", "bad name")
		}, []string{"f.yaml:2: name: duplicate key (first set on line 1)", "f.yaml: name: bad name"}, nil},
		{"sorted, no line last", func(s *Set) {
			s.AddAt(0, "", "the document is empty")
			s.AddAt(5, "x", "five")
			s.AddAt(2, "y", "two")
			s.AddAt(2, "y", "two")
		}, []string{"f.yaml:2: y: two", "f.yaml:5: x: five", "f.yaml: the document is empty"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet("f.yaml")
			tt.fill(s)
			var got []string
			for _, p := range s.Problems() {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems = %q, want %q", got, tt.want)
			}
			if s.Len() != len(tt.want) {
				t.Errorf("Len = %d, want %d", s.Len(), len(tt.want))
			}
			if tt.lines != nil && !reflect.DeepEqual(s.Lines(), tt.lines) {
				t.Errorf("Lines = %v, want %v", s.Lines(), tt.lines)
			}
		})
	}
}

func TestSetLine(t *testing.T) {
	s := NewSet("f.yaml")
	s.Lines()["streams"] = 4
	s.Lines()[`streams.posts.params["user.fields"]`] = 12
	tests := []struct {
		path string
		want int
	}{
		{"streams", 4},
		{"streams.posts", 4},
		{`streams.posts.params["user.fields"]`, 12},
		{`streams.posts.params["user.fields"][0]`, 12},
		{"name", 0},
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := s.Line(tt.path); got != tt.want {
				t.Errorf("Line(%q) = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
	if s.File() != "f.yaml" {
		t.Errorf("File = %q", s.File())
	}
}

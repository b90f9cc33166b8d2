package strictyaml

import (
	"reflect"
	"testing"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"full", Problem{File: "a.yaml", Line: 3, Path: "streams.x", Message: "bad"}, "a.yaml:3: streams.x: bad"},
		{"no line", Problem{File: "a.yaml", Path: "name", Message: "bad"}, "a.yaml: name: bad"},
		{"no path", Problem{File: "a.yaml", Line: 2, Message: "bad"}, "a.yaml:2: bad"},
		{"no file", Problem{Line: 4, Message: "bad"}, "line 4: bad"},
		{"path only", Problem{Path: "--sink", Message: "bad"}, "--sink: bad"},
		{"message only", Problem{Message: "bad"}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSortByLine(t *testing.T) {
	p := func(line int, msg string) Problem { return Problem{File: "f", Line: line, Message: msg} }
	tests := []struct {
		name string
		in   []Problem
		want []Problem
	}{
		{"empty", nil, nil},
		{"by line", []Problem{p(3, "c"), p(1, "a"), p(2, "b")}, []Problem{p(1, "a"), p(2, "b"), p(3, "c")}},
		{"same line keeps order", []Problem{p(2, "y"), p(1, "a"), p(2, "x")}, []Problem{p(1, "a"), p(2, "y"), p(2, "x")}},
		{"no line last, in order", []Problem{p(0, "z"), p(5, "e"), p(0, "w"), p(1, "a")}, []Problem{p(1, "a"), p(5, "e"), p(0, "z"), p(0, "w")}},
		{"repeats dropped", []Problem{p(4, "d"), p(1, "a"), p(4, "d"), p(4, "other")}, []Problem{p(1, "a"), p(4, "d"), p(4, "other")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SortByLine(tt.in, func(p Problem) int { return p.Line })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

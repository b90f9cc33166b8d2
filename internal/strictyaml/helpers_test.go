package strictyaml

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// parse returns the top node of the YAML document doc.
func parse(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return n.Content[0]
	}
	return &n
}

// recorder is a Reporter that keeps the problems, formatted, and the unusable paths.
type recorder struct {
	problems []string
	unusable []string
}

func (r *recorder) Report(p Problem, unusable string) {
	r.problems = append(r.problems, p.String())
	if unusable != "" {
		r.unusable = append(r.unusable, unusable)
	}
}

// newWalker returns a Walker for "f.yaml" reporting into a new recorder.
func newWalker() (*Walker, *recorder) {
	r := &recorder{}
	return &Walker{File: "f.yaml", Reporter: r}, r
}

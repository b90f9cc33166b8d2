package spec

import (
	"reflect"

	"github.com/sluice-dev/sluice/internal/strictyaml"
	"go.yaml.in/yaml/v3"
)

// decoder fills the model from a yaml.Node tree strictly with strictyaml.Walker.Decode:
// unknown keys, duplicate keys and values of the wrong kind are all recorded in ps (with
// lines and field paths) and decoding carries on, so one pass reports everything. It is
// driven by the yaml struct tags of the model, so it never drifts from it.
type decoder struct {
	ps *problemSet
	// budget is how many values the document may expand to through aliases.
	budget int
}

// maxValues bounds the values one spec may expand to; real specs hold a few thousand.
const maxValues = strictyaml.DefaultBudget

// decode stores n into v (which must be settable), recording the line of every path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	w := &strictyaml.Walker{File: d.ps.set.File(), Reporter: d.ps.set, Lines: d.ps.set.Lines(), Budget: d.budget}
	w.Decode(n, v, path)
}

func resolveAlias(n *yaml.Node) *yaml.Node { return strictyaml.Resolve(n) }

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string { return strictyaml.Describe(n) }

// stripLinePrefix removes the "line N: " that yaml.v3 puts in front of messages.
func stripLinePrefix(s string) string { return strictyaml.StripLine(s) }

// yamlFields maps the yaml names of t's fields to their indexes.
func yamlFields(t reflect.Type) map[string]int { return strictyaml.FieldKeys(t) }

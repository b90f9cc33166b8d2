package config

import (
	"time"

	"github.com/sluice-dev/sluice/internal/strictyaml"
	"go.yaml.in/yaml/v3"
)

// decoder walks a YAML node tree by hand rather than unmarshalling into structs, so that
// every problem is collected (not just the first), each with its line, and so unknown
// keys can get did-you-mean hints. The strict node reading is strictyaml.Walker's; this
// type adds the config's own kinds of values and keeps the lines of the values read.
type decoder struct {
	file  string
	probs Problems
	lines map[string]int
	w     *strictyaml.Walker // made on first use by walker
}

// walker returns the Walker that reports into d.probs.
func (d *decoder) walker() *strictyaml.Walker {
	if d.w == nil {
		d.w = &strictyaml.Walker{
			File:          d.file,
			ExtensionKeys: true, // x- keys hold YAML anchors for reuse, as in Compose files
			Reporter: strictyaml.ReportFunc(func(p strictyaml.Problem, _ string) {
				d.probs = append(d.probs, Problem{File: p.File, Line: p.Line, Path: p.Path, Msg: p.Message})
			}),
		}
	}
	return d.w
}

// addf records a problem at n's line (0 when n is nil).
func (d *decoder) addf(n *yaml.Node, path, format string, args ...any) {
	d.walker().Fail(n, path, format, args...)
}

// mark records that path was set, on n's line.
func (d *decoder) mark(n *yaml.Node, path string) { d.lines[path] = n.Line }

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node { return strictyaml.Resolve(n) }

// isNull reports whether n is absent or a null scalar.
func isNull(n *yaml.Node) bool { return strictyaml.IsNull(n) }

// describe names a node's kind for messages.
func describe(n *yaml.Node) string { return strictyaml.Describe(n) }

// entry is one key of a mapping with its value.
type entry struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// mapping returns the entries of a mapping node in document order, with "<<" merge keys
// expanded (see strictyaml.Walker.Mapping). When known is non-nil, keys outside it are
// reported with a hint; top-level keys starting with x- are skipped. It returns nil (and
// reports) when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known []string) []entry {
	es, _ := d.walker().Mapping(n, path, known)
	out := make([]entry, len(es))
	for i, e := range es {
		out[i] = entry{key: e.Key, keyN: e.KeyNode, value: e.Value}
	}
	return out
}

// str decodes any scalar as its literal text ("" for null), so ids such as 012 or
// 17841405822304914 keep exactly the digits written.
func (d *decoder) str(n *yaml.Node, path string) string {
	s, ok := d.walker().Str(n, path)
	if ok {
		d.mark(resolve(n), path)
	}
	return s
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	v, ok := d.walker().Int(n, path)
	if ok {
		d.mark(resolve(n), path)
	}
	return int(v), ok
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	v, ok := d.walker().Bool(n, path)
	if ok {
		d.mark(resolve(n), path)
	}
	return v
}

// duration decodes Go duration text such as 30s, 500ms or 1m30s; it must be positive.
func (d *decoder) duration(n *yaml.Node, path string) time.Duration {
	s := d.walker().Scalar(n, path, "a duration")
	if s == nil {
		return 0
	}
	v, err := time.ParseDuration(s.Value)
	switch {
	case err != nil && s.Tag == "!!int":
		d.addf(s, path, "%s needs a unit, e.g. %ss or %sms", s.Value, s.Value, s.Value)
	case err != nil:
		d.addf(s, path, "%q is not a duration (use forms like 500ms, 30s, 2m)", s.Value)
	case v <= 0:
		d.addf(s, path, "must be positive, got %s", s.Value)
	default:
		d.mark(s, path)
		return v
	}
	return 0
}

// strings decodes a list of strings; a lone scalar is reported with the list form.
func (d *decoder) strings(n *yaml.Node, path string) []string {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		if n.Kind == yaml.ScalarNode {
			d.addf(n, path, "expected a list, write [%s]", n.Value)
		} else {
			d.addf(n, path, "expected a list of strings, got %s", describe(n))
		}
		return nil
	}
	d.mark(n, path)
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		p := strictyaml.IndexPath(path, i)
		if s := d.str(item, p); s != "" {
			out = append(out, s)
		} else if resolve(item).Kind == yaml.ScalarNode {
			d.addf(item, p, "is empty")
		}
	}
	return out
}

package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder walks a YAML node tree by hand rather than unmarshalling into structs, so that
// every problem is collected (not just the first), each with its line, and so unknown
// keys can get did-you-mean hints.
type decoder struct {
	file  string
	probs Problems
	lines map[string]int
}

// maxMergeDepth bounds "<<" merge chains, which aliases could otherwise make cyclic, and
// maxMergeNodes bounds the work of one mapping's merges, which aliases could otherwise
// make exponential.
const (
	maxMergeDepth = 8
	maxMergeNodes = 20000
)

func (d *decoder) addf(n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.probs = append(d.probs, Problem{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// mark records that path was set, on n's line.
func (d *decoder) mark(n *yaml.Node, path string) { d.lines[path] = n.Line }

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxMergeDepth; i++ {
		n = n.Alias
	}
	return n
}

// entry is one key of a mapping with its value.
type entry struct {
	key   string
	keyN  *yaml.Node
	value *yaml.Node
}

// mapping returns the entries of a mapping node in document order, with "<<" merge keys
// expanded. When known is non-nil, keys outside it are reported with a hint. Duplicate
// keys are reported. It returns nil (and reports) when n is not a mapping.
func (d *decoder) mapping(n *yaml.Node, path string, known []string) []entry {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		if isNull(n) {
			return nil
		}
		d.addf(n, path, "expected a mapping of keys, got %s", describe(n))
		return nil
	}
	var out []entry
	seen := map[string]int{}
	budget := maxMergeNodes
	d.collect(n, path, known, seen, &out, 0, &budget)
	return out
}

func (d *decoder) collect(n *yaml.Node, path string, known []string, seen map[string]int, out *[]entry, depth int, budget *int) {
	if *budget -= len(n.Content); *budget < 0 {
		if *budget+len(n.Content) >= 0 { // report once
			d.addf(n, path, "merges (<<) expand to too many keys")
		}
		return
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.addf(k, path, "keys must be plain names, got %s", describe(k))
			continue
		}
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			merges = append(merges, v)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			if depth == 0 { // a merged key the mapping sets itself is an override, not a duplicate
				d.addf(k, join(path, k.Value), "duplicate key (first set on line %d)", line)
			}
			continue
		}
		if path == "" && strings.HasPrefix(k.Value, "x-") {
			continue // extension keys hold YAML anchors for reuse, as in Compose files
		}
		if known != nil && !slices.Contains(known, k.Value) {
			d.addf(k, path, "unknown key %q%s", k.Value, hintOrList(k.Value, known))
			seen[k.Value] = k.Line
			continue
		}
		seen[k.Value] = k.Line
		*out = append(*out, entry{key: k.Value, keyN: k, value: v})
	}
	// Merged keys fill in only what the mapping itself does not set.
	for _, m := range merges {
		if depth >= maxMergeDepth {
			d.addf(m, path, "merge (<<) nested too deeply")
			return
		}
		m = resolve(m)
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			if s = resolve(s); s.Kind != yaml.MappingNode {
				d.addf(s, path, "merge (<<) needs a mapping, got %s", describe(s))
				continue
			}
			d.collect(s, path, known, seen, out, depth+1, budget)
		}
	}
}

// scalar returns n as a scalar node, reporting and returning nil otherwise.
func (d *decoder) scalar(n *yaml.Node, path, want string) *yaml.Node {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		d.addf(n, path, "expected %s, got %s", want, describe(n))
		return nil
	}
	return n
}

// str decodes any scalar as its literal text ("" for null), so ids such as 012 or
// 17841405822304914 keep exactly the digits written.
func (d *decoder) str(n *yaml.Node, path string) string {
	if s := d.scalar(n, path, "a string"); s != nil && !isNull(s) {
		d.mark(s, path)
		return s.Value
	}
	return ""
}

// integer decodes a whole number.
func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	s := d.scalar(n, path, "a whole number")
	if s == nil {
		return 0, false
	}
	var v int
	if s.Tag != "!!int" || s.Decode(&v) != nil {
		if _, err := strconv.Atoi(s.Value); err == nil {
			d.addf(s, path, "write %s without quotes: it is a number", s.Value)
		} else {
			d.addf(s, path, "%q is not a whole number", s.Value)
		}
		return 0, false
	}
	d.mark(s, path)
	return v, true
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	s := d.scalar(n, path, "true or false")
	if s == nil {
		return false
	}
	v, err := strconv.ParseBool(s.Value)
	if s.Tag != "!!bool" || err != nil {
		if err == nil && (s.Value == "true" || s.Value == "false") {
			d.addf(s, path, "write %s without quotes: it is a boolean", s.Value)
			return false
		}
		d.addf(s, path, "%q is not true or false", s.Value)
		return false
	}
	d.mark(s, path)
	return v
}

// duration decodes Go duration text such as 30s, 500ms or 1m30s; it must be positive.
func (d *decoder) duration(n *yaml.Node, path string) time.Duration {
	s := d.scalar(n, path, "a duration")
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
		p := fmt.Sprintf("%s[%d]", path, i)
		if s := d.str(item, p); s != "" {
			out = append(out, s)
		} else if resolve(item).Kind == yaml.ScalarNode {
			d.addf(item, p, "is empty")
		}
	}
	return out
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's kind for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported node"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// hintOrList returns a did-you-mean hint, or the list of valid keys when none is close.
func hintOrList(got string, known []string) string {
	return hint(got, known, "valid keys: "+strings.Join(known, ", "))
}

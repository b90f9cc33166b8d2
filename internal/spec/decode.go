package spec

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder fills Go values from a yaml.Node tree strictly: unknown keys, duplicate keys and
// values of the wrong kind are all recorded as problems (with lines and field paths) and
// decoding carries on, so one pass reports everything. It is driven by the yaml struct
// tags of the model, so it never drifts from it.
type decoder struct {
	ps *problemSet
	// budget is how many more values may be decoded. Aliases are expanded, so a small
	// document of aliases to aliases could otherwise expand exponentially.
	budget int
	// known caches the yaml keys of each struct type and their sorted names.
	known map[reflect.Type]knownKeys
}

// knownKeys are the yaml keys of one struct type.
type knownKeys struct {
	index map[string]int // key → field index
	names []string       // sorted, for hints
}

// keysOf returns the yaml keys of struct type t.
func (d *decoder) keysOf(t reflect.Type) knownKeys {
	if k, ok := d.known[t]; ok {
		return k
	}
	k := knownKeys{index: yamlFields(t)}
	for name := range k.index {
		k.names = append(k.names, name)
	}
	slices.Sort(k.names)
	if d.known == nil {
		d.known = map[reflect.Type]knownKeys{}
	}
	d.known[t] = k
	return k
}

// maxValues bounds the values one spec may expand to; real specs hold a few thousand.
const maxValues = 200_000

// spend uses one unit of the budget for n and reports whether decoding may go on.
func (d *decoder) spend(n *yaml.Node) bool {
	d.budget--
	if d.budget == -1 {
		d.ps.addAt(n.Line, "", "the document expands to more than %d values; check for aliases that repeat large blocks", maxValues)
	}
	return d.budget >= 0
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decode stores n into v (which must be settable) and records the line of path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolveAlias(n)
	if !d.spend(n) {
		return
	}
	if _, ok := d.ps.lines[path]; !ok && path != "" {
		d.ps.lines[path] = n.Line
	}
	if isNull(n) {
		return
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.fail(n, path, "%s", stripLinePrefix(err.Error()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Interface:
		x, ok := d.generic(n, path)
		if ok && x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, v, path)
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of keys, got %s", describe(n))
		return
	}
	keys := d.keysOf(v.Type())
	for _, kv := range d.pairs(n, path) {
		key := kv[0].Value
		i, ok := keys.index[key]
		if !ok {
			d.unknownKey(kv[0], path, keys.names)
			continue
		}
		child := joinPath(path, key)
		d.ps.lines[child] = kv[0].Line
		d.decode(kv[1], v.Field(i), child)
	}
}

// unknownKey reports a key the model does not have, with the closest known key or the
// list of known keys. The suggested key is marked bad so that "missing key" problems do
// not repeat the hint.
func (d *decoder) unknownKey(k *yaml.Node, path string, names []string) {
	if s := suggest(k.Value, names); s != "" {
		d.ps.addAt(k.Line, path, "unknown key %q (did you mean %q?)", k.Value, s)
		d.ps.bad[joinPath(path, s)] = true
		return
	}
	d.ps.addAt(k.Line, path, "unknown key %q (known keys: %s)", k.Value, strings.Join(names, ", "))
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping of keys, got %s", describe(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, kv := range d.pairs(n, path) {
		child := joinPath(path, kv[0].Value)
		d.ps.lines[child] = kv[0].Line
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv[1], e, child)
		v.SetMapIndex(reflect.ValueOf(kv[0].Value).Convert(v.Type().Key()), e)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(item, e, indexPath(path, i))
		s = reflect.Append(s, e)
	}
	v.Set(s)
}

// decodeScalar handles strings, numbers and booleans. Strings accept any scalar (YAML
// writes versions like 2.0 or ids like 123 unquoted); numbers and booleans must be
// written as such.
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "expected %s, got %s", kindName(v.Kind()), describe(n))
		return
	}
	tag := n.ShortTag()
	var err error
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return
	case reflect.Bool:
		if tag == "!!bool" {
			var b bool
			err = n.Decode(&b)
			v.SetBool(b)
		} else {
			err = fmt.Errorf("wrong kind")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if tag == "!!int" {
			var i int64
			err = n.Decode(&i)
			if err == nil && v.OverflowInt(i) {
				err = fmt.Errorf("overflow")
			}
			v.SetInt(i)
		} else {
			err = fmt.Errorf("wrong kind")
		}
	case reflect.Float32, reflect.Float64:
		if tag == "!!int" || tag == "!!float" {
			var f float64
			err = n.Decode(&f)
			v.SetFloat(f)
		} else {
			err = fmt.Errorf("wrong kind")
		}
	default:
		err = fmt.Errorf("unsupported kind %s", v.Kind())
	}
	if err != nil {
		d.fail(n, path, "expected %s, got %s", kindName(v.Kind()), describe(n))
	}
}

// generic converts a node into plain JSON-compatible values (map[string]any, []any,
// string, int64, float64, bool, nil), for request bodies.
func (d *decoder) generic(n *yaml.Node, path string) (any, bool) {
	n = resolveAlias(n)
	if !d.spend(n) {
		return nil, false
	}
	if _, ok := d.ps.lines[path]; !ok {
		d.ps.lines[path] = n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		ok := true
		for _, kv := range d.pairs(n, path) {
			child := joinPath(path, kv[0].Value)
			d.ps.lines[child] = kv[0].Line
			x, good := d.generic(kv[1], child)
			m[kv[0].Value] = x
			ok = ok && good
		}
		return m, ok
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		ok := true
		for i, item := range n.Content {
			x, good := d.generic(item, indexPath(path, i))
			l = append(l, x)
			ok = ok && good
		}
		return l, ok
	case yaml.ScalarNode:
		var x any
		switch n.ShortTag() {
		case "!!null":
			return nil, true
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				d.fail(n, path, "integer %s is out of range", n.Value)
				return nil, false
			}
			x = i
		case "!!float":
			var f float64
			_ = n.Decode(&f)
			x = f
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			x = b
		case "!!str":
			x = n.Value
		default:
			d.fail(n, path, "unsupported YAML value %s (use strings, numbers, booleans, lists and mappings)", n.ShortTag())
			return nil, false
		}
		return x, true
	}
	d.fail(n, path, "unsupported YAML node")
	return nil, false
}

// pairs returns the key/value pairs of a mapping with merge keys (<<) expanded: explicit
// keys win over merged ones. Duplicate and non-scalar keys are problems.
func (d *decoder) pairs(n *yaml.Node, path string) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	seen := map[string]int{}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			merged = append(merged, val)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "mapping keys must be plain text, got %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.ps.addAt(k.Line, path, "duplicate key %q (first given on line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, [2]*yaml.Node{k, val})
	}
	for _, m := range merged {
		m = resolveAlias(m)
		sources := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			sources = m.Content
		}
		for _, src := range sources {
			src = resolveAlias(src)
			if src.Kind != yaml.MappingNode {
				d.fail(src, path, "a merge (<<) needs a mapping, got %s", describe(src))
				continue
			}
			for _, kv := range d.pairs(src, path) {
				if _, ok := seen[kv[0].Value]; !ok {
					seen[kv[0].Value] = kv[0].Line
					out = append(out, kv)
				}
			}
		}
	}
	return out
}

// fail records a decoding problem at n's line and marks path as bad.
func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.ps.addAt(n.Line, path, format, args...)
	d.ps.bad[path] = true
}

// yamlFields maps the yaml names of t's fields to their indexes.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = i
	}
	return out
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a " + k.String()
}

var linePrefix = regexp.MustCompile(`^(yaml: )?line \d+: `)

// stripLinePrefix removes the "line N: " that yaml.v3 and the model's unmarshalers put in
// front of messages; problems carry the line themselves.
func stripLinePrefix(s string) string { return linePrefix.ReplaceAllString(s, "") }

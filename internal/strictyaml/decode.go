package strictyaml

import (
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// knownKeys are the yaml keys of one struct type.
type knownKeys struct {
	index map[string]int // key → field index
	names []string       // sorted, for hints
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// Decode stores n into v, which must be settable, driven by the yaml struct tags of v's
// type so that it never drifts from the model: structs take the keys of their tagged
// fields (the lowercased field name when untagged; "-" and unexported fields are
// skipped); maps, slices and pointers are filled recursively; strings, booleans, integers
// and floats are read as Str, Bool, Int and Float read them; an interface takes plain
// JSON-like values (map[string]any, []any, string, int64, float64, bool, nil); and a type
// with an UnmarshalYAML method decodes itself, its error becoming the problem. Nulls
// leave v as it is. Every problem is reported and decoding carries on.
func (w *Walker) Decode(n *yaml.Node, v reflect.Value, path string) {
	n = Resolve(n)
	if !w.spend(n) {
		return
	}
	w.locate(path, n.Line)
	if IsNull(n) {
		return
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			w.Fail(n, path, "%s", StripLine(err.Error()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		w.Decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		w.decodeStruct(n, v, path)
	case reflect.Map:
		w.decodeMap(n, v, path)
	case reflect.Slice:
		w.decodeSlice(n, v, path)
	case reflect.Interface:
		if x, ok := w.generic(n, path); ok && x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		w.decodeScalar(n, v, path)
	}
}

// locate records the line of path unless one is known already.
func (w *Walker) locate(path string, line int) {
	if w.Lines == nil || path == "" {
		return
	}
	if _, ok := w.Lines[path]; !ok {
		w.Lines[path] = line
	}
}

// locateKey records the line of a mapping key as the line of its path.
func (w *Walker) locateKey(e Entry, path string) string {
	child := JoinPath(path, e.Key)
	if w.Lines != nil {
		w.Lines[child] = e.KeyNode.Line
	}
	return child
}

func (w *Walker) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	keys := w.keysOf(v.Type())
	entries, _ := w.Mapping(n, path, keys.names)
	for _, e := range entries {
		w.Decode(e.Value, v.Field(keys.index[e.Key]), w.locateKey(e, path))
	}
}

func (w *Walker) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	entries, ok := w.Mapping(n, path, nil)
	if !ok {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, e := range entries {
		x := reflect.New(v.Type().Elem()).Elem()
		w.Decode(e.Value, x, w.locateKey(e, path))
		v.SetMapIndex(reflect.ValueOf(e.Key).Convert(v.Type().Key()), x)
	}
}

func (w *Walker) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	items, ok := w.Sequence(n, path)
	if !ok {
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(items))
	for i, item := range items {
		x := reflect.New(v.Type().Elem()).Elem()
		w.Decode(item, x, IndexPath(path, i))
		s = reflect.Append(s, x)
	}
	v.Set(s)
}

// decodeScalar reads strings, booleans and numbers into v.
func (w *Walker) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if s, ok := w.Str(n, path); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		if b, ok := w.Bool(n, path); ok {
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if i, ok := w.Int(n, path); ok {
			if v.OverflowInt(i) {
				w.Fail(n, path, "%s is out of range", n.Value)
				return
			}
			v.SetInt(i)
		}
	case reflect.Float32, reflect.Float64:
		if f, ok := w.Float(n, path); ok {
			v.SetFloat(f)
		}
	default:
		w.Fail(n, path, "cannot be read into a Go %s", v.Type())
	}
}

// generic converts a node into plain JSON-compatible values (map[string]any, []any,
// string, int64, float64, bool, nil), for free-form values such as request bodies.
func (w *Walker) generic(n *yaml.Node, path string) (any, bool) {
	n = Resolve(n)
	if !w.spend(n) {
		return nil, false
	}
	w.locate(path, n.Line)
	switch n.Kind {
	case yaml.MappingNode:
		entries, _ := w.Mapping(n, path, nil)
		m := make(map[string]any, len(entries))
		ok := true
		for _, e := range entries {
			x, good := w.generic(e.Value, w.locateKey(e, path))
			m[e.Key] = x
			ok = ok && good
		}
		return m, ok
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		ok := true
		for i, item := range n.Content {
			x, good := w.generic(item, IndexPath(path, i))
			l = append(l, x)
			ok = ok && good
		}
		return l, ok
	case yaml.ScalarNode:
		return w.genericScalar(n, path)
	}
	w.Fail(n, path, "unsupported YAML node")
	return nil, false
}

func (w *Walker) genericScalar(n *yaml.Node, path string) (any, bool) {
	switch n.ShortTag() {
	case "!!null":
		return nil, true
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			w.Fail(n, path, "integer %s is out of range", n.Value)
			return nil, false
		}
		return i, true
	case "!!float":
		var f float64
		_ = n.Decode(&f)
		return f, true
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b, true
	case "!!str":
		return n.Value, true
	}
	w.Fail(n, path, "unsupported YAML value %s (use strings, numbers, booleans, lists and mappings)", n.ShortTag())
	return nil, false
}

// keysOf returns the yaml keys of struct type t, cached per Walker.
func (w *Walker) keysOf(t reflect.Type) knownKeys {
	if k, ok := w.known[t]; ok {
		return k
	}
	k := knownKeys{index: FieldKeys(t)}
	for name := range k.index {
		k.names = append(k.names, name)
	}
	slices.Sort(k.names)
	if w.known == nil {
		w.known = map[reflect.Type]knownKeys{}
	}
	w.known[t] = k
	return k
}

// FieldKeys maps the yaml keys of struct type t to the indexes of their fields, as Decode
// reads them: the tag's name, or the lowercased field name when the tag has none; fields
// tagged "-" and unexported fields are left out.
func FieldKeys(t reflect.Type) map[string]int {
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

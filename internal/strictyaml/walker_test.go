package strictyaml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestMapping(t *testing.T) {
	known := []string{"name", "format", "retry", "sink"}
	tests := []struct {
		name       string
		doc        string
		known      []string
		extensions bool
		wantOK     bool
		wantKeys   []string // entries as key=value
		want       []string // problems
		unusable   []string
	}{
		{"plain", "name: a\nformat: b\n", known, false, true, []string{"name=a", "format=b"}, nil, nil},
		{"any keys", "zz: 1\n'a.b': 2\n", nil, false, true, []string{"zz=1", "a.b=2"}, nil, nil},
		{"null", "~\n", known, false, true, nil, nil, nil},
		{"not a mapping", "- a\n", known, false, false, nil,
			[]string{"f.yaml:1: top: expected a mapping of keys, got a list"}, []string{"top"}},
		{"scalar", "text\n", known, false, false, nil,
			[]string{`f.yaml:1: top: expected a mapping of keys, got "text"`}, []string{"top"}},
		{"unknown key with hint", "name: a\nfromat: b\n", known, false, true, []string{"name=a"},
			[]string{`f.yaml:2: top: unknown key "fromat" (did you mean "format"?)`}, []string{"top.format"}},
		{"unknown key with list", "zzz: a\n", known, false, true, nil,
			[]string{`f.yaml:1: top: unknown key "zzz" (valid keys: name, format, retry, sink)`}, nil},
		{"duplicate key", "name: a\nformat: b\nname: c\n", known, false, true, []string{"name=a", "format=b"},
			[]string{"f.yaml:3: top.name: duplicate key (first set on line 1)"}, nil},
		{"duplicate odd key", "'a b': 1\n'a b': 2\n", nil, false, true, []string{"a b=1"},
			[]string{`f.yaml:2: top["a b"]: duplicate key (first set on line 1)`}, nil},
		{"non-scalar key", "? [a]\n: 1\nname: x\n", known, false, true, []string{"name=x"},
			[]string{"f.yaml:1: top: mapping keys must be plain text, got a list"}, []string{"top"}},
		{"merge fills in, own keys win", "base: &b {name: a, format: b}\ntop:\n  <<: *b\n  format: c\n", known, false, true,
			[]string{"format=c", "name=a"}, nil, nil},
		{"merge list, earlier wins", "x: &x {name: x}\ny: &y {name: y, sink: s}\ntop: {<<: [*x, *y]}\n", known, false, true,
			[]string{"name=x", "sink=s"}, nil, nil},
		{"merged unknown key", "b: &b {nme: a}\ntop: {<<: *b}\n", known, false, true, nil,
			[]string{`f.yaml:1: top: unknown key "nme" (did you mean "name"?)`}, []string{"top.name"}},
		{"merge of a list item scalar", "top: {<<: [x], name: a}\n", known, false, true, []string{"name=a"},
			[]string{`f.yaml:1: top: merge (<<) needs a mapping, got "x"`}, []string{"top"}},
		{"cyclic merge", "a: &a {<<: *a}\ntop: {<<: *a, name: n}\n", known, false, true, []string{"name=n"},
			[]string{"f.yaml:1: top: merge (<<) nested too deeply"}, []string{"top"}},
		{"extension keys only at the top", "x-a: 1\nname: a\n", known, true, true, []string{"name=a"}, nil, nil},
		{"extension keys off", "x-a: 1\n", known, false, true, nil,
			[]string{`f.yaml:1: top: unknown key "x-a" (valid keys: name, format, retry, sink)`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := newWalker()
			w.ExtensionKeys = tt.extensions
			root := parse(t, tt.doc)
			// The mapping read is the value of the last key when that is "top", else the
			// document; it sits at path "top", or at the top level for extension keys.
			n, path := root, "top"
			if top := root.Content; root.Kind == yaml.MappingNode && top[len(top)-2].Value == "top" {
				n = top[len(top)-1]
			}
			if tt.extensions {
				path = ""
			}
			entries, ok := w.Mapping(n, path, tt.known)
			var keys []string
			for _, e := range entries {
				keys = append(keys, e.Key+"="+Resolve(e.Value).Value)
				if e.KeyNode.Value != e.Key {
					t.Errorf("KeyNode %q for key %q", e.KeyNode.Value, e.Key)
				}
			}
			if ok != tt.wantOK || !reflect.DeepEqual(keys, tt.wantKeys) {
				t.Errorf("Mapping = %q, %v; want %q, %v", keys, ok, tt.wantKeys, tt.wantOK)
			}
			if !reflect.DeepEqual(r.problems, tt.want) {
				t.Errorf("problems = %q, want %q", r.problems, tt.want)
			}
			if !reflect.DeepEqual(r.unusable, tt.unusable) {
				t.Errorf("unusable = %q, want %q", r.unusable, tt.unusable)
			}
		})
	}
}

// TestMappingMergeBomb checks that merges repeating each other (10^8 keys if expanded)
// stop at the budget with one problem.
func TestMappingMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 {a: 1, b: 2}\n")
	for i := 1; i < 8; i++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]}\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("top: {<<: *l7}\n")
	w, r := newWalker()
	w.Budget = 1000
	root := parse(t, b.String())
	w.Mapping(root.Content[len(root.Content)-1], "top", nil)
	want := []string{"f.yaml:1: the document expands to more than 1000 values; check for aliases that repeat large blocks"}
	if !reflect.DeepEqual(r.problems, want) {
		t.Errorf("problems = %q, want %q", r.problems, want)
	}
}

func TestFailLine(t *testing.T) {
	w, r := newWalker()
	w.Fail(nil, "sink", "no sink configured")
	w.Fail(parse(t, "a: 1\n").Content[1], "a", "bad %d", 1)
	want := []string{"f.yaml: sink: no sink configured", "f.yaml:1: a: bad 1"}
	if !reflect.DeepEqual(r.problems, want) || !reflect.DeepEqual(r.unusable, []string{"sink", "a"}) {
		t.Errorf("problems = %q (unusable %q), want %q", r.problems, r.unusable, want)
	}
}

func TestReportFunc(t *testing.T) {
	var got []string
	w := &Walker{File: "c.yaml", Reporter: ReportFunc(func(p Problem, unusable string) {
		got = append(got, p.String()+" | "+unusable)
	})}
	w.Mapping(parse(t, "- x\n"), "accounts", nil)
	want := []string{"c.yaml:1: accounts: expected a mapping of keys, got a list | accounts"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

package strictyaml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// upper is a type that decodes itself: it accepts only upper-case text.
type upper string

func (u *upper) UnmarshalYAML(n *yaml.Node) error {
	if strings.ToUpper(n.Value) != n.Value {
		return fmt.Errorf("line %d: %q is not upper case", n.Line, n.Value)
	}
	*u = upper(n.Value)
	return nil
}

type inner struct {
	Limit int8    `yaml:"limit"`
	Ratio float64 `yaml:"ratio"`
}

type model struct {
	Name    string            `yaml:"name"`
	On      bool              `yaml:"on"`
	Count   int               `yaml:"count"`
	Inner   *inner            `yaml:"inner"`
	Tags    []string          `yaml:"tags"`
	Params  map[string]string `yaml:"params"`
	Body    any               `yaml:"body"`
	Code    upper             `yaml:"code"`
	Plain   string            // key "plain"
	Skipped string            `yaml:"-"`
	hidden  string
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		want  model
		probs []string
		lines map[string]int // a subset of the lines recorded
	}{
		{"everything", `name: acme
on: true
count: 3
inner: {limit: 100, ratio: 0.5}
tags: [a, b]
params: {since: "2024", user.fields: x}
body: {n: 1, f: 1.5, b: false, s: t, l: [1, ~]}
code: ABC
plain: p
`, model{
			Name: "acme", On: true, Count: 3, Inner: &inner{Limit: 100, Ratio: 0.5}, Tags: []string{"a", "b"},
			Params: map[string]string{"since": "2024", "user.fields": "x"},
			Body:   map[string]any{"n": int64(1), "f": 1.5, "b": false, "s": "t", "l": []any{int64(1), nil}},
			Code:   "ABC", Plain: "p",
		}, nil, map[string]int{"name": 1, "inner.limit": 4, `params["user.fields"]`: 6, "tags[1]": 5, "body.l[1]": 7}},
		{"nulls leave zero values", "name:\ninner: ~\ntags:\n", model{}, nil, map[string]int{"name": 1, "inner": 2}},
		{"merge and anchors", "name: &n acme\nx: &x {limit: 2}\n", model{Name: "acme"},
			[]string{`f.yaml:2: unknown key "x" (valid keys: body, code, count, inner, name, on, params, plain, tags)`}, nil},
		{"problems everywhere", `nme: a
on: "true"
count: many
inner: {limit: 300, ratio: x}
tags: a
params: [x]
body: {d: !!binary aGk=}
code: abc
skipped: x
`, model{Inner: &inner{}}, []string{
			`f.yaml:1: unknown key "nme" (did you mean "name"?)`,
			"f.yaml:2: on: write true without quotes: it is a boolean",
			`f.yaml:3: count: "many" is not a whole number`,
			"f.yaml:4: inner.limit: 300 is out of range",
			`f.yaml:4: inner.ratio: "x" is not a number`,
			`f.yaml:5: tags: expected a list, got "a"`,
			"f.yaml:6: params: expected a mapping of keys, got a list",
			"f.yaml:7: body.d: unsupported YAML value !!binary (use strings, numbers, booleans, lists and mappings)",
			`f.yaml:8: code: "abc" is not upper case`,
			`f.yaml:9: unknown key "skipped" (valid keys: body, code, count, inner, name, on, params, plain, tags)`,
		}, nil},
		{"body integer out of range", "body: [1, 18446744073709551615]\n", model{},
			[]string{"f.yaml:1: body[1]: integer 18446744073709551615 is out of range"}, nil},
		{"not a mapping", "[1]\n", model{}, []string{"f.yaml:1: expected a mapping of keys, got a list"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet("f.yaml")
			w := &Walker{File: s.File(), Reporter: s, Lines: s.Lines()}
			var got model
			w.Decode(parse(t, tt.doc), reflect.ValueOf(&got).Elem(), "")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded\n%#v\nwant\n%#v", got, tt.want)
			}
			var probs []string
			for _, p := range s.Problems() {
				probs = append(probs, p.String())
			}
			if !reflect.DeepEqual(probs, tt.probs) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(probs, "\n"), strings.Join(tt.probs, "\n"))
			}
			for path, line := range tt.lines {
				if s.Lines()[path] != line {
					t.Errorf("line of %s = %d, want %d", path, s.Lines()[path], line)
				}
			}
		})
	}
}

// TestDecodeUnusable checks that decoding problems silence later checks of the same
// value, and that a did-you-mean hint silences "missing key" checks of the key it names.
func TestDecodeUnusable(t *testing.T) {
	s := NewSet("f.yaml")
	w := &Walker{File: "f.yaml", Reporter: s, Lines: s.Lines()}
	var m model
	w.Decode(parse(t, "nme: a\ninner: [1]\ncount: x\n"), reflect.ValueOf(&m).Elem(), "")
	s.Add("name", "name is required")
	s.Add("inner.limit", "limit is required")
	s.Add("count", "count must be positive")
	s.Add("tags", "tags are required")
	var got []string
	for _, p := range s.Problems() {
		got = append(got, p.String())
	}
	want := []string{
		`f.yaml:1: unknown key "nme" (did you mean "name"?)`,
		"f.yaml:2: inner: expected a mapping of keys, got a list",
		`f.yaml:3: count: "x" is not a whole number`,
		"f.yaml: tags: tags are required",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDecodeAliasBomb checks that lists of aliases to lists (10^9 values if expanded) stop
// at the budget with one problem.
func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("body:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	s := NewSet("f.yaml")
	w := &Walker{File: "f.yaml", Reporter: s}
	var m model
	w.Decode(parse(t, b.String()), reflect.ValueOf(&m).Elem(), "")
	var got []string
	for _, p := range s.Problems() {
		got = append(got, p.String())
	}
	want := []string{"f.yaml:2: the document expands to more than 200000 values; check for aliases that repeat large blocks"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func TestFieldKeys(t *testing.T) {
	want := map[string]int{"name": 0, "on": 1, "count": 2, "inner": 3, "tags": 4, "params": 5, "body": 6, "code": 7, "plain": 8}
	if got := FieldKeys(reflect.TypeFor[model]()); !reflect.DeepEqual(got, want) {
		t.Errorf("FieldKeys = %v, want %v", got, want)
	}
}

package strictyaml

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// value returns the node of key v in doc.
func value(t *testing.T, doc string) *yaml.Node {
	t.Helper()
	root := parse(t, "v: "+doc+"\n")
	return root.Content[1]
}

func TestScalars(t *testing.T) {
	tests := []struct {
		name   string
		read   func(w *Walker, n *yaml.Node) (any, bool)
		doc    string
		want   any
		wantOK bool
		prob   string // "" for none
	}{
		{"str text", str, "hello", "hello", true, ""},
		{"str keeps digits", str, "0123", "0123", true, ""},
		{"str keeps version", str, "2.0", "2.0", true, ""},
		{"str keeps long id", str, "17841405822304914", "17841405822304914", true, ""},
		{"str quoted empty", str, `""`, "", true, ""},
		{"str null", str, "~", "", false, ""},
		{"str list", str, "[a]", "", false, "f.yaml:1: v: expected a string, got a list"},
		{"str alias", str, "&a x", "x", true, ""},
		{"int", integer, "42", int64(42), true, ""},
		{"int negative", integer, "-7", int64(-7), true, ""},
		{"int quoted", integer, `"7"`, int64(0), false, "f.yaml:1: v: write 7 without quotes: it is a number"},
		{"int float", integer, "2.5", int64(0), false, `f.yaml:1: v: "2.5" is not a whole number`},
		{"int word", integer, "many", int64(0), false, `f.yaml:1: v: "many" is not a whole number`},
		{"int null", integer, "~", int64(0), false, `f.yaml:1: v: "~" is not a whole number`},
		{"int mapping", integer, "{a: 1}", int64(0), false, "f.yaml:1: v: expected a whole number, got a mapping"},
		{"float", float, "2.5", 2.5, true, ""},
		{"float whole", float, "3", 3.0, true, ""},
		{"float quoted", float, `'0.5'`, 0.0, false, "f.yaml:1: v: write 0.5 without quotes: it is a number"},
		{"float word", float, "half", 0.0, false, `f.yaml:1: v: "half" is not a number`},
		{"bool true", boolean, "true", true, true, ""},
		{"bool False", boolean, "False", false, true, ""},
		{"bool quoted", boolean, `"true"`, false, false, "f.yaml:1: v: write true without quotes: it is a boolean"},
		{"bool yes", boolean, "yes", false, false, `f.yaml:1: v: "yes" is not true or false`},
		{"bool list", boolean, "[true]", false, false, "f.yaml:1: v: expected true or false, got a list"},
		{"sequence", seq, "[a, b]", 2, true, ""},
		{"sequence null", seq, "~", 0, true, ""},
		{"sequence scalar", seq, "a", 0, false, `f.yaml:1: v: expected a list, got "a"`},
		{"scalar wanted", func(w *Walker, n *yaml.Node) (any, bool) {
			s := w.Scalar(n, "v", "a duration")
			return s != nil, s != nil
		}, "{a: 1}", false, false, "f.yaml:1: v: expected a duration, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := newWalker()
			got, ok := tt.read(w, value(t, tt.doc))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %#v, %v; want %#v, %v", got, ok, tt.want, tt.wantOK)
			}
			var want []string
			var unusable []string
			if tt.prob != "" {
				want, unusable = []string{tt.prob}, []string{"v"}
			}
			if !reflect.DeepEqual(r.problems, want) || !reflect.DeepEqual(r.unusable, unusable) {
				t.Errorf("problems = %q (unusable %q), want %q", r.problems, r.unusable, want)
			}
		})
	}
}

func str(w *Walker, n *yaml.Node) (any, bool)     { return w.Str(n, "v") }
func integer(w *Walker, n *yaml.Node) (any, bool) { return w.Int(n, "v") }
func float(w *Walker, n *yaml.Node) (any, bool)   { return w.Float(n, "v") }
func boolean(w *Walker, n *yaml.Node) (any, bool) { return w.Bool(n, "v") }
func seq(w *Walker, n *yaml.Node) (any, bool) {
	items, ok := w.Sequence(n, "v")
	return len(items), ok
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		n    *yaml.Node
		want string
	}{
		{"nil", nil, "nothing"},
		{"null", value(t, "~"), "nothing"},
		{"empty", value(t, ""), "nothing"},
		{"text", value(t, "a b"), `"a b"`},
		{"quoted null", value(t, `"~"`), `"~"`},
		{"list", value(t, "[1]"), "a list"},
		{"mapping", value(t, "{a: 1}"), "a mapping"},
		{"document", &yaml.Node{Kind: yaml.DocumentNode}, "an unsupported YAML node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.n); got != tt.want {
				t.Errorf("Describe = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStripLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"yaml: line 3: did not find expected key", "did not find expected key"},
		{`line 10: "soon" is not a duration`, `"soon" is not a duration`},
		{"no line here", "no line here"},
		{"see line 3: inside", "see line 3: inside"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := StripLine(tt.in); got != tt.want {
				t.Errorf("StripLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

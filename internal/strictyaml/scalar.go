package strictyaml

import (
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// maxAliasChain bounds how many aliases Resolve follows; yaml.v3 never chains them, so
// this only guards against hand-built trees.
const maxAliasChain = 64

// Resolve follows an alias to the node it names; other nodes (and nil) are returned as is.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < maxAliasChain; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or a null scalar (~, null or nothing at all).
func IsNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// Describe names what a node holds, for "expected X, got Y" messages: "a mapping",
// "a list", "nothing" for null, or the scalar's text quoted.
func Describe(n *yaml.Node) string {
	switch {
	case IsNull(n):
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an unsupported YAML node"
}

// Scalar returns n resolved when it is a scalar (null included); otherwise it reports
// "expected <want>, got <what n holds>" and returns nil.
func (w *Walker) Scalar(n *yaml.Node, path, want string) *yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		w.Fail(n, path, "expected %s, got %s", want, Describe(n))
		return nil
	}
	return n
}

// Str returns the literal text of any scalar, so that versions such as 2.0 and ids such
// as 012 or 17841405822304914 keep exactly the characters written. For null it returns
// ok false without a problem.
func (w *Walker) Str(n *yaml.Node, path string) (s string, ok bool) {
	sc := w.Scalar(n, path, "a string")
	if sc == nil || IsNull(sc) {
		return "", false
	}
	return sc.Value, true
}

// Int returns a whole number written as one. A quoted number is reported with the advice
// to drop the quotes; anything else, including null, as not a whole number.
func (w *Walker) Int(n *yaml.Node, path string) (int64, bool) {
	sc := w.Scalar(n, path, "a whole number")
	if sc == nil {
		return 0, false
	}
	var v int64
	if sc.ShortTag() != "!!int" || sc.Decode(&v) != nil {
		_, err := strconv.ParseInt(sc.Value, 10, 64)
		w.failNumber(sc, path, "a whole number", err == nil)
		return 0, false
	}
	return v, true
}

// Float returns a number (whole or not) written as one, reported like Int otherwise.
func (w *Walker) Float(n *yaml.Node, path string) (float64, bool) {
	sc := w.Scalar(n, path, "a number")
	if sc == nil {
		return 0, false
	}
	var v float64
	if tag := sc.ShortTag(); (tag != "!!int" && tag != "!!float") || sc.Decode(&v) != nil {
		_, err := strconv.ParseFloat(sc.Value, 64)
		w.failNumber(sc, path, "a number", err == nil)
		return 0, false
	}
	return v, true
}

// failNumber reports a scalar that is not what (a number of some kind) as written. When
// its text parses as one, it was quoted, and the advice is to drop the quotes.
func (w *Walker) failNumber(sc *yaml.Node, path, what string, quoted bool) {
	if quoted {
		w.Fail(sc, path, "write %s without quotes: it is a number", sc.Value)
		return
	}
	w.Fail(sc, path, "%q is not %s", sc.Value, what)
}

// Bool returns true or false written as such. A quoted "true" or "false" is reported
// with the advice to drop the quotes; anything else (yes, on, null) as not true or false.
func (w *Walker) Bool(n *yaml.Node, path string) (bool, bool) {
	sc := w.Scalar(n, path, "true or false")
	if sc == nil {
		return false, false
	}
	v, err := strconv.ParseBool(sc.Value)
	if sc.ShortTag() != "!!bool" || err != nil {
		if err == nil && (sc.Value == "true" || sc.Value == "false") {
			w.Fail(sc, path, "write %s without quotes: it is a boolean", sc.Value)
		} else {
			w.Fail(sc, path, "%q is not true or false", sc.Value)
		}
		return false, false
	}
	return v, true
}

// Sequence returns the items of the list n (not resolved). A null n is an empty list; any
// other node that is not a list is reported, and Sequence returns ok false.
func (w *Walker) Sequence(n *yaml.Node, path string) ([]*yaml.Node, bool) {
	n = Resolve(n)
	if IsNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		w.Fail(n, path, "expected a list, got %s", Describe(n))
		return nil, false
	}
	return n.Content, true
}

var linePrefix = regexp.MustCompile(`^(yaml: )?line \d+: `)

// StripLine removes the "line N: " (or "yaml: line N: ") that yaml.v3 and UnmarshalYAML
// methods put in front of messages; a Problem carries its line itself.
func StripLine(msg string) string { return linePrefix.ReplaceAllString(msg, "") }

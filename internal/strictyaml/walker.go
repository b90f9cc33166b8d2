package strictyaml

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Reporter receives the problems a Walker finds.
type Reporter interface {
	// Report records p. Unusable is the field path whose value p leaves unset or wrong
	// ("" when p leaves every value usable, as for a duplicate key), so that later checks
	// of that path can stay quiet instead of repeating p.
	Report(p Problem, unusable string)
}

// ReportFunc adapts a function to Reporter.
type ReportFunc func(p Problem, unusable string)

// Report calls f(p, unusable).
func (f ReportFunc) Report(p Problem, unusable string) { f(p, unusable) }

// DefaultBudget is the Budget a Walker uses when none is given: far more values than a
// real document holds, far fewer than an alias bomb expands to.
const DefaultBudget = 200_000

// MaxMergeDepth bounds chains of merge keys (<<), which aliases could make cyclic.
const MaxMergeDepth = 8

// Walker reads yaml.Node trees strictly, reporting every problem to Reporter and carrying
// on, so that one pass finds everything. Its methods take the node to read and the field
// path it sits at, and return the zero value with ok false after reporting when the node
// does not hold what was asked for. Aliases are followed and merge keys (<<) expanded;
// Budget bounds the work aliases can cause. A Walker is not safe for concurrent use.
type Walker struct {
	// File names the document in every problem.
	File string
	// Reporter receives every problem; it must not be nil.
	Reporter Reporter
	// Lines, when not nil, receives the line of each field path that Decode visits (for a
	// mapping key, the key's line), so later problems about a path can be located.
	Lines map[string]int
	// Budget is how many values the document may expand to through aliases (0 means
	// DefaultBudget). Decode spends one per value and Mapping one per merged key; past
	// it, one problem is reported and the rest of the document is skipped.
	Budget int
	// ExtensionKeys makes top-level keys starting with "x-" ignored rather than unknown,
	// so they can hold anchors for reuse as in Compose files.
	ExtensionKeys bool

	spent int
	known map[reflect.Type]knownKeys
}

// Entry is one key of a mapping with its value, as Mapping returns it.
type Entry struct {
	// Key is the key's text and KeyNode its node (for the key's line).
	Key     string
	KeyNode *yaml.Node
	// Value is the value's node, not yet resolved if it is an alias.
	Value *yaml.Node
}

// Fail reports a problem at n's line (0 when n is nil) that leaves the value at path
// unusable.
func (w *Walker) Fail(n *yaml.Node, path, format string, args ...any) {
	w.report(n, path, path, format, args...)
}

// report sends one problem to the Reporter.
func (w *Walker) report(n *yaml.Node, path, unusable, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	w.Reporter.Report(Problem{File: w.File, Line: line, Path: path, Message: fmt.Sprintf(format, args...)}, unusable)
}

// spend uses one unit of the budget at n and reports whether reading may go on. The first
// time the budget runs out it reports the problem.
func (w *Walker) spend(n *yaml.Node) bool {
	limit := w.Budget
	if limit <= 0 {
		limit = DefaultBudget
	}
	w.spent++
	if w.spent == limit+1 {
		w.report(n, "", "", "the document expands to more than %d values; check for aliases that repeat large blocks", limit)
	}
	return w.spent <= limit
}

// Mapping returns the entries of the mapping n in document order, with merge keys (<<)
// expanded: keys the mapping sets itself win over merged ones, and earlier merge sources
// win over later ones. When known is not nil, keys outside it are reported with a
// did-you-mean hint or the list of known keys, and left out. Duplicate keys and keys that
// are not plain scalars are reported and left out. A null n is an empty mapping; any
// other node that is not a mapping is reported, and Mapping returns ok false.
func (w *Walker) Mapping(n *yaml.Node, path string, known []string) (entries []Entry, ok bool) {
	n = Resolve(n)
	if IsNull(n) {
		return nil, true
	}
	if n.Kind != yaml.MappingNode {
		w.Fail(n, path, "expected a mapping of keys, got %s", Describe(n))
		return nil, false
	}
	w.collect(n, path, known, map[string]int{}, &entries, 0)
	return entries, true
}

// collect appends the entries of mapping n to out; seen holds the keys already taken
// (with their lines) and depth counts the merges that led to n.
func (w *Walker) collect(n *yaml.Node, path string, known []string, seen map[string]int, out *[]Entry, depth int) {
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), n.Content[i+1]
		if depth > 0 && !w.spend(k) {
			return
		}
		if k.Kind != yaml.ScalarNode {
			w.Fail(k, path, "mapping keys must be plain text, got %s", Describe(k))
			continue
		}
		if k.Tag == "!!merge" || (k.Value == "<<" && k.Style == 0) {
			merges = append(merges, v)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			if depth == 0 { // a merged key the mapping sets itself is an override, not a duplicate
				w.report(k, JoinPath(path, k.Value), "", "duplicate key (first set on line %d)", line)
			}
			continue
		}
		seen[k.Value] = k.Line
		if w.ExtensionKeys && path == "" && strings.HasPrefix(k.Value, "x-") {
			continue
		}
		if known != nil && !slices.Contains(known, k.Value) {
			w.unknownKey(k, path, known)
			continue
		}
		*out = append(*out, Entry{Key: k.Value, KeyNode: k, Value: v})
	}
	for _, m := range merges {
		if depth >= MaxMergeDepth {
			w.Fail(m, path, "merge (<<) nested too deeply")
			return
		}
		m = Resolve(m)
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			if s = Resolve(s); s.Kind != yaml.MappingNode {
				w.Fail(s, path, "merge (<<) needs a mapping, got %s", Describe(s))
				continue
			}
			w.collect(s, path, known, seen, out, depth+1)
		}
	}
}

// unknownKey reports a key outside known, with the closest known key or the list of known
// keys. The suggested key's path is reported unusable, so that a "missing key" problem
// about it does not repeat the hint.
func (w *Walker) unknownKey(k *yaml.Node, path string, known []string) {
	if s := Suggest(k.Value, known); s != "" {
		w.report(k, path, JoinPath(path, s), "unknown key %q (did you mean %q?)", k.Value, s)
		return
	}
	w.report(k, path, "", "unknown key %q (valid keys: %s)", k.Value, strings.Join(known, ", "))
}

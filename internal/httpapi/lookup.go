package httpapi

import (
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// member is one top-level member of a JSON object body: its name (without escapes) and
// the span of its value.
type member struct {
	name       string
	start, end int
}

// topIndex locates the top-level members of a valid JSON object body, recorded by the
// scan that validated it. A lookup then reads only the member its path starts with,
// instead of skipping over everything before it (typically the page's records).
type topIndex struct {
	text    string
	members []member
}

// get returns what gjson.Get(text, path) returns, except for Result.Index, when path is
// plain dotted keys; ok is false for paths with any other gjson syntax.
func (x *topIndex) get(path string) (gjson.Result, bool) {
	if strings.ContainsAny(path, pathSyntax) || slices.Contains(strings.Split(path, "."), "") {
		return gjson.Result{}, false // gjson syntax, or an empty key (gjson reads those its own way)
	}
	first, rest, nested := strings.Cut(path, ".")
	for _, m := range x.members {
		if m.name != first {
			continue
		}
		value := x.text[m.start:m.end]
		if !nested {
			return gjson.Parse(value), true
		}
		return gjson.Get(value, rest), true
	}
	return gjson.Result{}, true
}

// lookup returns the value at the gjson path in the response body, as gjson.GetBytes
// does (Result.Index aside). Paths of plain dotted keys use the index of top-level
// members the Client recorded while validating the body, when it did.
func (r *Response) lookup(path string) gjson.Result {
	if r.selected != nil && r.selected.top != nil {
		if res, ok := r.selected.top.get(path); ok {
			return res
		}
	}
	return gjson.GetBytes(r.Body, path)
}

package spec

import (
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// modelKeys collects the yaml keys of t and of every struct type reachable from it.
func modelKeys(t reflect.Type, seen map[reflect.Type]bool, keys map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for name, i := range yamlFields(t) {
		keys[name] = true
		modelKeys(t.Field(i).Type, seen, keys)
	}
}

// TestReferenceCoversModel keeps docs/spec-reference.md in sync with the model: every
// yaml key and every value of a closed set must appear in it as `code`.
func TestReferenceCoversModel(t *testing.T) {
	doc, err := os.ReadFile("../../docs/spec-reference.md")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	modelKeys(reflect.TypeFor[Spec](), map[reflect.Type]bool{}, keys)
	if len(keys) < 50 {
		t.Fatalf("found only %d model keys; the walk is broken", len(keys))
	}
	var words []string
	for k := range keys {
		words = append(words, k)
	}
	for _, set := range [][]string{authTypes, resetFormats, actions, waitUnits, modes, pageTypes, extraModes, rejectModes, methods, paramPlaces, typeNames(), fieldFormats, windowFormats} {
		words = append(words, set...)
	}
	sort.Strings(words)
	for _, w := range words {
		if !strings.Contains(string(doc), "`"+w+"`") {
			t.Errorf("docs/spec-reference.md does not mention `%s`", w)
		}
	}
}

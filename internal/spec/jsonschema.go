package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/sluice-dev/sluice/internal/schema"
)

// SchemaID is the $id of the spec JSON Schema.
const SchemaID = "https://sluice.dev/schemas/spec.json"

// JSONSchema returns a JSON Schema (draft 2020-12) for source spec files, generated from
// the Spec type: descriptions come from the model's doc comments, closed sets of values
// are enums, and unknown keys are rejected (additionalProperties: false). Editors use it
// through the YAML language server (`sluice schema spec`). It checks shape only; Parse
// also checks meaning (templates, parent links, required keys per type).
func JSONSchema() ([]byte, error) {
	return buildSchema(specDocs())
}

// buildSchema reflects the Spec type with the given doc-comment map.
func buildSchema(docs map[string]string) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:                  true,
		RequiredFromJSONSchemaTags: true, // required keys are listed in refine
		CommentMap:                 docs,
		Mapper:                     mapType,
	}
	s := r.Reflect(&Spec{})
	s.ID = SchemaID
	s.Title = "sluice source spec"
	s.Description = "One HTTP API described for sluice: base URL, auth, rate limits, error rules and streams. Reference: docs/spec-reference.md."
	if err := refine(s.Definitions); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode spec schema: %w", err)
	}
	return append(out, '\n'), nil
}

// mapType gives types whose YAML form differs from their Go kind their own schema. It
// returns a fresh schema each call: the reflector writes field descriptions into it.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case reflect.TypeFor[Duration]():
		return &jsonschema.Schema{
			Type:     "string",
			Pattern:  `^-?([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`,
			Examples: []any{"30s", "15m", "-1s"},
		}
	case reflect.TypeFor[schema.Type]():
		return &jsonschema.Schema{Type: "string", Enum: enum(typeNames())}
	}
	return nil
}

// constraint adds keywords to one property of one definition.
type constraint struct {
	def, prop string
	apply     func(*jsonschema.Schema)
}

// refine adds what the Go types cannot say: enums, patterns, ranges and required keys.
func refine(defs jsonschema.Definitions) error {
	oneOf := func(values []string) func(*jsonschema.Schema) {
		return func(s *jsonschema.Schema) { s.Enum = enum(values) }
	}
	pattern := func(p string) func(*jsonschema.Schema) {
		return func(s *jsonschema.Schema) { s.Pattern = p }
	}
	byDefault := func(v any) func(*jsonschema.Schema) {
		return func(s *jsonschema.Schema) { s.Default = v }
	}
	cs := []constraint{
		{"Stream", "mode", byDefault(ModeIncremental)},
		{"Stream", "additional_fields", byDefault("keep")},
		{"Request", "method", byDefault("GET")},
		{"Pagination", "type", byDefault(PageNone)},
		{"Pagination", "in", byDefault("query")},
		{"Window", "max_days", byDefault(1)},
		{"RateLimit", "burst", byDefault(1)},
		{"RateLimit", "usage_threshold", byDefault(DefaultUsageThreshold)},
		{"RateLimit", "max_wait", byDefault("15m")},
		{"DateRule", "timezone", byDefault("UTC")},
		{"Spec", "name", pattern(namePattern.String())},
		{"Spec", "base_url", pattern(`^https?://[^{}]+$`)},
		{"Spec", "streams", func(s *jsonschema.Schema) {
			s.PropertyNames = &jsonschema.Schema{Pattern: namePattern.String()}
			s.MinProperties = uint64Ptr(1)
		}},
		{"Auth", "type", oneOf(authTypes)},
		{"RateLimit", "reset_format", oneOf(resetFormats)},
		{"RateLimit", "requests_per_second", minimum(0)},
		{"RateLimit", "requests_per_minute", minimum(0)},
		{"RateLimit", "burst", minimum(0)},
		{"RateLimit", "usage_threshold", func(s *jsonschema.Schema) { minimum(0)(s); s.Maximum = json.Number("100") }},
		{"ErrorRule", "action", oneOf(actions)},
		{"ErrorRule", "wait_unit", oneOf(waitUnits)},
		{"ErrorRule", "status", func(s *jsonschema.Schema) {
			s.Items.Minimum, s.Items.Maximum = json.Number("100"), json.Number("599")
		}},
		{"Stream", "mode", oneOf(modes)},
		{"Stream", "additional_fields", oneOf(extraModes)},
		{"Stream", "on_reject", oneOf(rejectModes)},
		{"Request", "method", oneOf(methods)},
		{"Pagination", "type", oneOf(pageTypes)},
		{"Pagination", "in", oneOf(paramPlaces)},
		{"Pagination", "limit", minimum(0)},
		{"Pagination", "start", minimum(0)},
		{"Pagination", "max_pages", minimum(0)},
		{"Window", "max_days", minimum(1)},
		{"Window", "min_start", pattern(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)},
	}
	for _, c := range cs {
		d, ok := defs[c.def]
		if !ok {
			return fmt.Errorf("spec schema: no definition %s", c.def)
		}
		p, ok := d.Properties.Get(c.prop)
		if !ok {
			return fmt.Errorf("spec schema: %s has no property %s", c.def, c.prop)
		}
		c.apply(p)
	}
	required := map[string][]string{
		"Spec":      {"name", "base_url", "streams"},
		"Auth":      {"type"},
		"ErrorRule": {"action"},
		"Stream":    {"request"},
		"Request":   {"path"},
		"DateRule":  {"field"},
		"Parent":    {"stream"},
		"Field":     {"type"}, // name too, except in items (whose name is ignored)
	}
	for def, keys := range required {
		d, ok := defs[def]
		if !ok {
			return fmt.Errorf("spec schema: no definition %s", def)
		}
		d.Required = keys
	}
	return nil
}

func minimum(n int) func(*jsonschema.Schema) {
	return func(s *jsonschema.Schema) { s.Minimum = json.Number(fmt.Sprint(n)) }
}

func enum(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func uint64Ptr(n uint64) *uint64 { return &n }

// docTypes are the Go types whose doc comments become schema descriptions.
var docTypes = []reflect.Type{
	reflect.TypeFor[Spec](), reflect.TypeFor[Auth](), reflect.TypeFor[RateLimit](),
	reflect.TypeFor[ErrorRule](), reflect.TypeFor[Stream](), reflect.TypeFor[Request](),
	reflect.TypeFor[Window](), reflect.TypeFor[DateRule](), reflect.TypeFor[Pagination](),
	reflect.TypeFor[Parent](), reflect.TypeFor[Duration](), reflect.TypeFor[schema.Field](),
	reflect.TypeFor[schema.Type](),
}

// keepDoc reports whether a comment-map key belongs to one of docTypes, and normalizes
// the comment to one line.
func keepDoc(key, text string) (string, bool) {
	for _, t := range docTypes {
		base := t.PkgPath() + "." + t.Name()
		if key == base || strings.HasPrefix(key, base+".") {
			return strings.Join(strings.Fields(text), " "), true
		}
	}
	return "", false
}

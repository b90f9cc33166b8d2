package engine

import (
	"github.com/sluice-dev/sluice/internal/spec"
)

// templateVars lists the placeholder variables used anywhere in a stream's request.
func templateVars(st *spec.Stream) []string {
	var out []string
	addVars := func(s string) {
		if t, err := spec.ParseTemplate(s); err == nil {
			out = append(out, t.Vars()...)
		}
	}
	addVars(st.Request.Path)
	for _, v := range st.Request.Params {
		addVars(v)
	}
	for _, v := range st.Request.Headers {
		addVars(v)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			addVars(v)
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(st.Request.Body)
	return out
}

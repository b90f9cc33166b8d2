package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/tidwall/gjson"
)

// BuildRequest renders the first request of a chain for stream st of source sp:
//   - Method is the stream's method, upper-cased, GET by default.
//   - URL is baseURL joined with the rendered path. Placeholder values inside the path are
//     path-escaped, so an account id holding "/", "?" or ".." cannot change the path; a
//     placeholder that renders empty in the path is an error.
//   - Query holds the rendered params. A param whose template is exactly one placeholder
//     that renders empty (typically {{cursor}} on a first request) is left out.
//   - Header holds the spec's headers overridden by the stream's, rendered.
//   - Body is the stream's body rendered recursively as JSON (see RenderValue), with
//     Content-Type application/json unless a header sets it.
//
// Offset and page pagination parameters the templates do not set are added with their
// start value and the page size (see NewPaginator). Window placeholders use the stream
// window's format.
func BuildRequest(baseURL string, sp *spec.Spec, st *spec.Stream, v Vars) (*Request, error) {
	format := ""
	if st.Window != nil {
		format = st.Window.Format
	}
	method := strings.ToUpper(st.Request.Method)
	if method == "" {
		method = http.MethodGet
	}
	path, err := renderPath(st.Request.Path, v, format)
	if err != nil {
		return nil, err
	}
	req := &Request{Method: method, URL: joinBaseURL(baseURL, path), Query: url.Values{}, Header: http.Header{}}
	for _, name := range templateKeys(st.Request.Params) {
		t, err := spec.ParseTemplate(st.Request.Params[name])
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", name, err)
		}
		s, err := Render(t, v, format)
		if err != nil {
			return nil, fmt.Errorf("param %s: %w", name, err)
		}
		if s == "" && t.Single() {
			continue
		}
		req.Query.Set(name, s)
	}
	for _, headers := range []map[string]string{sp.Headers, st.Request.Headers} {
		for _, name := range templateKeys(headers) {
			s, err := renderString(headers[name], v, format)
			if err != nil {
				return nil, fmt.Errorf("header %s: %w", name, err)
			}
			req.Header.Set(name, s)
		}
	}
	if st.Request.Body != nil {
		body, err := renderBody(st.Request.Body, v, format, "body")
		if err != nil {
			return nil, err
		}
		if req.Body, err = encodeBody(body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	if err := addPagingStart(req, st.Pagination); err != nil {
		return nil, err
	}
	return req, nil
}

// renderPath renders a path template, escaping each placeholder's value as one segment.
func renderPath(path string, v Vars, format string) (string, error) {
	t, err := spec.ParseTemplate(path)
	if err != nil {
		return "", fmt.Errorf("path: %w", err)
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Var == "" {
			b.WriteString(p.Text)
			continue
		}
		val, err := v.value(p, format)
		if err != nil {
			return "", fmt.Errorf("path: %w", err)
		}
		s := valueText(val)
		switch s {
		case "":
			return "", fmt.Errorf("path: {{%s}} is empty", p.Var)
		case ".", "..":
			// PathEscape keeps dots, and a dot segment would climb the path.
			s = strings.ReplaceAll(s, ".", "%2E")
		default:
			s = url.PathEscape(s)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// joinBaseURL joins a base URL and a path with exactly one slash between them.
func joinBaseURL(base, path string) string {
	if path == "" {
		return base
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/")
}

func renderString(s string, v Vars, format string) (string, error) {
	t, err := spec.ParseTemplate(s)
	if err != nil {
		return "", err
	}
	return Render(t, v, format)
}

// renderBody renders every string of a YAML-decoded body as a template; at names the
// position for errors ("body.dateRanges[0].startDate").
func renderBody(node any, v Vars, format, at string) (any, error) {
	switch x := node.(type) {
	case string:
		t, err := spec.ParseTemplate(x)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		val, err := RenderValue(t, v, format)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		return val, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, err := renderBody(e, v, format, at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := renderBody(e, v, format, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case nil, bool, int, int64, uint64, float64:
		return x, nil
	}
	return nil, fmt.Errorf("%s: unsupported body value of type %T (use maps with string keys, lists and scalars)", at, node)
}

// encodeBody encodes v compactly, without escaping <, > and & (APIs' query languages
// use them).
func encodeBody(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func templateKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SelectRecords returns the raw JSON text of each record in body at the gjson path:
// "" or "@this" is the body itself; an array yields its elements, an object one record,
// a missing or null value none (X omits data when result_count is 0); a scalar, or a body
// that is not JSON, is an error.
func SelectRecords(body []byte, path string) ([]string, error) {
	return selectRecords(body, path, false)
}

// selectRecords is SelectRecords that skips the validity scan when the Doer did it;
// otherwise it validates and selects in one pass.
func selectRecords(body []byte, path string, valid bool) ([]string, error) {
	// One copy of the body; every record is a substring of it.
	text := string(body)
	if valid {
		if out, ok := splitRecords(text, path); ok {
			return out, nil
		}
	} else {
		switch out, how := splitValid(text, path); how {
		case splitInvalid:
			return nil, fmt.Errorf("select records: response body is not valid JSON")
		case splitDone:
			return out, nil
		}
	}
	var res gjson.Result
	if path == "" || path == "@this" {
		res = gjson.Parse(text)
	} else {
		res = gjson.Get(text, path)
	}
	switch {
	case !res.Exists() || res.Type == gjson.Null:
		return nil, nil
	case res.IsArray():
		out := []string{}
		res.ForEach(func(_, e gjson.Result) bool {
			out = append(out, e.Raw)
			return true
		})
		return out, nil
	case res.IsObject():
		return []string{res.Raw}, nil
	}
	kind := "a string"
	switch res.Type {
	case gjson.Number:
		kind = "a number"
	case gjson.True, gjson.False:
		kind = "a boolean"
	}
	return nil, fmt.Errorf("select records: %q holds %s, not an array or an object", path, kind)
}

package spec

import (
	"slices"
	"strings"
)

// scope is what a template may refer to at its position in a spec.
type scope struct {
	window bool     // {{window.*}}: the stream or one of its ancestors has a window
	parent string   // {{parent.*}}: the parent stream's name, "" when there is none
	fields []string // the parent record's top-level names; nil when not declared
	cursor bool     // {{cursor}}: the stream paginates
	where  string   // names the position for messages when nothing but account_id and vars.* may be used
}

// scope returns what templates of st may refer to.
func (v *validator) scope(st *Stream) scope {
	sc := scope{
		window: v.hasWindow(st),
		cursor: orDefault(st.Pagination.Type, PageNone) != PageNone,
	}
	if st.Parent != nil && st.Parent.Stream != "" {
		sc.parent = st.Parent.Stream
		if ps := v.s.Streams[sc.parent]; ps != nil && len(ps.Fields) > 0 {
			sc.fields = v.recordNames(ps)
		}
	}
	return sc
}

// hasWindow reports whether st or one of its ancestors has a window: a child request is
// made inside its parent's window.
func (v *validator) hasWindow(st *Stream) bool {
	seen := map[*Stream]bool{}
	for st != nil && !seen[st] {
		if st.Window != nil {
			return true
		}
		seen[st] = true
		if st.Parent == nil {
			return false
		}
		st = v.s.Streams[st.Parent.Stream]
	}
	return false
}

// template parses s and checks that every placeholder is available in sc and that window
// placeholders carry a valid format.
func (v *validator) template(p, s string, sc scope) {
	t, err := ParseTemplate(s)
	if err != nil {
		v.ps.add(p, "%s", err.Error())
		return
	}
	for _, part := range t.Parts {
		if part.Var == "" {
			continue
		}
		if msg := sc.check(part); msg != "" {
			v.ps.add(p, "%s", msg)
		}
	}
}

// check returns why the placeholder cannot be used in sc, or "".
func (sc scope) check(part TemplatePart) string {
	ph := "{{" + part.Var + "}}"
	isWindow := strings.HasPrefix(part.Var, "window.")
	isParent := strings.HasPrefix(part.Var, "parent.")
	if sc.where != "" && (isWindow || isParent || part.Var == "cursor") {
		return ph + " cannot be used in " + sc.where + " (only {{account_id}} and {{vars.<name>}})"
	}
	switch {
	case isWindow && !sc.window:
		return ph + " needs a window, and this stream has none (add window:, or remove the placeholder)"
	case isParent && sc.parent == "":
		return ph + " needs a parent stream (add parent:)"
	case isParent && sc.fields != nil:
		field := strings.TrimPrefix(part.Var, "parent.")
		root, _, _ := strings.Cut(field, ".")
		if !slices.Contains(sc.fields, root) {
			return ph + ": parent stream \"" + sc.parent + "\" declares no field \"" + field + "\"" + didYouMean(root, sc.fields)
		}
	case part.Var == "cursor" && !sc.cursor:
		return ph + " needs pagination (set pagination.type)"
	}
	switch {
	case part.Format == "":
	case !isWindow:
		return "{{" + part.Var + "|" + part.Format + "}}: formats apply only to window placeholders"
	case !windowLayout(part.Format):
		return ph + ": " + checkTimeFormat(part.Format, windowFormats)
	}
	return ""
}

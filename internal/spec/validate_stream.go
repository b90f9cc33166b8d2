package spec

import (
	"slices"
	"strings"
	"time"
)

// stream checks one stream and everything under it.
func (v *validator) stream(name string, st *Stream) {
	p := joinPath("streams", name)
	if !namePattern.MatchString(name) {
		v.ps.add(p, "stream name %q must start with a lowercase letter and hold only lowercase letters, digits, _ and - (it becomes a folder name)", name)
	} else if slices.Contains(reservedStreams, name) {
		v.ps.add(p, "stream name %q is reserved by the storage layout (%s)", name, orList(reservedStreams))
	}
	if st == nil {
		v.ps.add(p, "stream %q has no definition (it needs at least request.path)", name)
		return
	}
	mode := orDefault(st.Mode, ModeIncremental)
	if !slices.Contains(modes, mode) {
		v.ps.add(p+".mode", "%s", unknownValue("mode", st.Mode, modes))
	}
	extra := orDefault(st.AdditionalFields, "keep")
	if !slices.Contains(extraModes, extra) {
		v.ps.add(p+".additional_fields", "%s", unknownValue("additional_fields value", st.AdditionalFields, extraModes))
	}
	if r := orDefault(st.OnReject, RejectFail); !slices.Contains(rejectModes, r) {
		v.ps.add(p+".on_reject", "%s", unknownValue("on_reject value", st.OnReject, rejectModes))
	}
	v.parent(p, name, st)
	v.window(p, st, mode)
	v.date(p, st)
	v.request(p, st)
	v.pagination(p, st)
	v.fields(p+".fields", st.Fields)
	v.primaryKey(p, st)
}

func (v *validator) window(p string, st *Stream, mode string) {
	w := st.Window
	if w == nil {
		switch {
		case mode == ModeIncremental && st.Parent == nil && st.Date == nil:
			v.ps.add(p+".mode", "an incremental stream needs a date rule (date.field) to split its records into daily partitions; use mode: snapshot for records that represent no date")
		case mode == ModeIncremental && v.parentMode(st) == ModeSnapshot:
			v.ps.add(p+".mode", "an incremental child stream inherits its partition from its parent, but parent %q is a snapshot stream; give it a window or use mode: snapshot", st.Parent.Stream)
		}
		return
	}
	wp := p + ".window"
	if mode == ModeSnapshot {
		v.ps.add(wp, "a snapshot stream cannot have a window (snapshots capture everything each run); remove window or use mode: incremental")
	}
	if st.Date == nil {
		v.ps.add(wp, "a stream with a window needs a date rule (date.field) to split its records into daily partitions")
	}
	if w.MaxDays < 0 {
		v.ps.add(wp+".max_days", "max_days must be at least 1, got %d", w.MaxDays)
	}
	if w.Format != "" && !windowLayout(w.Format) {
		v.ps.add(wp+".format", "%s", checkTimeFormat(w.Format, windowFormats))
	}
	if w.MinStart != "" {
		if _, err := time.Parse(time.DateOnly, w.MinStart); err != nil {
			v.ps.add(wp+".min_start", "min_start %q is not a date (use YYYY-MM-DD)", w.MinStart)
		}
	}
}

func (v *validator) date(p string, st *Stream) {
	d := st.Date
	if d == nil {
		return
	}
	dp := p + ".date"
	if d.Field == "" {
		v.ps.add(dp+".field", "date needs field (the path of the value that says which day a record belongs to)")
	}
	if d.Format != "" {
		if msg := checkTimeFormat(d.Format, fieldFormats); msg != "" {
			v.ps.add(dp+".format", "%s", msg)
		}
	}
	if msg := checkTimezone(d.Timezone); msg != "" {
		v.ps.add(dp+".timezone", "%s", msg)
	}
}

func (v *validator) request(p string, st *Stream) {
	r := st.Request
	rp := p + ".request"
	method := orDefault(r.Method, "GET")
	if !slices.Contains(methods, method) {
		v.ps.add(rp+".method", "%s", unknownValue("method", r.Method, methods))
	}
	if r.Path == "" {
		v.ps.add(rp+".path", "request needs path (appended to base_url)")
	} else if strings.Contains(r.Path, "://") {
		v.ps.add(rp+".path", "request.path is appended to base_url; it cannot be a full URL")
	}
	if r.Body != nil && method != "POST" {
		v.ps.add(rp+".body", "a request body needs method: POST")
	}
	sc := v.scope(st)
	v.template(rp+".path", r.Path, sc)
	for _, k := range sortedKeys(r.Params) {
		v.template(joinPath(rp+".params", k), r.Params[k], sc)
	}
	for _, k := range sortedKeys(r.Headers) {
		v.template(joinPath(rp+".headers", k), r.Headers[k], sc)
	}
	v.body(rp+".body", r.Body, sc)
}

// body checks the templates inside a request body.
func (v *validator) body(p string, b any, sc scope) {
	switch x := b.(type) {
	case string:
		v.template(p, x, sc)
	case map[string]any:
		for _, k := range sortedKeys(x) {
			v.body(joinPath(p, k), x[k], sc)
		}
	case []any:
		for i, e := range x {
			v.body(indexPath(p, i), e, sc)
		}
	}
}

func (v *validator) primaryKey(p string, st *Stream) {
	if len(st.PrimaryKey) == 0 || len(st.Fields) == 0 {
		return
	}
	names := v.recordNames(st)
	for i, k := range st.PrimaryKey {
		if !slices.Contains(names, k) {
			v.ps.add(indexPath(p+".primary_key", i), "primary key %q is not a declared field%s", k, didYouMean(k, names))
		}
	}
}

// parentMode returns the mode of st's parent, or "" when it has none or it does not exist.
func (v *validator) parentMode(st *Stream) string {
	if st.Parent == nil {
		return ""
	}
	if ps := v.s.Streams[st.Parent.Stream]; ps != nil {
		return orDefault(ps.Mode, ModeIncremental)
	}
	return ""
}

func (v *validator) parent(p, name string, st *Stream) {
	par := st.Parent
	if par == nil {
		return
	}
	pp := p + ".parent"
	switch {
	case par.Stream == "":
		v.ps.add(pp+".stream", "parent needs stream (the name of the parent stream)")
		return
	case par.Stream == name:
		v.ps.add(pp+".stream", "stream %q cannot be its own parent", name)
		return
	}
	ps, ok := v.s.Streams[par.Stream]
	if !ok {
		v.ps.add(pp+".stream", "unknown parent stream %q%s", par.Stream, didYouMean(par.Stream, v.streamNames()))
		return
	}
	if chain := v.parentLoop(name); chain != nil {
		v.ps.add(pp+".stream", "parent streams form a loop: %s", strings.Join(chain, " → "))
		return
	}
	if ps == nil || len(ps.Fields) == 0 {
		return
	}
	names := v.recordNames(ps)
	for _, col := range sortedKeys(par.Fields) {
		src := par.Fields[col]
		if !plainKey(col) {
			v.ps.add(joinPath(pp+".fields", col), "column name %q must hold only letters, digits, _ and -", col)
		}
		root, _, _ := strings.Cut(src, ".")
		if !slices.Contains(names, root) {
			v.ps.add(joinPath(pp+".fields", col), "parent stream %q declares no field %q%s", par.Stream, src, didYouMean(root, names))
		}
	}
}

// parentLoop returns the chain of stream names from name back to itself when following
// parents loops, or nil.
func (v *validator) parentLoop(name string) []string {
	chain := []string{name}
	cur := v.s.Streams[name]
	for cur != nil && cur.Parent != nil {
		next := cur.Parent.Stream
		chain = append(chain, next)
		if next == name {
			return chain
		}
		if slices.Contains(chain[:len(chain)-1], next) {
			return nil // a loop that does not pass through name is reported on its own members
		}
		cur = v.s.Streams[next]
	}
	return nil
}

// recordNames lists the top-level names a record of st has: its declared fields and the
// columns copied from its own parent.
func (v *validator) recordNames(st *Stream) []string {
	names := fieldNames(st.Fields)
	if st.Parent != nil {
		names = append(names, sortedKeys(st.Parent.Fields)...)
	}
	return names
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

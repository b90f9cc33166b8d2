package spec

import (
	"reflect"
	"slices"
)

// paginationKeys says which pagination types each optional key applies to; keys not
// listed (in, has_more_path, stop_path, carry, max_pages) apply to every type but none.
var paginationKeys = []struct {
	key   string
	types []string
	set   func(p Pagination) bool
}{
	{"cursor_path", []string{PageCursor}, func(p Pagination) bool { return p.CursorPath != "" }},
	{"param", []string{PageCursor, PageOffset, PagePage}, func(p Pagination) bool { return p.Param != "" }},
	{"url_path", []string{PageNext}, func(p Pagination) bool { return p.URLPath != "" }},
	{"rel", []string{PageLink}, func(p Pagination) bool { return p.Rel != "" }},
	{"limit_param", []string{PageOffset, PagePage}, func(p Pagination) bool { return p.LimitParam != "" }},
	{"limit", []string{PageOffset, PagePage}, func(p Pagination) bool { return p.Limit != 0 }},
	{"start", []string{PageOffset, PagePage}, func(p Pagination) bool { return p.Start != nil }},
	{"total_path", []string{PageOffset, PagePage}, func(p Pagination) bool { return p.TotalPath != "" }},
}

func (v *validator) pagination(p string, st *Stream) {
	pg := st.Pagination
	pp := p + ".pagination"
	typ := orDefault(pg.Type, PageNone)
	if !slices.Contains(pageTypes, typ) {
		v.ps.add(pp+".type", "%s", unknownValue("pagination type", pg.Type, pageTypes))
		return
	}
	if typ == PageNone {
		if !onlyType(pg) {
			v.ps.add(pp+".type", "pagination keys are set but pagination.type is missing or none (use %s)", orList(pageTypes[1:]))
		}
		return
	}
	for _, k := range paginationKeys {
		if k.set(pg) && !slices.Contains(k.types, typ) {
			v.ps.add(pp+"."+k.key, "%s applies to %s pagination, not %s", k.key, orList(k.types), typ)
		}
	}
	need := func(key, value, what string) {
		if value == "" {
			v.ps.add(pp+"."+key, "%s pagination needs %s (%s)", typ, key, what)
		}
	}
	switch typ {
	case PageCursor:
		need("cursor_path", pg.CursorPath, `where the next token is in the response, e.g. "meta.next_token"`)
		need("param", pg.Param, "the request parameter that carries the token")
	case PageNext:
		need("url_path", pg.URLPath, `where the next page's URL is in the response, e.g. "paging.next"`)
	case PageOffset:
		need("param", pg.Param, "the request parameter that carries the offset")
		need("limit_param", pg.LimitParam, "the page-size parameter")
		if pg.Limit <= 0 {
			v.ps.add(pp+".limit", "offset pagination needs limit (the page size, at least 1)")
		}
	case PagePage:
		need("param", pg.Param, "the request parameter that carries the page number")
		if pg.LimitParam != "" && pg.Limit <= 0 {
			v.ps.add(pp+".limit", "limit_param is set, so limit (the page size, at least 1) is needed")
		}
	}
	if pg.Limit < 0 {
		v.ps.add(pp+".limit", "limit must not be negative")
	}
	if pg.Start != nil && *pg.Start < 0 {
		v.ps.add(pp+".start", "start must not be negative")
	}
	if pg.MaxPages < 0 {
		v.ps.add(pp+".max_pages", "max_pages must not be negative (0 means no limit)")
	}
	in := orDefault(pg.In, "query")
	switch {
	case !slices.Contains(paramPlaces, in):
		v.ps.add(pp+".in", "%s", unknownValue(`"in" value`, pg.In, paramPlaces))
	case in == "body" && orDefault(st.Request.Method, "GET") != "POST":
		v.ps.add(pp+".in", "in: body needs request.method: POST")
	}
	for _, k := range sortedKeys(pg.Carry) {
		if pg.Carry[k] == "" {
			v.ps.add(joinPath(pp+".carry", k), "carry %q needs the response path to copy from", k)
		}
	}
}

// onlyType reports whether p sets nothing but its type.
func onlyType(p Pagination) bool {
	p.Type = ""
	return reflect.ValueOf(p).IsZero()
}

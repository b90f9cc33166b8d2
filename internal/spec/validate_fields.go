package spec

import (
	"fmt"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/internal/schema"
)

// Named time formats. Anything else must be a Go reference layout.
var (
	fieldFormats  = []string{"rfc3339", "unix", "unix_ms", "unix_float", "date", "yyyymmdd"}
	windowFormats = []string{"unix", "unix_ms", "rfc3339", "date", "yyyymmdd"}
)

// fields checks declared fields (recursively for objects and list items).
func (v *validator) fields(p string, fs []schema.Field) {
	seen := map[string]int{}
	for i, f := range fs {
		fp := indexPath(p, i)
		if f.Name == "" {
			v.ps.add(fp+".name", "field needs a name (the column name)")
		} else if first, dup := seen[f.Name]; dup {
			v.ps.add(fp+".name", "duplicate field name %q (also %s)", f.Name, indexPath(p, first))
		} else {
			seen[f.Name] = i
		}
		v.field(fp, f)
	}
}

// field checks one field's type, children, items and format.
func (v *validator) field(p string, f schema.Field) {
	types := typeNames()
	switch {
	case f.Type == "":
		v.ps.add(p+".type", "field %q needs a type (%s)", f.Name, orList(types))
		return
	case !slices.Contains(schema.Types, f.Type):
		v.ps.add(p+".type", "%s", unknownValue("field type", string(f.Type), types))
		return
	}
	switch {
	case f.Type == schema.Object && len(f.Fields) == 0:
		v.ps.add(p+".fields", "object field %q needs fields (its children); use type json to keep any object as is", f.Name)
	case f.Type != schema.Object && len(f.Fields) > 0:
		v.ps.add(p+".fields", "fields apply to object fields, and %q is %s", f.Name, f.Type)
	}
	v.fields(p+".fields", f.Fields)
	switch {
	case f.Type == schema.List && f.Items == nil:
		v.ps.add(p+".items", "list field %q needs items (the element type, e.g. items: {type: string})", f.Name)
	case f.Type != schema.List && f.Items != nil:
		v.ps.add(p+".items", "items apply to list fields, and %q is %s", f.Name, f.Type)
	case f.Items != nil:
		v.field(p+".items", *f.Items)
	}
	if f.Format != "" {
		if f.Type != schema.Timestamp && f.Type != schema.Date {
			v.ps.add(p+".format", "format applies to timestamp and date fields, and %q is %s", f.Name, f.Type)
		} else if msg := checkTimeFormat(f.Format, fieldFormats); msg != "" {
			v.ps.add(p+".format", "%s", msg)
		}
	}
}

func typeNames() []string {
	out := make([]string, len(schema.Types))
	for i, t := range schema.Types {
		out[i] = string(t)
	}
	return out
}

// fieldNames lists the names of fs.
func fieldNames(fs []schema.Field) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

// checkTimeFormat returns why f is neither one of the named formats nor a Go reference
// layout that carries at least a year, or "".
func checkTimeFormat(f string, named []string) string {
	if slices.Contains(named, f) || goLayout(f) {
		return ""
	}
	hint := didYouMean(f, named)
	if hint == "" {
		hint = fmt.Sprintf(" (use %s, or a Go reference layout with a year such as \"2006-01-02 15:04:05\")", orList(named))
	}
	return fmt.Sprintf("unknown time format %q%s", f, hint)
}

// goLayout reports whether f is a Go reference layout that reads back a year: it must
// hold layout elements, not just literal text, and a value without a year ("Jan 2",
// "15:04") cannot be placed on a day. Month layouts ("2006-01") name the month's first day.
func goLayout(f string) bool {
	probe := time.Date(2001, time.February, 3, 16, 5, 6, 0, time.UTC)
	text := probe.Format(f)
	if text == f {
		return false
	}
	back, err := time.Parse(f, text)
	return err == nil && back.Year() == 2001
}

// windowLayout reports whether f can render a window bound: a named window format or a Go
// reference layout with at least one element (a month, "2006-01", is enough to send).
func windowLayout(f string) bool {
	if slices.Contains(windowFormats, f) {
		return true
	}
	probe := time.Date(2001, time.February, 3, 16, 5, 6, 0, time.UTC)
	return probe.Format(f) != f
}

// checkTimezone returns why tz is not a loadable IANA zone, or "". The local zone is
// refused: sluice never depends on the machine's time zone.
func checkTimezone(tz string) string {
	if tz == "" || tz == "UTC" {
		return ""
	}
	if tz == "Local" {
		return `timezone "Local" depends on the machine; name an IANA zone such as America/Los_Angeles`
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Sprintf("unknown timezone %q (use an IANA name such as America/Los_Angeles or UTC)", tz)
	}
	return ""
}

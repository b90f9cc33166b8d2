package httpapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/spec"
)

// Window is the date range one request chain covers: whole UTC days, Start inclusive, End
// exclusive (a one-day window of 2024-01-15 is Start 2024-01-15T00:00Z, End 2024-01-16T00:00Z).
type Window struct {
	Start time.Time
	End   time.Time
}

// Last returns 00:00 UTC of the window's last day (End minus one day), the value of
// {{window.last}} for APIs whose end date is inclusive.
func (w Window) Last() time.Time { return w.End.UTC().AddDate(0, 0, -1) }

// Vars are the values request templates are rendered with.
type Vars struct {
	// AccountID is {{account_id}}.
	AccountID string
	// Window gives {{window.start}}, {{window.end}} and {{window.last}}; nil when the stream
	// has no date filter.
	Window *Window
	// Parent holds the parent record's field values as text ({{parent.<field>}}); nil for a
	// stream without a parent.
	Parent map[string]string
	// Params are the account's vars from the workflow config ({{vars.<name>}}).
	Params map[string]string
	// Cursor is {{cursor}}: a resume position; empty renders as empty text.
	Cursor string
	// Now, when not zero, caps {{window.end}}: it never renders later than Now, because some
	// APIs (X) reject an end time in the future. Callers pass the current time minus any
	// margin the API demands. Zero means no cap.
	Now time.Time
}

// Time format names a template or Window.Format may use. Any other format must be a Go
// reference layout ("2006-01-02 15:04").
const (
	FormatUnix     = "unix"     // epoch seconds, a JSON number in bodies
	FormatUnixMS   = "unix_ms"  // epoch milliseconds, a JSON number in bodies
	FormatRFC3339  = "rfc3339"  // 2006-01-02T15:04:05Z
	FormatDate     = "date"     // 2006-01-02
	FormatYYYYMMDD = "yyyymmdd" // 20060102
)

// Render renders t as text. Placeholders of window variables use their own format, else
// defaultFormat, else rfc3339; every time is written in UTC. A variable without a value
// (parent.id with no parent record, vars.x not set, window.* without a window, an empty
// account_id) is an error naming the variable.
func Render(t spec.Template, v Vars, defaultFormat string) (string, error) {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Var == "" {
			b.WriteString(p.Text)
			continue
		}
		val, err := v.value(p, defaultFormat)
		if err != nil {
			return "", err
		}
		b.WriteString(valueText(val))
	}
	return b.String(), nil
}

// RenderValue renders t for a JSON body. A template that is exactly one placeholder keeps
// the value's type: unix and unix_ms times are int64 (JSON numbers); every other value,
// and any template mixing text and placeholders, is a string.
func RenderValue(t spec.Template, v Vars, defaultFormat string) (any, error) {
	if t.Single() {
		return v.value(t.Parts[0], defaultFormat)
	}
	return Render(t, v, defaultFormat)
}

// value returns the typed value of one placeholder: a string or an int64.
func (v Vars) value(p spec.TemplatePart, defaultFormat string) (any, error) {
	name := p.Var
	switch {
	case name == "account_id":
		if v.AccountID == "" {
			return nil, fmt.Errorf("missing variable {{account_id}}: no account id")
		}
		return v.noFormat(p, v.AccountID)
	case name == "cursor":
		return v.noFormat(p, v.Cursor)
	case strings.HasPrefix(name, "window."):
		return v.windowValue(p, defaultFormat)
	case strings.HasPrefix(name, "parent."):
		field := strings.TrimPrefix(name, "parent.")
		if v.Parent == nil {
			return nil, fmt.Errorf("missing variable {{%s}}: no parent record", name)
		}
		s, ok := v.Parent[field]
		if !ok {
			return nil, fmt.Errorf("missing variable {{%s}}: the parent record has no field %q", name, field)
		}
		return v.noFormat(p, s)
	case strings.HasPrefix(name, "vars."):
		key := strings.TrimPrefix(name, "vars.")
		s, ok := v.Params[key]
		if !ok {
			return nil, fmt.Errorf("missing variable {{%s}}: the account sets no var %q", name, key)
		}
		return v.noFormat(p, s)
	}
	return nil, fmt.Errorf("unknown variable {{%s}}", name)
}

// noFormat returns s, refusing a format on a variable that is not a time.
func (Vars) noFormat(p spec.TemplatePart, s string) (any, error) {
	if p.Format != "" {
		return nil, fmt.Errorf("{{%s|%s}}: formats apply only to window variables", p.Var, p.Format)
	}
	return s, nil
}

func (v Vars) windowValue(p spec.TemplatePart, defaultFormat string) (any, error) {
	if v.Window == nil {
		return nil, fmt.Errorf("missing variable {{%s}}: the stream has no date window", p.Var)
	}
	var t time.Time
	switch p.Var {
	case "window.start":
		t = v.Window.Start
	case "window.end":
		t = v.Window.End
		if !v.Now.IsZero() && t.After(v.Now) {
			t = v.Now
		}
	case "window.last":
		t = v.Window.Last()
	default:
		return nil, fmt.Errorf("unknown variable {{%s}}", p.Var)
	}
	format := p.Format
	if format == "" {
		format = defaultFormat
	}
	val, err := FormatTime(t, format)
	if err != nil {
		return nil, fmt.Errorf("{{%s}}: %w", p.Var, err)
	}
	return val, nil
}

// FormatTime writes t in UTC in the named format (see FormatUnix and friends; "" means
// rfc3339) or a Go reference layout. It returns an int64 for unix and unix_ms and a string
// otherwise; a format that is neither a known name nor a layout is an error.
func FormatTime(t time.Time, format string) (any, error) {
	t = t.UTC()
	switch format {
	case FormatUnix:
		return t.Unix(), nil
	case FormatUnixMS:
		return t.UnixMilli(), nil
	case FormatRFC3339, "":
		return t.Format("2006-01-02T15:04:05Z"), nil
	case FormatDate:
		return t.Format(time.DateOnly), nil
	case FormatYYYYMMDD:
		return t.Format("20060102"), nil
	}
	// A layout without any reference element renders as itself whatever the time: a typo
	// ("unixms"), not a layout. This probe differs from the reference time in every field.
	probe := time.Date(1999, 12, 31, 23, 58, 59, 0, time.UTC)
	if probe.Format(format) == format {
		return nil, fmt.Errorf("unknown time format %q (use unix, unix_ms, rfc3339, date, yyyymmdd or a Go layout such as 2006-01-02)", format)
	}
	return t.Format(format), nil
}

// valueText writes a rendered value as text.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

package record

import (
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// The time formats a field (schema.Field.Format) or a date rule may name. Any other
// non-empty string is a Go reference layout (see ParseTime).
const (
	// FormatDetect recognises every format below from the value itself (see ParseTime).
	FormatDetect = ""
	// FormatRFC3339 is an ISO 8601 / RFC 3339 date and time: 2021-02-23T18:07:07.000Z,
	// 2021-07-04T19:50:58+0000, 2024-01-15 10:30:00 (no zone: UTC).
	FormatRFC3339 = "rfc3339"
	// FormatUnix is seconds since the Unix epoch; a fraction is allowed.
	FormatUnix = "unix"
	// FormatUnixMS is milliseconds since the Unix epoch; a fraction is allowed.
	FormatUnixMS = "unix_ms"
	// FormatUnixFloat is seconds since the Unix epoch written as a float (Reddit's
	// 1780620715.0). It accepts exactly what FormatUnix accepts.
	FormatUnixFloat = "unix_float"
	// FormatDate is a calendar date YYYY-MM-DD.
	FormatDate = "date"
	// FormatYYYYMMDD is a calendar date written as eight digits (GA4's 20220731).
	FormatYYYYMMDD = "yyyymmdd"
)

// millisThreshold separates epoch seconds from epoch milliseconds when the unit is
// detected: a magnitude of 1e11 or more is milliseconds. 1e11 seconds lies in the year
// 5138 and 1e11 milliseconds in March 1973, so no realistic value is ambiguous.
const millisThreshold = 1e11

// TimeError reports a value that is not a time in the expected format.
type TimeError struct {
	// Input is the value as received (a JSON number's digits, or the string's text).
	Input string
	// Reason says what is wrong and what was expected.
	Reason string
}

// Error returns `"<input>": <reason>`.
func (e *TimeError) Error() string { return fmt.Sprintf("%q: %s", e.Input, e.Reason) }

// parsedTime is a parsed value and whether it was a calendar date without a time.
type parsedTime struct {
	t        time.Time
	dateOnly bool
	zoned    bool // the text carried an explicit zone (Z or an offset)
}

// ParseTime parses s as a time in the given format and returns it in UTC.
//
// format is one of the Format constants or a Go reference layout. A layout without a
// zone element is read as UTC, never as the local zone. Detection (format "") accepts:
//   - ISO 8601 / RFC 3339 dates and times: 2019-03-21T20:37:49Z, 2021-02-23T18:07:07.000Z,
//     offsets with or without a colon (+05:30, -0700, +0000), a space instead of T, a
//     trailing " UTC"; without a zone the time is UTC;
//   - dates: 2024-01-15, 2024-01 (the first of the month), and any 8-digit string, which
//     is read as YYYYMMDD (20220731);
//   - other numeric strings as Unix epoch values: seconds, or milliseconds when the
//     magnitude is 1e11 or more; a fraction is allowed (1780620715.0);
//   - RFC 1123 (HTTP dates), Ruby and Unix date(1) styles (Wed Oct 10 20:19:24 +0000 2018).
//
// Zone abbreviations other than UTC and GMT (PST, CET) are rejected as ambiguous, in
// layouts too. Years must lie within 0000-9999 in UTC. Errors are *TimeError values.
func ParseTime(s, format string) (time.Time, error) {
	p, err := parseTimeString(s, format)
	return p.t, err
}

// ParseTimeJSON is ParseTime for a JSON value. A JSON string is parsed as ParseTime
// does. A JSON number is always an epoch value (never YYYYMMDD unless format is
// "yyyymmdd"): seconds, or milliseconds when its magnitude is 1e11 or more, unless the
// format names the unit; its exact digits are used, never a float64 rounding.
// Any other JSON value is an error.
func ParseTimeJSON(r gjson.Result, format string) (time.Time, error) {
	p, err := parseTimeJSON(r, format)
	return p.t, err
}

// IsDateOnly reports whether a value s written in format is a calendar date without a
// time of day: formats "date" and "yyyymmdd" always; a Go layout without hour, minute
// or second elements; and, when detecting, the date shapes YYYY-MM-DD, YYYY-MM and
// eight digits. Such values name a day, not an instant, and should be kept as dates.
// It does not validate s; JSON numbers are never date-only unless format says so.
func IsDateOnly(format, s string) bool {
	switch format {
	case FormatDate, FormatYYYYMMDD:
		return true
	case FormatRFC3339, FormatUnix, FormatUnixMS, FormatUnixFloat:
		return false
	case FormatDetect:
		s = strings.TrimSpace(s)
		return isISODateShape(s) || (len(s) == 8 && allDigits(s))
	}
	return layoutIsDateOnly(format)
}

// ValidateTimeFormat returns an error when format is neither a known format name nor a
// Go reference layout (a layout must contain at least one layout element).
func ValidateTimeFormat(format string) error {
	switch format {
	case FormatDetect, FormatRFC3339, FormatUnix, FormatUnixMS, FormatUnixFloat, FormatDate, FormatYYYYMMDD:
		return nil
	}
	ref := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if ref.Format(format) == format || looksLikeName(format) {
		return fmt.Errorf("unknown time format %q (use rfc3339, unix, unix_ms, unix_float, date, yyyymmdd, or a Go layout such as 2006-01-02 15:04:05)", format)
	}
	return nil
}

// looksLikeName reports whether format is a lower-case word such as "rfc339" or
// "unixms": a misspelt format name rather than a layout, since every Go layout with
// letters has upper-case ones (Jan, Mon, MST, PM) or separators.
func looksLikeName(format string) bool {
	letters := false
	for i := 0; i < len(format); i++ {
		switch c := format[i]; {
		case c >= 'a' && c <= 'z':
			letters = true
		case c >= '0' && c <= '9', c == '_':
		default:
			return false
		}
	}
	return letters
}

// layoutIsDateOnly reports whether a Go layout has no clock element. Every clock
// element (15, 3, 03, 4, 04, 5, 05, PM, pm, .000) contains a 3, 4, 5 or a PM marker,
// and no date element does.
func layoutIsDateOnly(layout string) bool {
	return !strings.ContainsAny(layout, "345") && !strings.Contains(layout, "PM") && !strings.Contains(layout, "pm")
}

func parseTimeJSON(r gjson.Result, format string) (parsedTime, error) {
	switch r.Type {
	case gjson.String:
		return parseTimeString(r.Str, format)
	case gjson.Number:
		var p parsedTime
		var reason string
		switch format {
		case FormatDetect:
			p, reason = parseEpoch(r.Raw, unitDetect)
		case FormatUnix, FormatUnixFloat:
			p, reason = parseEpoch(r.Raw, unitSeconds)
		case FormatUnixMS:
			p, reason = parseEpoch(r.Raw, unitMillis)
		case FormatYYYYMMDD:
			p, reason = parseYYYYMMDD(r.Raw)
		case FormatRFC3339:
			reason = "is a number (expected an RFC 3339 string)"
		case FormatDate:
			reason = "is a number (expected a YYYY-MM-DD string)"
		default:
			return parseLayout(r.Raw, format)
		}
		if reason != "" {
			return parsedTime{}, &TimeError{Input: r.Raw, Reason: reason}
		}
		return p, nil
	}
	raw := r.Raw
	if !r.Exists() {
		raw = "missing"
	}
	return parsedTime{}, &TimeError{Input: raw, Reason: "expected a time as a JSON string or number"}
}

func parseTimeString(s, format string) (parsedTime, error) {
	in := s
	s = strings.TrimSpace(s)
	var p parsedTime
	var reason string
	switch format {
	case FormatDetect:
		p, reason = detect(s)
	case FormatRFC3339:
		p, reason = parseISO(s)
		if reason == "" && p.dateOnly {
			reason = reasonNotRFC3339
		}
	case FormatDate:
		p, reason = parseISO(s)
		if reason == reasonUnrecognized || (reason == "" && (!p.dateOnly || len(s) != 10)) {
			reason = "not a date (expected YYYY-MM-DD)"
		}
	case FormatYYYYMMDD:
		p, reason = parseYYYYMMDD(s)
	case FormatUnix, FormatUnixFloat:
		p, reason = parseEpoch(s, unitSeconds)
	case FormatUnixMS:
		p, reason = parseEpoch(s, unitMillis)
	default:
		return parseLayout(in, format)
	}
	if reason == reasonUnrecognized && format == FormatRFC3339 {
		reason = reasonNotRFC3339
	}
	if reason != "" {
		return parsedTime{}, &TimeError{Input: in, Reason: reason}
	}
	return p, nil
}

// detect recognises the format of s (already trimmed).
func detect(s string) (parsedTime, string) {
	if s == "" {
		return parsedTime{}, "empty (expected a time)"
	}
	if isNumberShape(s) {
		if len(s) == 8 && allDigits(s) {
			return parseYYYYMMDD(s)
		}
		return parseEpoch(s, unitDetect)
	}
	p, reason := parseISO(s)
	if reason != reasonUnrecognized {
		return p, reason
	}
	for _, layout := range fallbackLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			if reason := checkZoneName(t); reason != "" {
				return parsedTime{}, reason
			}
			return checkYear(parsedTime{t: t.UTC(), zoned: true})
		}
	}
	return parsedTime{}, reasonUnrecognized
}

// fallbackLayouts are the non-ISO layouts detection tries, all with an explicit zone.
var fallbackLayouts = [...]string{time.RFC1123Z, time.RFC1123, time.RubyDate, time.UnixDate}

func parseLayout(s, layout string) (parsedTime, error) {
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		reason := fmt.Sprintf("does not match layout %q", layout)
		if pe, ok := err.(*time.ParseError); ok {
			if pe.Message != "" {
				reason += " (" + strings.TrimPrefix(pe.Message, ": ") + ")"
			} else {
				reason += fmt.Sprintf(" (cannot parse %q as %q)", pe.ValueElem, pe.LayoutElem)
			}
		}
		return parsedTime{}, &TimeError{Input: s, Reason: reason}
	}
	reason := checkZoneName(t)
	p := parsedTime{}
	if reason == "" {
		p, reason = checkYear(parsedTime{t: t.UTC(), dateOnly: layoutIsDateOnly(layout)})
	}
	if reason != "" {
		return parsedTime{}, &TimeError{Input: s, Reason: reason}
	}
	return p, nil
}

// checkZoneName rejects a zone abbreviation other than UTC or GMT. Go resolves
// abbreviations against a location, so "PST" would silently mean UTC here (and the
// local zone's offset elsewhere); only numeric offsets are unambiguous.
func checkZoneName(t time.Time) string {
	switch name, _ := t.Zone(); name {
	case "", "UTC", "GMT":
		return ""
	default:
		return fmt.Sprintf("zone abbreviation %q is ambiguous (expected a numeric offset such as -0800, or UTC)", name)
	}
}

// checkYear rejects instants whose UTC year is outside 0000-9999, so every parsed time
// can be written back as RFC 3339.
func checkYear(p parsedTime) (parsedTime, string) {
	if y := p.t.Year(); y < 0 || y > 9999 {
		return parsedTime{}, "out of range (expected years 0000-9999 in UTC)"
	}
	return p, ""
}

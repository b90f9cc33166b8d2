package record

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const (
	reasonUnrecognized = "not a recognized time (expected RFC 3339 such as 2024-01-15T10:30:00Z, " +
		"a date such as 2024-01-15 or 20240115, or unix seconds or milliseconds)"
	reasonNotRFC3339 = "not an RFC 3339 timestamp (expected a date and time such as 2024-01-15T10:30:00Z)"
	reasonMonth      = "month out of range (expected 01-12)"
)

type epochUnit uint8

const (
	unitDetect epochUnit = iota
	unitSeconds
	unitMillis
)

// parseISO parses the ISO 8601 family:
//
//	YYYY-MM | YYYY-MM-DD [ (T|t|space) hh:mm[:ss[(.|,)fraction]] [ [space] zone ] ]
//
// where zone is Z, z, UTC, ±hh, ±hhmm or ±hh:mm. Without a zone the time is UTC. It
// returns reasonUnrecognized when s does not have this shape, and a specific reason when
// it has the shape but a component is out of range.
func parseISO(s string) (parsedTime, string) {
	year, ok := digits(s, 0, 4)
	if !ok || len(s) < 7 || s[4] != '-' {
		return parsedTime{}, reasonUnrecognized
	}
	month, ok := digits(s, 5, 2)
	if !ok {
		return parsedTime{}, reasonUnrecognized
	}
	if len(s) == 7 {
		if month < 1 || month > 12 {
			return parsedTime{}, reasonMonth
		}
		return checkYear(parsedTime{t: time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC), dateOnly: true})
	}
	if len(s) < 10 || s[7] != '-' {
		return parsedTime{}, reasonUnrecognized
	}
	day, ok := digits(s, 8, 2)
	if !ok {
		return parsedTime{}, reasonUnrecognized
	}
	if len(s) > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' ' {
		return parsedTime{}, reasonUnrecognized
	}
	if month < 1 || month > 12 {
		return parsedTime{}, reasonMonth
	}
	if n := daysIn(year, month); day < 1 || day > n {
		return parsedTime{}, fmt.Sprintf("day out of range (expected 01-%02d for %04d-%02d)", n, year, month)
	}
	if len(s) == 10 {
		return parsedTime{t: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), dateOnly: true}, ""
	}
	hour, ok1 := digits(s, 11, 2)
	minute, ok2 := digits(s, 14, 2)
	if !ok1 || !ok2 || s[13] != ':' {
		return parsedTime{}, reasonUnrecognized
	}
	i, sec, nsec := 16, 0, 0
	if i < len(s) && s[i] == ':' {
		if sec, ok = digits(s, i+1, 2); !ok {
			return parsedTime{}, reasonUnrecognized
		}
		if i, nsec, ok = fraction(s, i+3); !ok {
			return parsedTime{}, reasonUnrecognized
		}
	}
	switch {
	case hour > 23:
		return parsedTime{}, "hour out of range (expected 00-23)"
	case minute > 59:
		return parsedTime{}, "minute out of range (expected 00-59)"
	case sec > 59:
		return parsedTime{}, "second out of range (expected 00-59)"
	}
	offset, zoned, reason := parseZone(s[i:])
	if reason != "" {
		return parsedTime{}, reason
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return checkYear(parsedTime{t: t.Add(-time.Duration(offset) * time.Second), zoned: zoned})
}

// parseZone parses the zone suffix of an ISO time and returns its offset east of UTC in
// seconds.
func parseZone(z string) (offset int, zoned bool, reason string) {
	if z == "" {
		return 0, false, ""
	}
	if z[0] == ' ' {
		z = z[1:]
	}
	switch z {
	case "Z", "z", "UTC":
		return 0, true, ""
	case "":
		return 0, false, reasonUnrecognized
	}
	sign := 1
	switch z[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, false, reasonUnrecognized
	}
	hh, ok := digits(z, 1, 2)
	if !ok {
		return 0, false, reasonUnrecognized
	}
	mm := 0
	switch rest := z[3:]; {
	case rest == "":
	case len(rest) == 3 && rest[0] == ':':
		mm, ok = digits(rest, 1, 2)
	case len(rest) == 2:
		mm, ok = digits(rest, 0, 2)
	default:
		ok = false
	}
	if !ok {
		return 0, false, reasonUnrecognized
	}
	if hh > 23 || mm > 59 {
		return 0, false, "zone offset out of range (expected -23:59 to +23:59)"
	}
	return sign * (hh*3600 + mm*60), true, ""
}

// parseYYYYMMDD parses eight digits as a calendar date.
func parseYYYYMMDD(s string) (parsedTime, string) {
	if len(s) != 8 || !allDigits(s) {
		return parsedTime{}, "not a date (expected YYYYMMDD)"
	}
	year, _ := digits(s, 0, 4)
	month, _ := digits(s, 4, 2)
	day, _ := digits(s, 6, 2)
	if month < 1 || month > 12 {
		return parsedTime{}, reasonMonth
	}
	if n := daysIn(year, month); day < 1 || day > n {
		return parsedTime{}, fmt.Sprintf("day out of range (expected 01-%02d for %04d-%02d)", n, year, month)
	}
	return parsedTime{t: time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), dateOnly: true}, ""
}

// parseEpoch parses a decimal number of seconds or milliseconds since the Unix epoch.
// Plain decimals are read digit by digit so that no precision is lost to float64;
// exponent forms (1.7e9) go through strconv.ParseFloat.
func parseEpoch(s string, unit epochUnit) (parsedTime, string) {
	const bad = "not a unix timestamp (expected seconds such as 1706745600 or milliseconds such as 1706745600000)"
	neg := false
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg = body[0] == '-'
		body = body[1:]
	}
	if strings.ContainsAny(body, "eE") {
		return parseEpochFloat(s, unit)
	}
	whole, frac, _ := strings.Cut(body, ".")
	if !allDigits(whole) || (len(whole) < len(body) && !allDigits(frac)) {
		return parsedTime{}, bad
	}
	if len(whole) > 18 {
		return parsedTime{}, "out of range (expected years 0000-9999 in UTC)"
	}
	n, _ := strconv.ParseInt(whole, 10, 64)
	if unit == unitDetect {
		unit = unitSeconds
		if n >= millisThreshold {
			unit = unitMillis
		}
	}
	// fracNanos is the fraction scaled to nanoseconds of the unit's sub-unit.
	scale := 9
	if unit == unitMillis {
		scale = 6
	}
	fracNanos := int64(0)
	for k := 0; k < scale; k++ {
		fracNanos *= 10
		if k < len(frac) {
			fracNanos += int64(frac[k] - '0')
		}
	}
	var sec, nsec int64
	if unit == unitMillis {
		sec, nsec = n/1000, (n%1000)*1e6+fracNanos
	} else {
		sec, nsec = n, fracNanos
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return checkYear(parsedTime{t: time.Unix(sec, nsec).UTC()})
}

func parseEpochFloat(s string, unit epochUnit) (parsedTime, string) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return parsedTime{}, "not a unix timestamp (expected seconds such as 1706745600)"
	}
	if unit == unitMillis || (unit == unitDetect && math.Abs(f) >= millisThreshold) {
		f /= 1000
	}
	if math.Abs(f) > 3e11 {
		return parsedTime{}, "out of range (expected years 0000-9999 in UTC)"
	}
	whole := math.Floor(f)
	nsec := math.Round((f - whole) * 1e9)
	return checkYear(parsedTime{t: time.Unix(int64(whole), int64(nsec)).UTC()})
}

// digits reads n decimal digits of s starting at i.
func digits(s string, i, n int) (int, bool) {
	if i < 0 || i+n > len(s) {
		return 0, false
	}
	v := 0
	for k := i; k < i+n; k++ {
		c := s[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isNumberShape reports whether s looks like a number: a sign, digits, '.', exponent.
func isNumberShape(s string) bool {
	hasDigit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			hasDigit = true
		case c == '.' || c == 'e' || c == 'E' || ((c == '-' || c == '+') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E')):
		default:
			return false
		}
	}
	return hasDigit
}

// isISODateShape reports whether s is shaped YYYY-MM-DD or YYYY-MM (not validated).
func isISODateShape(s string) bool {
	if len(s) != 7 && len(s) != 10 {
		return false
	}
	_, ok1 := digits(s, 0, 4)
	_, ok2 := digits(s, 5, 2)
	if !ok1 || !ok2 || s[4] != '-' {
		return false
	}
	if len(s) == 10 {
		_, ok := digits(s, 8, 2)
		return ok && s[7] == '-'
	}
	return true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// fraction reads the optional fractional seconds at s[i] ('.' or ',' and at least one
// digit; digits past the ninth are ignored) and returns the index after them and the
// nanoseconds; ok is false for a separator without digits.
func fraction(s string, i int) (end, nsec int, ok bool) {
	if i >= len(s) || (s[i] != '.' && s[i] != ',') {
		return i, 0, true
	}
	i++
	start := i
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if i-start < 9 {
			nsec = nsec*10 + int(s[i]-'0')
		}
	}
	if i == start {
		return i, 0, false
	}
	for k := i - start; k < 9; k++ {
		nsec *= 10
	}
	return i, nsec, true
}

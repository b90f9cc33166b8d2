package record

// This file holds calendar arithmetic for the hot paths: reading the common RFC 3339
// shape and writing canonical times without going through time.Time. Each function
// covers a checked range and leaves everything else to the general code in time.go,
// timeparse.go and canonical.go, with which it agrees exactly.

// parseISOFast reads the common shape YYYY-MM-DD(T|t| )hh:mm:ss[(.|,)fraction] followed
// by Z, z, ±hh:mm or ±hhmm, for years 0001-9998, and returns the instant as Unix seconds
// and as Unix microseconds. ok is false for any other input, valid or not; for the
// input it accepts it agrees with ParseTime in formats "" and "rfc3339".
func parseISOFast(s string) (sec, micros int64, ok bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' {
		return 0, 0, false
	}
	if c := s[10]; c != 'T' && c != 't' && c != ' ' {
		return 0, 0, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	hour, ok4 := digits(s, 11, 2)
	minute, ok5 := digits(s, 14, 2)
	second, ok6 := digits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		year < 1 || year > 9998 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
		hour > 23 || minute > 59 || second > 59 {
		return 0, 0, false
	}
	i, nsec, ok := fraction(s, 19)
	if !ok {
		return 0, 0, false
	}
	offset, ok := zoneOffsetFast(s[i:])
	if !ok {
		return 0, 0, false
	}
	sec = daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+second-offset)
	return sec, sec*1e6 + int64(nsec/1000), true
}

// zoneOffsetFast reads Z, z, ±hh:mm or ±hhmm and returns the offset east of UTC in
// seconds.
func zoneOffsetFast(z string) (int, bool) {
	var hh, mm int
	var ok1, ok2 bool
	switch {
	case z == "Z" || z == "z":
		return 0, true
	case len(z) == 6 && z[3] == ':':
		hh, ok1 = digits(z, 1, 2)
		mm, ok2 = digits(z, 4, 2)
	case len(z) == 5:
		hh, ok1 = digits(z, 1, 2)
		mm, ok2 = digits(z, 3, 2)
	default:
		return 0, false
	}
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, false
	}
	switch z[0] {
	case '+':
		return hh*3600 + mm*60, true
	case '-':
		return -(hh*3600 + mm*60), true
	}
	return 0, false
}

// daysInMonth returns the number of days of a month of the proleptic Gregorian calendar.
func daysInMonth(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date with
// year >= 0 (H. Hinnant's algorithm).
func daysFromCivil(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := int64(month+9) % 12
	doy := (153*mp+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(days int64) (year, month, day int) {
	z := days + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	month = int(mp + 3)
	if month > 12 {
		month -= 12
	}
	year = int(yoe + era*400)
	if month <= 2 {
		year++
	}
	return year, month, day
}

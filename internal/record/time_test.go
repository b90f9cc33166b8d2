package record

import (
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		format   string
		want     time.Time
		dateOnly bool
	}{
		{"meta offset without colon", "2021-07-04T19:50:58+0000", "", utc(2021, 7, 4, 19, 50, 58, 0), false},
		{"meta non-zero offset without colon", "2024-01-15T10:30:00-0700", "", utc(2024, 1, 15, 17, 30, 0, 0), false},
		{"x milliseconds Z", "2021-02-23T18:07:07.000Z", "", utc(2021, 2, 23, 18, 7, 7, 0), false},
		{"mastodon milliseconds", "2026-08-01T13:52:34.108Z", "", utc(2026, 8, 1, 13, 52, 34, 108_000_000), false},
		{"youtube seconds Z", "2019-03-21T20:37:49Z", "", utc(2019, 3, 21, 20, 37, 49, 0), false},
		{"positive offset with colon", "2024-01-15T10:30:00+05:30", "", utc(2024, 1, 15, 5, 0, 0, 0), false},
		{"offset hours only", "2024-01-15T10:30:00+02", "", utc(2024, 1, 15, 8, 30, 0, 0), false},
		{"space no zone is UTC", "2024-01-15 10:30:00", "", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"space with UTC suffix", "2024-01-15 10:30:00 UTC", "", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"minutes only", "2024-01-15T10:30Z", "", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"lower-case t and z", "2024-01-15t10:30:00z", "", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"nanoseconds", "2024-01-15T10:30:00.123456789Z", "", utc(2024, 1, 15, 10, 30, 0, 123456789), false},
		{"comma fraction", "2024-01-15T10:30:00,5Z", "", utc(2024, 1, 15, 10, 30, 0, 500_000_000), false},
		{"offset crosses midnight", "2024-01-01T01:00:00+02:00", "", utc(2023, 12, 31, 23, 0, 0, 0), false},
		{"surrounding spaces", "  2019-03-21T20:37:49Z ", "", utc(2019, 3, 21, 20, 37, 49, 0), false},
		{"date only", "2024-01-15", "", utc(2024, 1, 15, 0, 0, 0, 0), true},
		{"year and month", "2024-02", "", utc(2024, 2, 1, 0, 0, 0, 0), true},
		{"ga4 yyyymmdd string", "20220731", "", utc(2022, 7, 31, 0, 0, 0, 0), true},
		{"unix seconds string", "1706745600", "", utc(2024, 2, 1, 0, 0, 0, 0), false},
		{"unix ms string detected", "1704110400000", "", utc(2024, 1, 1, 12, 0, 0, 0), false},
		{"reddit float seconds", "1780620715.0", "", utc(2026, 6, 5, 0, 51, 55, 0), false},
		{"float seconds with fraction", "1780620715.25", "", utc(2026, 6, 5, 0, 51, 55, 250_000_000), false},
		{"negative float seconds", "-1.5", "", utc(1969, 12, 31, 23, 59, 58, 500_000_000), false},
		{"exponent seconds", "1.7e9", "", utc(2023, 11, 14, 22, 13, 20, 0), false},
		{"rfc1123 http date", "Tue, 10 Oct 2023 20:19:24 GMT", "", utc(2023, 10, 10, 20, 19, 24, 0), false},
		{"rfc1123 UTC", "Tue, 10 Oct 2023 20:19:24 UTC", "", utc(2023, 10, 10, 20, 19, 24, 0), false},
		{"layout with UTC abbreviation", "2024-01-15 10:30 UTC", "2006-01-02 15:04 MST", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"ruby date", "Wed Oct 10 20:19:24 +0100 2018", "", utc(2018, 10, 10, 19, 19, 24, 0), false},
		{"rfc3339 forced", "2021-07-04T19:50:58+0000", FormatRFC3339, utc(2021, 7, 4, 19, 50, 58, 0), false},
		{"unix forced", "1706745600", FormatUnix, utc(2024, 2, 1, 0, 0, 0, 0), false},
		{"unix forced small value", "86400", FormatUnix, utc(1970, 1, 2, 0, 0, 0, 0), false},
		{"unix_ms forced", "1704110400000", FormatUnixMS, utc(2024, 1, 1, 12, 0, 0, 0), false},
		{"unix_ms forced small value", "1500", FormatUnixMS, utc(1970, 1, 1, 0, 0, 1, 500_000_000), false},
		{"unix_ms with fraction", "1704110400000.5", FormatUnixMS, utc(2024, 1, 1, 12, 0, 0, 500_000), false},
		{"negative unix_ms", "-1500", FormatUnixMS, utc(1969, 12, 31, 23, 59, 58, 500_000_000), false},
		{"unix_float forced", "1780620715.0", FormatUnixFloat, utc(2026, 6, 5, 0, 51, 55, 0), false},
		{"date forced", "2024-01-15", FormatDate, utc(2024, 1, 15, 0, 0, 0, 0), true},
		{"yyyymmdd forced", "20240229", FormatYYYYMMDD, utc(2024, 2, 29, 0, 0, 0, 0), true},
		{"layout without zone is UTC", "2024-01-15 10:30", "2006-01-02 15:04", utc(2024, 1, 15, 10, 30, 0, 0), false},
		{"layout with zone", "Jan 15 2024 10:30 -0800", "Jan 2 2006 15:04 -0700", utc(2024, 1, 15, 18, 30, 0, 0), false},
		{"layout date only", "15/01/2024", "02/01/2006", utc(2024, 1, 15, 0, 0, 0, 0), true},
		{"ga4 dateHour layout", "2024011523", "2006010215", utc(2024, 1, 15, 23, 0, 0, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in, tt.format)
			if err != nil {
				t.Fatalf("ParseTime(%q, %q): %v", tt.in, tt.format, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTime(%q, %q) = %v (%v), want %v UTC", tt.in, tt.format, got, got.Location(), tt.want)
			}
			if d := IsDateOnly(tt.format, tt.in); d != tt.dateOnly {
				t.Errorf("IsDateOnly(%q, %q) = %v, want %v", tt.format, tt.in, d, tt.dateOnly)
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	tests := []struct {
		name, in, format, want string
	}{
		{"month 13", "2024-13-01", "", `"2024-13-01": month out of range (expected 01-12)`},
		{"month 00 yyyymmdd", "20240001", "", `"20240001": month out of range (expected 01-12)`},
		{"february 29 in a common year", "2023-02-29", "", `"2023-02-29": day out of range (expected 01-28 for 2023-02)`},
		{"day 32 yyyymmdd", "20240132", FormatYYYYMMDD, `"20240132": day out of range (expected 01-31 for 2024-01)`},
		{"hour 25", "2024-01-15T25:00:00Z", "", `"2024-01-15T25:00:00Z": hour out of range (expected 00-23)`},
		{"minute 60", "2024-01-15T10:60:00Z", "", `"2024-01-15T10:60:00Z": minute out of range (expected 00-59)`},
		{"second 60", "2024-01-15T10:30:60Z", "", `"2024-01-15T10:30:60Z": second out of range (expected 00-59)`},
		{"offset 25 hours", "2024-01-15T10:30:00+25:00", "", `"2024-01-15T10:30:00+25:00": zone offset out of range (expected -23:59 to +23:59)`},
		{"word", "yesterday", "", `"yesterday": ` + reasonUnrecognized},
		{"trailing junk", "2024-01-15T10:30:00Zjunk", "", `"2024-01-15T10:30:00Zjunk": ` + reasonUnrecognized},
		{"empty", "", "", `"": empty (expected a time)`},
		{"too many digits", "99999999999999999999", "", `"99999999999999999999": out of range (expected years 0000-9999 in UTC)`},
		{"past year 9999 after offset", "9999-12-31T23:59:59-01:00", "", `"9999-12-31T23:59:59-01:00": out of range (expected years 0000-9999 in UTC)`},
		{"rfc3339 given a date", "2024-01-15", FormatRFC3339, `"2024-01-15": ` + reasonNotRFC3339},
		{"rfc3339 given a number", "1706745600", FormatRFC3339, `"1706745600": ` + reasonNotRFC3339},
		{"date given a timestamp", "2024-01-15T00:00:00Z", FormatDate, `"2024-01-15T00:00:00Z": not a date (expected YYYY-MM-DD)`},
		{"date given bad month", "2024-13-15", FormatDate, `"2024-13-15": month out of range (expected 01-12)`},
		{"yyyymmdd given iso", "2022-07-31", FormatYYYYMMDD, `"2022-07-31": not a date (expected YYYYMMDD)`},
		{"unix given iso", "2022-07-31", FormatUnix, `"2022-07-31": not a unix timestamp (expected seconds such as 1706745600 or milliseconds such as 1706745600000)`},
		{"unix trailing dot", "17.", FormatUnix, `"17.": not a unix timestamp (expected seconds such as 1706745600 or milliseconds such as 1706745600000)`},
		{"layout mismatch", "2024/01/15", "2006-01-02", `"2024/01/15": does not match layout "2006-01-02" (cannot parse "/01/15" as "-")`},
		{"zone abbreviation", "Tue, 10 Oct 2023 20:19:24 PST", "", `"Tue, 10 Oct 2023 20:19:24 PST": zone abbreviation "PST" is ambiguous (expected a numeric offset such as -0800, or UTC)`},
		{"layout zone abbreviation", "2024-01-15 10:30 CET", "2006-01-02 15:04 MST", `"2024-01-15 10:30 CET": zone abbreviation "CET" is ambiguous (expected a numeric offset such as -0800, or UTC)`},
		{"layout day out of range", "2024-02-30", "2006-01-02", `"2024-02-30": does not match layout "2006-01-02" (day out of range)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in, tt.format)
			if err == nil {
				t.Fatalf("ParseTime(%q, %q) = %v, want error %s", tt.in, tt.format, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("ParseTime(%q, %q) error\n got: %s\nwant: %s", tt.in, tt.format, err, tt.want)
			}
		})
	}
}

func TestParseTimeJSON(t *testing.T) {
	tests := []struct {
		name, json, format string
		want               time.Time
		wantErr            string
	}{
		{name: "tiktok number seconds", json: `1706745600`, want: utc(2024, 2, 1, 0, 0, 0, 0)},
		{name: "linkedin number ms", json: `1704110400000`, want: utc(2024, 1, 1, 12, 0, 0, 0)},
		{name: "ms threshold is 1e11", json: `100000000000`, want: utc(1973, 3, 3, 9, 46, 40, 0)},
		{name: "just below threshold is seconds", json: `99999999999`, want: utc(5138, 11, 16, 9, 46, 39, 0)},
		{name: "negative ms", json: `-100000000000`, want: utc(1966, 10, 31, 14, 13, 20, 0)},
		{name: "reddit float seconds", json: `1780620715.0`, want: utc(2026, 6, 5, 0, 51, 55, 0)},
		{name: "eight digit number is epoch", json: `20220731`, want: utc(1970, 8, 23, 0, 52, 11, 0)},
		{name: "eight digit number as yyyymmdd", json: `20220731`, format: FormatYYYYMMDD, want: utc(2022, 7, 31, 0, 0, 0, 0)},
		{name: "number as unix_ms", json: `1500`, format: FormatUnixMS, want: utc(1970, 1, 1, 0, 0, 1, 500_000_000)},
		{name: "number with layout", json: `2024011523`, format: "2006010215", want: utc(2024, 1, 15, 23, 0, 0, 0)},
		{name: "string detected", json: `"2021-07-04T19:50:58+0000"`, want: utc(2021, 7, 4, 19, 50, 58, 0)},
		{name: "numeric string", json: `"1704110400000"`, want: utc(2024, 1, 1, 12, 0, 0, 0)},
		{name: "number for rfc3339", json: `1706745600`, format: FormatRFC3339, wantErr: `"1706745600": is a number (expected an RFC 3339 string)`},
		{name: "number for date", json: `20240115`, format: FormatDate, wantErr: `"20240115": is a number (expected a YYYY-MM-DD string)`},
		{name: "bool", json: `false`, wantErr: `"false": expected a time as a JSON string or number`},
		{name: "object", json: `{"t":1}`, wantErr: `"{\"t\":1}": expected a time as a JSON string or number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTimeJSON(gjson.Parse(tt.json), tt.format)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseTimeJSON(%s, %q) = %v, %v; want error %s", tt.json, tt.format, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTimeJSON(%s, %q) = %v, %v; want %v", tt.json, tt.format, got, err, tt.want)
			}
		})
	}
}

func TestIsDateOnly(t *testing.T) {
	tests := []struct {
		name, format, in string
		want             bool
	}{
		{"detect date", "", "2024-01-15", true},
		{"detect yyyymmdd", "", "20240115", true},
		{"detect timestamp", "", "2024-01-15T00:00:00Z", false},
		{"detect unix", "", "1706745600", false},
		{"date format", FormatDate, "anything", true},
		{"yyyymmdd format", FormatYYYYMMDD, "anything", true},
		{"unix format", FormatUnix, "20240115", false},
		{"rfc3339 format", FormatRFC3339, "2024-01-15", false},
		{"date layout", "Jan 2, 2006", "Jan 15, 2024", true},
		{"clock layout", "2006-01-02 15:04", "2024-01-15 10:30", false},
		{"12-hour layout", "2006-01-02 3PM", "2024-01-15 3PM", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsDateOnly(tt.format, tt.in); got != tt.want {
				t.Fatalf("IsDateOnly(%q, %q) = %v, want %v", tt.format, tt.in, got, tt.want)
			}
		})
	}
}

func TestValidateTimeFormat(t *testing.T) {
	tests := []struct {
		name, format, wantErr string
	}{
		{"detect", "", ""},
		{"named", FormatUnixFloat, ""},
		{"layout", "2006-01-02 15:04:05", ""},
		{"typo", "rfc339", `unknown time format "rfc339" (use rfc3339, unix, unix_ms, unix_float, date, yyyymmdd, or a Go layout such as 2006-01-02 15:04:05)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTimeFormat(tt.format)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.wantErr {
				t.Fatalf("ValidateTimeFormat(%q) = %q, want %q", tt.format, got, tt.wantErr)
			}
		})
	}
}

// FuzzParseTime checks that detection never panics, always yields UTC, and that any
// parsed instant survives a round trip through its RFC 3339 text.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2021-07-04T19:50:58+0000", "2021-02-23T18:07:07.000Z", "2024-01-15 10:30:00", "2024-01-15",
		"20220731", "1780620715.0", "1704110400000", "-1.5e3", "2024-13-01", "Tue, 10 Oct 2023 20:19:24 GMT",
		"0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999999Z", "", "2024-01-15T10:30:00,",
	} {
		f.Add(s, "")
	}
	f.Add("1706745600", FormatUnixMS)
	f.Add("2024-01-15", FormatDate)
	f.Add("15/01/2024", "02/01/2006")
	f.Fuzz(func(t *testing.T, s, format string) {
		got, err := ParseTime(s, format)
		if err != nil {
			if !strings.HasPrefix(err.Error(), `"`) {
				t.Fatalf("ParseTime(%q, %q) error without the quoted input: %v", s, format, err)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q, %q) = %v, not UTC", s, format, got)
		}
		text := got.Format(time.RFC3339Nano)
		back, err := ParseTime(text, FormatRFC3339)
		if err != nil || !back.Equal(got) {
			t.Fatalf("round trip of %q via %q = %v, %v; want %v", s, text, back, err, got)
		}
	})
}

package record

import (
	"testing"
	"time"
)

// TestParseISOFastMatchesParseTime runs the fast reader over every combination of
// valid and invalid components; wherever it accepts a value, ParseTime must give the
// same instant in formats "" and "rfc3339".
func TestParseISOFastMatchesParseTime(t *testing.T) {
	years := []string{"0000", "0001", "1969", "1970", "2000", "2024", "9998", "9999", "20x4"}
	months := []string{"00", "01", "02", "12", "13"}
	days := []string{"00", "01", "28", "29", "30", "31", "32"}
	clocks := []string{"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "1:00:00", "12:00"}
	fractions := []string{"", ".", ".1", ".123456", ".1234567891234", ",5", ".x"}
	zones := []string{"Z", "z", "+00:00", "-23:59", "+24:00", "+05:60", "+05:30", "+0530", "-0800", "+05", "UTC", " Z", "", "Zz", "*05:00", "+5:300"}
	seps := []string{"T", "t", " ", "x"}
	accepted := 0
	for _, y := range years {
		for _, mo := range months {
			for _, d := range days {
				for _, sep := range seps {
					for _, c := range clocks {
						for _, fr := range fractions {
							for _, z := range zones {
								s := y + "-" + mo + "-" + d + sep + c + fr + z
								sec, micros, ok := parseISOFast(s)
								if !ok {
									continue
								}
								accepted++
								for _, format := range []string{FormatDetect, FormatRFC3339} {
									want, err := ParseTime(s, format)
									if err != nil {
										t.Fatalf("parseISOFast(%q) accepted what ParseTime(%q) rejects: %v", s, format, err)
									}
									if micros != want.UnixMicro() || sec != want.Unix() {
										t.Fatalf("parseISOFast(%q) = %d s, %d µs; ParseTime = %d s, %d µs", s, sec, micros, want.Unix(), want.UnixMicro())
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if want := 6 * 3 * 2 * 3 * 2 * 5 * 7; accepted < want {
		t.Fatalf("parseISOFast accepted %d combinations, want at least %d", accepted, want)
	}
}

// TestCivilDays checks the calendar arithmetic against the time package for every day
// of years 0000-9999 and a margin on both sides.
func TestCivilDays(t *testing.T) {
	for days := int64(minTextDays - 800); days <= maxTextDays+800; days++ {
		tm := time.Unix(days*86400, 0).UTC()
		wy, wm, wd := tm.Date()
		y, m, d := civilFromDays(days)
		if y != wy || m != int(wm) || d != wd {
			t.Fatalf("civilFromDays(%d) = %04d-%02d-%02d, want %s", days, y, m, d, tm.Format("2006-01-02"))
		}
		if wy >= 0 {
			if got := daysFromCivil(wy, int(wm), wd); got != days {
				t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format("2006-01-02"), got, days)
			}
		}
		if got, want := daysInMonth(wy, int(wm)), daysIn(wy, int(wm)); got != want {
			t.Fatalf("daysInMonth(%d, %d) = %d, want %d", wy, wm, got, want)
		}
	}
}

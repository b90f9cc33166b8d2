package config

import (
	"testing"
	"time"
)

func day0(s string) time.Time {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestResolveRange(t *testing.T) {
	// 20:30 on June 9 in Los Angeles is 03:30 on June 10 UTC: "today" is June 10.
	la := time.FixedZone("PDT", -7*3600)
	now := time.Date(2024, 6, 9, 20, 30, 0, 0, la)
	tests := []struct {
		name           string
		from, to, date string
		lookback       int
		wantFrom       string
		wantTo         string
		err            string
	}{
		{"default lookback", "", "", "", 2, "2024-06-07", "2024-06-09", ""},
		{"default no lookback", "", "", "", 0, "2024-06-09", "2024-06-09", ""},
		{"date", "", "", "2024-01-05", 2, "2024-01-05", "2024-01-05", ""},
		{"date today", "", "", "2024-06-10", 2, "2024-06-10", "2024-06-10", ""},
		{"from to", "2024-01-01", "2024-01-31", "", 2, "2024-01-01", "2024-01-31", ""},
		{"from equals to", "2024-02-29", "2024-02-29", "", 2, "2024-02-29", "2024-02-29", ""},
		{"from alone runs through yesterday", "2024-06-01", "", "", 2, "2024-06-01", "2024-06-09", ""},
		{"from alone today", "2024-06-10", "", "", 2, "2024-06-10", "2024-06-10", ""},
		{"to today", "2024-06-08", "2024-06-10", "", 2, "2024-06-08", "2024-06-10", ""},
		{"malformed", "2024-1-5", "", "", 2, "", "", `--from "2024-1-5": use YYYY-MM-DD`},
		{"malformed to", "2024-01-05", "01/31/2024", "", 2, "", "", `--to "01/31/2024": use YYYY-MM-DD`},
		{"malformed date", "", "", "2024-01-05T00:00:00Z", 2, "", "", `--date "2024-01-05T00:00:00Z": use YYYY-MM-DD`},
		{"no such day", "", "", "2023-02-29", 2, "", "", `--date "2023-02-29": no such day (use YYYY-MM-DD)`},
		{"to before from", "2024-01-05", "2024-01-01", "", 2, "", "", "--to 2024-01-01 is before --from 2024-01-05"},
		{"to without from", "", "2024-01-31", "", 2, "", "", "--to needs --from (or use --date 2024-01-31 for a single day)"},
		{"date with from", "2024-01-01", "", "2024-01-05", 2, "", "", "--date cannot be combined with --from or --to (use --date for one day, --from/--to for a range)"},
		{"date with to", "", "2024-01-01", "2024-01-05", 2, "", "", "--date cannot be combined with --from or --to (use --date for one day, --from/--to for a range)"},
		{"future date", "", "", "2024-06-11", 2, "", "", "--date 2024-06-11 is in the future (today is 2024-06-10 UTC)"},
		{"future from", "2024-07-01", "", "", 2, "", "", "--from 2024-07-01 is in the future (today is 2024-06-10 UTC)"},
		{"future to", "2024-06-01", "2024-06-11", "", 2, "", "", "--to 2024-06-11 is in the future (today is 2024-06-10 UTC)"},
		{"negative lookback", "", "", "", -1, "", "", "lookback_days is -1; it cannot be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ResolveRange(tt.from, tt.to, tt.date, tt.lookback, now)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ResolveRange error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveRange: %v", err)
			}
			if !r.From.Equal(day0(tt.wantFrom)) || !r.To.Equal(day0(tt.wantTo)) {
				t.Fatalf("range = %s, want %s..%s", r, tt.wantFrom, tt.wantTo)
			}
			if r.From.Location() != time.UTC || r.To.Location() != time.UTC {
				t.Errorf("range not in UTC: %v, %v", r.From.Location(), r.To.Location())
			}
		})
	}
}

func TestRangeDays(t *testing.T) {
	r := Range{From: day0("2024-02-27"), To: day0("2024-03-01")}
	var got []string
	for _, d := range r.Days() {
		got = append(got, d.Format(time.RFC3339))
	}
	want := []string{"2024-02-27T00:00:00Z", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"}
	if len(got) != len(want) || r.Len() != 4 {
		t.Fatalf("Days = %v (Len %d), want %v", got, r.Len(), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Days[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	if r.String() != "2024-02-27..2024-03-01" || r.End().Format(time.RFC3339) != "2024-03-02T00:00:00Z" {
		t.Errorf("String, End = %s, %s", r, r.End().Format(time.RFC3339))
	}
	one := Range{From: day0("2024-01-05"), To: day0("2024-01-05")}
	if one.String() != "2024-01-05" || one.Len() != 1 || (Range{}).Len() != 0 || len((Range{}).Days()) != 0 {
		t.Errorf("one-day String/Len = %s/%d, zero Len %d", one, one.Len(), (Range{}).Len())
	}
}

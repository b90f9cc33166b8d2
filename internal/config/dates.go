package config

import (
	"fmt"
	"regexp"
	"time"
)

// DateLayout is how days are written on the command line and in messages.
const DateLayout = "2006-01-02"

const day = 24 * time.Hour

// Range is an inclusive range of UTC days. From and To are UTC midnights, From <= To.
type Range struct {
	From time.Time
	To   time.Time
}

// Days returns every day of the range in order, as UTC midnights.
func (r Range) Days() []time.Time {
	n := r.Len()
	out := make([]time.Time, 0, n)
	for i := range n {
		out = append(out, r.From.Add(time.Duration(i)*day))
	}
	return out
}

// Len returns the number of days in the range (0 for the zero Range).
func (r Range) Len() int {
	if r.From.IsZero() || r.To.Before(r.From) {
		return 0
	}
	return int(r.To.Sub(r.From)/day) + 1
}

// End returns the instant just after the range: To plus one day, the exclusive end.
func (r Range) End() time.Time { return r.To.Add(day) }

// String renders "2024-01-05" for one day, else "2024-01-01..2024-01-31".
func (r Range) String() string {
	if r.From.Equal(r.To) {
		return r.From.Format(DateLayout)
	}
	return r.From.Format(DateLayout) + ".." + r.To.Format(DateLayout)
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ResolveRange turns the date flags into the run's range of UTC days:
//   - date ("--date D"): the single day D;
//   - from and to ("--from A --to B"): A through B, inclusive;
//   - from alone: from A through yesterday (or just A, when A is today);
//   - none: yesterday minus lookbackDays through yesterday, so lookback 2 on 2024-06-10
//     gives 2024-06-07..2024-06-09.
//
// "Today" and "yesterday" are taken from now in UTC. Today may be requested (a partial
// day, replaced when re-run); later days may not. Errors name the flag and say how to fix
// it: malformed dates, --to before --from, --to without --from, --date with --from/--to,
// and days in the future.
func ResolveRange(from, to, date string, lookbackDays int, now time.Time) (Range, error) {
	today := now.UTC().Truncate(day)
	yesterday := today.Add(-day)
	var r Range
	switch {
	case date != "" && (from != "" || to != ""):
		return Range{}, fmt.Errorf("--date cannot be combined with --from or --to (use --date for one day, --from/--to for a range)")
	case date != "":
		d, err := parseDay("--date", date)
		if err != nil {
			return Range{}, err
		}
		r = Range{From: d, To: d}
	case to != "" && from == "":
		return Range{}, fmt.Errorf("--to needs --from (or use --date %s for a single day)", to)
	case from != "":
		f, err := parseDay("--from", from)
		if err != nil {
			return Range{}, err
		}
		t := yesterday
		if to != "" {
			if t, err = parseDay("--to", to); err != nil {
				return Range{}, err
			}
		} else if f.Equal(today) {
			t = today
		}
		r = Range{From: f, To: t}
	default:
		if lookbackDays < 0 {
			return Range{}, fmt.Errorf("lookback_days is %d; it cannot be negative", lookbackDays)
		}
		return Range{From: yesterday.Add(-time.Duration(lookbackDays) * day), To: yesterday}, nil
	}
	flag := "--from"
	if date != "" {
		flag = "--date"
	}
	if r.From.After(today) {
		return Range{}, fmt.Errorf("%s %s is in the future (today is %s UTC)", flag, r.From.Format(DateLayout), today.Format(DateLayout))
	}
	if to != "" && r.To.After(today) {
		return Range{}, fmt.Errorf("--to %s is in the future (today is %s UTC)", to, today.Format(DateLayout))
	}
	if r.To.Before(r.From) {
		return Range{}, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	return r, nil
}

// parseDay parses a YYYY-MM-DD day as a UTC midnight.
func parseDay(flag, s string) (time.Time, error) {
	if !dateRE.MatchString(s) {
		return time.Time{}, fmt.Errorf("%s %q: use YYYY-MM-DD", flag, s)
	}
	d, err := time.ParseInLocation(DateLayout, s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: no such day (use YYYY-MM-DD)", flag, s)
	}
	return d, nil
}

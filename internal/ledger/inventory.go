package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/store"
)

// maxInventoryDays bounds the range Inventory accepts: one manifest read per committed
// day is fine for a few years, not for centuries typed by mistake.
const maxInventoryDays = 3660

// DayStatus is what the state holds for one UTC day of a stream. A day whose manifest is
// absent is a gap: no run has committed it (DESIGN §4).
type DayStatus struct {
	Day          time.Time // 00:00 UTC
	Committed    bool      // a manifest names the day's current generation
	Records      int64     // records of the current generation; 0 for a gap
	RunID        string    // the run that committed it; "" for a gap
	RunTimestamp string    // that run's timestamp, 20240115T103000Z
	CommittedAt  time.Time // when it was committed, UTC
	Format       string    // the data file format: parquet or jsonl
}

// Inventory returns one DayStatus per UTC day of from..to (both truncated to their UTC
// day, inclusive), in day order. It lists the stream's state prefix once per calendar
// year of the range (…/{stream}/YYYY/), so it never issues a request per missing day,
// then reads the manifest of every committed day of the range to report its records and
// run: one Get per committed day, fine for ranges up to a few years (ranges over ten
// years are refused). A manifest deleted between listing and reading is reported as a
// gap; an unreadable one is an error naming it.
func Inventory(ctx context.Context, st store.Store, stream layout.Stream, from, to time.Time) ([]DayStatus, error) {
	if err := stream.Check(); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	from, to = layout.Day(from), layout.Day(to)
	if to.Before(from) {
		return nil, fmt.Errorf("inventory %s: range %s..%s ends before it starts", streamName(stream), from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	n := int(to.Sub(from)/(24*time.Hour)) + 1
	if n > maxInventoryDays {
		return nil, fmt.Errorf("inventory %s: range %s..%s has %d days; ask for at most %d", streamName(stream), from.Format(time.DateOnly), to.Format(time.DateOnly), n, maxInventoryDays)
	}
	days := make([]DayStatus, n)
	for i := range days {
		days[i].Day = from.AddDate(0, 0, i)
	}
	for year := from.Year(); year <= to.Year(); year++ {
		prefix := fmt.Sprintf("%s%04d/", stream.StatePrefix(), year)
		for obj, err := range st.List(ctx, prefix) {
			if err != nil {
				return nil, fmt.Errorf("inventory %s: list %s: %w", streamName(stream), prefix, err)
			}
			day, ok := manifestDay(stream, obj.Key)
			if !ok || day.Before(from) || day.After(to) {
				continue
			}
			m, _, err := ReadManifest(ctx, st, obj.Key)
			if err != nil {
				return nil, fmt.Errorf("inventory: %w", err)
			}
			if m == nil {
				continue // deleted since listed: a gap now
			}
			days[int(day.Sub(from)/(24*time.Hour))] = DayStatus{
				Day: day, Committed: true, Records: m.Records, RunID: m.RunID,
				RunTimestamp: m.RunTimestamp, CommittedAt: m.CommittedAt.UTC(), Format: m.Format,
			}
		}
	}
	return days, nil
}

// manifestDay parses key as the manifest of one of stream's partitions:
// _sluice/state/{source}/{account}/{stream}/YYYY/MM/DD/manifest.json.
func manifestDay(stream layout.Stream, key string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(key, stream.StatePrefix())
	if !ok {
		return time.Time{}, false
	}
	folder, ok := strings.CutSuffix(rest, "/manifest.json")
	if !ok {
		return time.Time{}, false
	}
	day, err := time.Parse("2006/01/02", folder)
	if err != nil || day.Format("2006/01/02") != folder {
		return time.Time{}, false
	}
	return day, true
}

// Gaps collapses the uncommitted days of days (as returned by Inventory, in day order)
// into windows of consecutive days; nil when every day is committed.
func Gaps(days []DayStatus) []Window {
	var out []Window
	for _, d := range days {
		if d.Committed {
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].To.AddDate(0, 0, 1).Equal(d.Day) {
			out[k].To = d.Day
			continue
		}
		out = append(out, Window{From: d.Day, To: d.Day})
	}
	return out
}

// Checkpoints returns the stream's stored checkpoints in key order (by window), nil when
// there are none. Checkpoints exist only for windows a run has started and not finished:
// a crashed or interrupted run, or one still in progress.
func Checkpoints(ctx context.Context, st store.Store, stream layout.Stream) ([]*Checkpoint, error) {
	var out []*Checkpoint
	for obj, err := range st.List(ctx, stream.CheckpointPrefix()) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", stream.CheckpointPrefix(), err)
		}
		data, _, err := readSmall(ctx, st, obj.Key)
		if err != nil {
			return nil, err
		}
		if data == nil {
			continue // finished since listed
		}
		cp, err := decodeCheckpoint(data, obj.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, nil
}

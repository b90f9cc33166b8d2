package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/schema"
	"github.com/sluice-dev/sluice/internal/spec"
)

// System columns appended to every data file.
const (
	KeyColumn  = "_key"  // the record's primary key (or content hash) as text
	HashColumn = "_hash" // hex xxh3-128 of the record's canonical JSON
)

// shape is what a stream's records turn into: the extractor of declared (or inferred)
// fields, the parent columns of a child stream, and the output schema. It is built once
// per stream and run (inference happens on the first page seen).
type shape struct {
	once     sync.Once
	err      error
	name     string
	st       *spec.Stream
	declared schema.Schema // the declared (or inferred) fields
	parents  []parentColumn
	out      schema.Schema // extractor columns + parent columns + _key + _hash
	data     schema.Schema // out without _key and _hash: what identity is computed over
	pk       []int
	slabs    sync.Pool      // *slab of rows of this shape
	dateCol  int            // index of a timestamp column that holds the date rule's value, or -1
	preset   []schema.Field // fields restored from a checkpoint, used instead of inference
	ready    atomic.Bool    // compiled without error
}

type parentColumn struct {
	name, path string
}

// build compiles the shape, inferring fields from samples when none are declared.
func (s *shape) build(samples []string) error {
	s.once.Do(func() {
		s.err = s.compile(samples)
		s.ready.Store(s.err == nil)
	})
	return s.err
}

// built reports whether the shape has been compiled successfully.
func (s *shape) built() bool { return s.ready.Load() }

func (s *shape) compile(samples []string) error {
	declared := schema.Schema{Fields: s.st.Fields}
	switch {
	case len(declared.Fields) > 0:
	case s.preset != nil:
		declared = schema.Schema{Fields: s.preset}
	default:
		declared = record.Infer(samples)
	}
	ext, err := record.NewExtractor(declared, s.st.AdditionalFields)
	if err != nil {
		return fmt.Errorf("stream %s: %w", s.name, err)
	}
	s.declared = declared
	s.out = schema.Schema{Fields: append([]schema.Field(nil), ext.Schema().Fields...)}
	if p := s.st.Parent; p != nil {
		for _, col := range sortedKeys(p.Fields) {
			s.parents = append(s.parents, parentColumn{name: col, path: p.Fields[col]})
			s.out.Fields = append(s.out.Fields, schema.Field{Name: col, Type: schema.String})
		}
	}
	for _, k := range s.st.PrimaryKey {
		i := s.out.Index(k)
		if i < 0 {
			return fmt.Errorf("stream %s: primary key %q is not a field", s.name, k)
		}
		s.pk = append(s.pk, i)
	}
	s.dateCol = -1
	if d := s.st.Date; d != nil {
		for i, f := range s.out.Fields {
			if f.Type == schema.Timestamp && f.SourcePath() == d.Field && (d.Format == "" || d.Format == f.Format) {
				s.dateCol = i
				break
			}
		}
	}
	s.data = schema.Schema{Fields: s.out.Fields}
	s.out.Fields = append(s.out.Fields[:len(s.out.Fields):len(s.out.Fields)],
		schema.Field{Name: KeyColumn, Type: schema.String},
		schema.Field{Name: HashColumn, Type: schema.String})
	return nil
}

// slab returns a slab of at least n values with one reference per row, from the pool
// when one is free.
func (s *shape) slab(n int) *slab {
	sl, _ := s.slabs.Get().(*slab)
	if sl == nil || cap(sl.vals) < n {
		sl = &slab{vals: make(record.Row, n), pool: &s.slabs}
	}
	sl.vals = sl.vals[:cap(sl.vals)]
	sl.refs.Store(int64(n / max(len(s.out.Fields), 1)))
	return sl
}

// extractor returns a new extractor for the compiled shape (one per goroutine).
func (s *shape) extractor() *record.Extractor {
	ext, _ := record.NewExtractor(s.declared, s.st.AdditionalFields) // compile already built one
	return ext
}

// dateRule turns a record into the UTC day it represents.
type dateRule struct {
	path     string
	format   string
	loc      *time.Location
	shift    time.Duration
	dateOnly bool
}

func newDateRule(d *spec.DateRule) (*dateRule, error) {
	if d == nil {
		return nil, nil
	}
	r := &dateRule{path: d.Field, format: d.Format, loc: time.UTC, shift: d.Shift.Std()}
	if d.Timezone != "" {
		loc, err := time.LoadLocation(d.Timezone)
		if err != nil {
			return nil, fmt.Errorf("date.timezone %q: %w", d.Timezone, err)
		}
		r.loc = loc
	}
	r.dateOnly = d.Format == "date" || d.Format == "yyyymmdd"
	return r, nil
}

// day returns the partition day of a record, from the extracted row when the date is one
// of its timestamp columns (dateCol >= 0), else from the raw JSON.
func (r *dateRule) day(raw string, row record.Row, dateCol int) (time.Time, error) {
	var t time.Time
	if dateCol >= 0 && row[dateCol].Kind == record.Time {
		if r.loc == time.UTC && r.shift%time.Microsecond == 0 {
			return utcDay(row[dateCol].I + int64(r.shift/time.Microsecond)), nil
		}
		t = time.UnixMicro(row[dateCol].I).UTC()
	} else {
		v := gjson.Get(raw, r.path)
		if !v.Exists() || v.Type == gjson.Null {
			return time.Time{}, fmt.Errorf("date field %q is missing", r.path)
		}
		var err error
		t, err = record.ParseTimeJSON(v, r.format)
		if err != nil {
			return time.Time{}, fmt.Errorf("date field %q: %w", r.path, err)
		}
		if r.dateOnly || record.IsDateOnly(r.format, v.String()) {
			return calendarDay(t, time.UTC), nil
		}
	}
	return calendarDay(t.Add(r.shift), r.loc), nil
}

// microsPerDay is the length of a UTC day in microseconds.
const microsPerDay = 86_400_000_000

// utcDay is 00:00 UTC of the UTC date of the instant us (microseconds since the Unix
// epoch): calendarDay(time.UnixMicro(us), time.UTC), without the calendar arithmetic.
func utcDay(us int64) time.Time {
	d := us / microsPerDay
	if us%microsPerDay < 0 {
		d--
	}
	return time.Unix(d*86_400, 0).UTC()
}

// calendarDay is 00:00 UTC of t's calendar date in loc.
func calendarDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

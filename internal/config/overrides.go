package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/internal/format"
)

// Environment variables that override the config file (and are overridden by flags).
const (
	EnvSink         = "SLUICE_SINK"
	EnvFormat       = "SLUICE_FORMAT"
	EnvConcurrency  = "SLUICE_CONCURRENCY"
	EnvLookbackDays = "SLUICE_LOOKBACK_DAYS"
	EnvLogFormat    = "SLUICE_LOG_FORMAT"
	EnvS3Endpoint   = "SLUICE_S3_ENDPOINT"
	EnvS3Region     = "SLUICE_S3_REGION"
	EnvS3PathStyle  = "SLUICE_S3_PATH_STYLE"
)

// Overrides are values that take precedence over the config file. A nil field is not
// set. The CLI builds one from its flags, setting a field only when the flag was given
// (cobra's Flags().Changed); EnvOverrides builds one from the environment.
type Overrides struct {
	Sink         *string
	Format       *string
	Concurrency  *int
	LookbackDays *int
	LogFormat    *string
	S3Endpoint   *string
	S3Region     *string
	S3PathStyle  *bool

	// probs holds EnvOverrides' parse problems, reported by Apply with every other problem.
	probs Problems
}

// EnvOverrides reads the SLUICE_* variables through lookup (nil: os.LookupEnv). Unset and
// empty variables are left nil, so an empty line copied from .env.example changes
// nothing. A variable that does not parse is left nil and reported by Apply.
func EnvOverrides(lookup func(string) (string, bool)) Overrides {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var o Overrides
	get := func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}
	text := func(name string) *string {
		if v, ok := get(name); ok {
			return &v
		}
		return nil
	}
	number := func(name string) *int {
		v, ok := get(name)
		if !ok {
			return nil
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			o.probs = append(o.probs, Problem{Path: name, Msg: fmt.Sprintf("%q is not a whole number", v)})
			return nil
		}
		return &i
	}
	o.Sink, o.Format, o.LogFormat = text(EnvSink), text(EnvFormat), text(EnvLogFormat)
	o.S3Endpoint, o.S3Region = text(EnvS3Endpoint), text(EnvS3Region)
	o.Concurrency, o.LookbackDays = number(EnvConcurrency), number(EnvLookbackDays)
	if v, ok := get(EnvS3PathStyle); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			o.probs = append(o.probs, Problem{Path: EnvS3PathStyle, Msg: fmt.Sprintf("%q is not true or false", v)})
		} else {
			o.S3PathStyle = &b
		}
	}
	return o
}

// Setting is one effective value and where it came from, for `sluice validate`.
type Setting struct {
	// Key is the config key ("sink", "defaults.concurrency", "log_format").
	Key string
	// Value is the effective value as text.
	Value string
	// From is "flag --sink", "env SLUICE_SINK", "sluice.yaml:3" or "default".
	From string
}

// Apply layers env and then flags over the file's values (precedence flag > env > file >
// default) and validates the result; Settings then reports where each value came from.
// A sink is required by then: the error says where to set one. Relative local sinks from
// env or flags are relative to the current directory. The error is Problems, including
// the environment's parse problems.
func (c *Config) Apply(env, flags Overrides) error {
	m := merger{c: c, probs: append(Problems(nil), env.probs...)}
	m.sink(env.Sink, flags.Sink)
	m.format(env.Format, flags.Format)
	m.str("s3.endpoint", &c.S3.Endpoint, env.S3Endpoint, flags.S3Endpoint, EnvS3Endpoint, "--s3-endpoint", checkHTTPURL)
	m.str("s3.region", &c.S3.Region, env.S3Region, flags.S3Region, EnvS3Region, "--s3-region", nil)
	m.pathStyle(env.S3PathStyle, flags.S3PathStyle)
	m.number("defaults.lookback_days", &c.Defaults.LookbackDays, env.LookbackDays, flags.LookbackDays, EnvLookbackDays, "--lookback-days", 0)
	m.number("defaults.concurrency", &c.Defaults.Concurrency, env.Concurrency, flags.Concurrency, EnvConcurrency, "--concurrency", 1)
	m.str("log_format", &c.LogFormat, env.LogFormat, flags.LogFormat, EnvLogFormat, "--log-format", checkLogFormat)
	m.fileOnly("defaults.timeout", c.Defaults.Timeout)
	m.fileOnly("defaults.retry.max_attempts", c.Defaults.Retry.MaxAttempts)
	m.fileOnly("defaults.retry.initial", c.Defaults.Retry.Initial)
	m.fileOnly("defaults.retry.max", c.Defaults.Retry.Max)
	m.fileOnly("defaults.checkpoint_pages", c.Defaults.CheckpointPages)
	m.fileOnly("defaults.snapshot_max_shrink", c.Defaults.SnapshotMaxShrink)
	c.settings = m.out
	return m.probs.err()
}

// Settings returns the effective values and their origins, in a fixed order, as of the
// last Apply (nil before Apply).
func (c *Config) Settings() []Setting { return c.settings }

// merger accumulates settings and problems while Apply walks the keys.
type merger struct {
	c     *Config
	out   []Setting
	probs Problems
}

// pick returns the winning override and its origin text, or nil and the file/default origin.
func pick[T any](m *merger, key string, env, flag *T, envName, flagName string) (*T, string) {
	switch {
	case flag != nil:
		return flag, "flag " + flagName
	case env != nil:
		return env, "env " + envName
	}
	if line := m.c.lines[key]; line > 0 {
		return nil, fmt.Sprintf("%s:%d", m.c.File, line)
	}
	return nil, "default"
}

func (m *merger) add(key, value, from string) {
	m.out = append(m.out, Setting{Key: key, Value: value, From: from})
}

// fail reports a bad override; from is pick's origin text, whose flag or variable name
// becomes the problem's path.
func (m *merger) fail(from, format string, args ...any) {
	name := strings.TrimPrefix(strings.TrimPrefix(from, "flag "), "env ")
	m.probs = append(m.probs, Problem{Path: name, Msg: fmt.Sprintf(format, args...)})
}

func (m *merger) sink(env, flag *string) {
	v, from := pick(m, "sink", env, flag, EnvSink, "--sink")
	if v != nil {
		s, err := ParseSink(*v, "")
		if err != nil {
			m.fail(from, "%v", err)
			return
		}
		m.c.Sink = s
	}
	if m.c.Sink.IsZero() {
		m.probs = append(m.probs, Problem{File: m.c.File, Path: "sink",
			Msg: "no sink configured (set sink: in the config, " + EnvSink + " or --sink; e.g. s3://bucket/raw or ./data)"})
		return
	}
	m.add("sink", m.c.Sink.String(), from)
}

func (m *merger) format(env, flag *string) {
	v, from := pick(m, "format", env, flag, EnvFormat, "--format")
	if v != nil {
		f, err := format.Parse(*v)
		if err != nil {
			m.fail(from, "%v", err)
		} else {
			m.c.Format = f
		}
	}
	m.add("format", string(m.c.Format), from)
}

func (m *merger) str(key string, dst, env, flag *string, envName, flagName string, check func(string) error) {
	v, from := pick(m, key, env, flag, envName, flagName)
	if v != nil {
		if check != nil {
			if err := check(*v); err != nil {
				m.fail(from, "%v", err)
				return
			}
		}
		*dst = *v
	}
	m.add(key, *dst, from)
}

func (m *merger) number(key string, dst, env, flag *int, envName, flagName string, least int) {
	v, from := pick(m, key, env, flag, envName, flagName)
	if v != nil {
		if *v < least {
			m.fail(from, "must be at least %d, got %d", least, *v)
			return
		}
		*dst = *v
	}
	m.add(key, strconv.Itoa(*dst), from)
}

func (m *merger) pathStyle(env, flag *bool) {
	v, from := pick(m, "s3.path_style", env, flag, EnvS3PathStyle, "--s3-path-style")
	if v != nil {
		m.c.S3.PathStyle = *v
	}
	m.add("s3.path_style", strconv.FormatBool(m.c.S3.PathStyle), from)
}

func (m *merger) fileOnly(key string, v any) {
	_, from := pick[struct{}](m, key, nil, nil, "", "")
	if d, ok := v.(time.Duration); ok {
		v = d.String()
	}
	m.add(key, fmt.Sprint(v), from)
}

func checkLogFormat(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("unknown log format %q%s", s, hint(s, []string{"text", "json"}, "use text or json"))
	}
	return nil
}

// Package config is the workflow config, sluice.yaml: where data lands (the sink and its
// format), which accounts of which sources to collect, and run defaults. It loads the file
// strictly (unknown keys and type errors are reported with file:line and did-you-mean
// hints, every problem at once), resolves secret references (${env:X}, ${file:path},
// ${aws-sm:name#key}) lazily per account into redacting Secret values, loads .env files,
// merges flag > env > file precedence, and turns --date/--from/--to into a UTC day range.
package config

import (
	"time"

	"github.com/sluice-dev/sluice/internal/format"
)

// Defaults applied when the config file, the environment and the flags leave a value unset.
const (
	DefaultFormat       = format.Parquet
	DefaultLookbackDays = 2
	DefaultConcurrency  = 4
	// DefaultCheckpointPages is the checkpoint interval in pages.
	DefaultCheckpointPages = 200
	// DefaultSnapshotMaxShrink is the shrink fraction refused without --allow-shrink.
	DefaultSnapshotMaxShrink = 0.5
	DefaultTimeout           = 30 * time.Second
	DefaultMaxAttempts       = 6
	DefaultRetryInitial      = 500 * time.Millisecond
	DefaultRetryMax          = 30 * time.Second
	DefaultLogFormat         = "text"
)

// Config is a loaded, validated workflow config. Load fills every default, so a Config
// from Load is ready to use; Apply then layers environment and flag overrides on top.
type Config struct {
	// File is the path the config was loaded from, as given to Load (used in messages).
	File string
	// Dir is the directory of File; relative paths in the file are relative to it.
	Dir string
	// Sink is where files land. Its zero value (Sink.IsZero) means "not configured":
	// Apply reports that as a problem unless SLUICE_SINK or --sink provides one.
	Sink Sink
	// Format is the data file format: parquet (default) or jsonl.
	Format format.Format
	// S3 configures the S3 client; credentials always come from the AWS default chain.
	S3 S3
	// Specs are extra spec files or folders, resolved against Dir. Built-in specs are
	// always available in addition.
	Specs []string
	// Defaults are the run defaults.
	Defaults Defaults
	// Sources holds per-source overrides by source name.
	Sources map[string]SourceOverride
	// Accounts are the accounts to collect, in file order.
	Accounts []Account
	// LogFormat is text (default) or json. It is not a file key: it comes from
	// SLUICE_LOG_FORMAT or --log-format through Apply.
	LogFormat string

	// lines maps a field path ("sink", "accounts[0].streams[1]", "sources.x") to the line
	// it was written on; absent paths were not in the file.
	lines map[string]int
	// settings records where each effective value came from (see Apply).
	settings []Setting
}

// S3 configures the S3 client. Zero values mean "the AWS SDK's default".
type S3 struct {
	// Endpoint is a custom endpoint URL (MinIO, versitygw, LocalStack), e.g.
	// http://127.0.0.1:7070. Empty: AWS's regional endpoint.
	Endpoint string
	// Region is the AWS region. Empty: AWS_REGION / the profile's region.
	Region string
	// PathStyle addresses buckets as endpoint/bucket/key instead of bucket.endpoint/key;
	// most self-hosted S3 servers need it.
	PathStyle bool
}

// Defaults are the knobs every run uses unless a flag says otherwise.
type Defaults struct {
	// LookbackDays is how many days before yesterday a run without dates re-collects
	// (APIs revise recent data). 0 means yesterday only. Default 2.
	LookbackDays int
	// Concurrency is how many partitions or request windows are in flight per run. Default 4.
	Concurrency int
	// Timeout bounds each HTTP attempt. Default 30s.
	Timeout time.Duration
	// Retry is the backoff policy for retryable HTTP failures.
	Retry Retry
	// CheckpointPages is the most pages of a request window a crash costs: checkpoints (a
	// rerun after a crash resumes there) are taken every CheckpointPages less an eighth,
	// and no page is requested more than CheckpointPages past the last one saved. 0
	// disables checkpoints. Default 200.
	CheckpointPages int
	// SnapshotMaxShrink is the largest fraction (0..1) by which a snapshot capture may
	// shrink against the last snapshot and still be committed without --allow-shrink.
	// Default 0.5.
	SnapshotMaxShrink float64
}

// Retry is an exponential backoff policy.
type Retry struct {
	// MaxAttempts counts the first attempt too; 1 disables retries. Default 6.
	MaxAttempts int
	// Initial is the first wait. Default 500ms.
	Initial time.Duration
	// Max caps any single wait. Default 30s.
	Max time.Duration
}

// SourceOverride changes a source spec for this workflow.
type SourceOverride struct {
	// BaseURL replaces the spec's base_url (a proxy, a regional host, a fake server).
	BaseURL string
}

// Account is one account of one source to collect.
type Account struct {
	// Source is the source name (account_type in the layout).
	Source string
	// ID is the account id (account_id in the layout); validated to be path-safe.
	ID string
	// Name is an optional human label for logs and status output.
	Name string
	// Streams lists the streams to collect; empty means every stream of the source.
	Streams []string
	// Credentials are secret references by credential name (e.g. "token"). They are
	// resolved only when the account runs, by Resolver.Credentials.
	Credentials map[string]Ref
	// Vars are free-form values available to spec templates as {{vars.<name>}}.
	Vars map[string]string
	// Line is the line of the account's entry in the config file (0 if built in code).
	Line int
}

// Key returns "source/id", the account's identity in messages and selections.
func (a *Account) Key() string { return a.Source + "/" + a.ID }

// Label returns the account's name if it has one, else its key.
func (a *Account) Label() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Key()
}

// Match reports whether the selector sel (as given to --account) names this account:
// its id, its name, its source, or "source/id".
func (a *Account) Match(sel string) bool {
	return sel == a.ID || sel == a.Key() || sel == a.Source || (a.Name != "" && sel == a.Name)
}

// BaseURL returns the base_url override for source, or "" when the spec's own applies.
func (c *Config) BaseURL(source string) string { return c.Sources[source].BaseURL }

// Line returns the line on which the field at path (e.g. "sink", "accounts[1].id") was
// written, or 0 when the file did not set it.
func (c *Config) Line(path string) int { return c.lines[path] }

// setDefaults fills every unset value with its default.
func (c *Config) setDefaults() {
	if c.Format == "" {
		c.Format = DefaultFormat
	}
	if c.LogFormat == "" {
		c.LogFormat = DefaultLogFormat
	}
	d := &c.Defaults
	if _, ok := c.lines["defaults.lookback_days"]; !ok {
		d.LookbackDays = DefaultLookbackDays
	}
	if d.Concurrency == 0 {
		d.Concurrency = DefaultConcurrency
	}
	if _, ok := c.lines["defaults.checkpoint_pages"]; !ok {
		d.CheckpointPages = DefaultCheckpointPages
	}
	if d.SnapshotMaxShrink == 0 {
		d.SnapshotMaxShrink = DefaultSnapshotMaxShrink
	}
	if d.Timeout == 0 {
		d.Timeout = DefaultTimeout
	}
	if d.Retry.MaxAttempts == 0 {
		d.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if d.Retry.Initial == 0 {
		d.Retry.Initial = DefaultRetryInitial
	}
	if d.Retry.Max == 0 {
		d.Retry.Max = DefaultRetryMax
	}
}

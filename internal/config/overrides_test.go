package config

import (
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/internal/format"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func ptr[T any](v T) *T { return &v }

const overrideConfig = `sink: ./data
format: jsonl
s3: {region: eu-west-1}
defaults:
  concurrency: 2
  timeout: 10s
`

func TestApplyPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		flags Overrides
		want  []Setting
	}{
		{"file and defaults", nil, Overrides{}, []Setting{
			{"sink", "conf/data", "conf/sluice.yaml:1"},
			{"format", "jsonl", "conf/sluice.yaml:2"},
			{"s3.endpoint", "", "default"},
			{"s3.region", "eu-west-1", "conf/sluice.yaml:3"},
			{"s3.path_style", "false", "default"},
			{"defaults.lookback_days", "2", "default"},
			{"defaults.concurrency", "2", "conf/sluice.yaml:5"},
			{"log_format", "text", "default"},
			{"defaults.timeout", "10s", "conf/sluice.yaml:6"},
			{"defaults.retry.max_attempts", "6", "default"},
			{"defaults.retry.initial", "500ms", "default"},
			{"defaults.retry.max", "30s", "default"},
			{"defaults.checkpoint_pages", "200", "default"},
			{"defaults.snapshot_max_shrink", "0.5", "default"},
		}},
		{"env over file", map[string]string{
			EnvSink: "s3://env-bucket/raw", EnvFormat: "parquet", EnvConcurrency: "16", EnvLookbackDays: "0",
			EnvS3Endpoint: "http://127.0.0.1:7070", EnvS3Region: "us-east-1", EnvS3PathStyle: "true", EnvLogFormat: "json",
		}, Overrides{}, []Setting{
			{"sink", "s3://env-bucket/raw", "env SLUICE_SINK"},
			{"format", "parquet", "env SLUICE_FORMAT"},
			{"s3.endpoint", "http://127.0.0.1:7070", "env SLUICE_S3_ENDPOINT"},
			{"s3.region", "us-east-1", "env SLUICE_S3_REGION"},
			{"s3.path_style", "true", "env SLUICE_S3_PATH_STYLE"},
			{"defaults.lookback_days", "0", "env SLUICE_LOOKBACK_DAYS"},
			{"defaults.concurrency", "16", "env SLUICE_CONCURRENCY"},
			{"log_format", "json", "env SLUICE_LOG_FORMAT"},
			{"defaults.timeout", "10s", "conf/sluice.yaml:6"},
			{"defaults.retry.max_attempts", "6", "default"},
			{"defaults.retry.initial", "500ms", "default"},
			{"defaults.retry.max", "30s", "default"},
			{"defaults.checkpoint_pages", "200", "default"},
			{"defaults.snapshot_max_shrink", "0.5", "default"},
		}},
		{"flag over env, empty env ignored", map[string]string{EnvSink: "s3://env-bucket/raw", EnvConcurrency: "16", EnvFormat: ""},
			Overrides{Sink: ptr("out"), Concurrency: ptr(1), LookbackDays: ptr(7), S3PathStyle: ptr(true), LogFormat: ptr("json")},
			[]Setting{
				{"sink", "out", "flag --sink"},
				{"format", "jsonl", "conf/sluice.yaml:2"},
				{"s3.endpoint", "", "default"},
				{"s3.region", "eu-west-1", "conf/sluice.yaml:3"},
				{"s3.path_style", "true", "flag --s3-path-style"},
				{"defaults.lookback_days", "7", "flag --lookback-days"},
				{"defaults.concurrency", "1", "flag --concurrency"},
				{"log_format", "json", "flag --log-format"},
				{"defaults.timeout", "10s", "conf/sluice.yaml:6"},
				{"defaults.retry.max_attempts", "6", "default"},
				{"defaults.retry.initial", "500ms", "default"},
				{"defaults.retry.max", "30s", "default"},
				{"defaults.checkpoint_pages", "200", "default"},
				{"defaults.snapshot_max_shrink", "0.5", "default"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("conf/sluice.yaml", []byte(overrideConfig))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if err := c.Apply(EnvOverrides(envMap(tt.env)), tt.flags); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := c.Settings(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Settings =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestApplyEffectiveValues(t *testing.T) {
	c, err := Parse("conf/sluice.yaml", []byte(overrideConfig))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	env := EnvOverrides(envMap(map[string]string{EnvSink: "s3://env-bucket/raw", EnvS3PathStyle: "1"}))
	if err := c.Apply(env, Overrides{Format: ptr("json"), Concurrency: ptr(9)}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if want := (Sink{Kind: SinkS3, Bucket: "env-bucket", Prefix: "raw", Raw: "s3://env-bucket/raw"}); c.Sink != want {
		t.Errorf("Sink = %+v, want %+v", c.Sink, want)
	}
	if c.Format != format.JSONL || c.Defaults.Concurrency != 9 {
		t.Errorf("Format, Concurrency = %s, %d; want jsonl, 9", c.Format, c.Defaults.Concurrency)
	}
	if want := (S3{Region: "eu-west-1", PathStyle: true}); c.S3 != want {
		t.Errorf("S3 = %+v, want %+v", c.S3, want)
	}
}

func TestApplyProblems(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		env   map[string]string
		flags Overrides
		want  string
	}{
		{"no sink anywhere", "format: jsonl\n", nil, Overrides{},
			"sluice.yaml: sink: no sink configured (set sink: in the config, SLUICE_SINK or --sink; e.g. s3://bucket/raw or ./data)"},
		{"bad env values", "sink: ./d\n", map[string]string{
			EnvConcurrency: "lots", EnvLookbackDays: "-1", EnvS3PathStyle: "maybe", EnvFormat: "csv", EnvSink: "gs://x", EnvS3Endpoint: "localhost:9000",
		}, Overrides{},
			`SLUICE_CONCURRENCY: "lots" is not a whole number
SLUICE_S3_PATH_STYLE: "maybe" is not true or false
SLUICE_SINK: unsupported scheme "gs" (use s3://bucket/prefix, file:///abs/path or a local folder)
SLUICE_FORMAT: unknown format "csv" (use parquet or jsonl)
SLUICE_S3_ENDPOINT: "localhost:9000" is not an http(s) URL (e.g. https://api.example.com)
SLUICE_LOOKBACK_DAYS: must be at least 0, got -1`},
		{"bad flags", "sink: ./d\n", nil, Overrides{Concurrency: ptr(0), LogFormat: ptr("jsno"), Sink: ptr("s3://")},
			`--sink: "s3://" has no bucket (use s3://bucket/prefix)
--concurrency: must be at least 1, got 0
--log-format: unknown log format "jsno" (did you mean "json"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("sluice.yaml", []byte(tt.doc))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = c.Apply(EnvOverrides(envMap(tt.env)), tt.flags)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Apply error =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

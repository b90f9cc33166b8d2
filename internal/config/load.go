package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/sluice-dev/sluice/internal/format"
)

// Top-level and nested keys, in the order the docs present them.
var (
	topKeys      = []string{"sink", "format", "s3", "specs", "defaults", "sources", "accounts"}
	s3Keys       = []string{"endpoint", "region", "path_style"}
	defaultsKeys = []string{"lookback_days", "concurrency", "timeout", "retry", "checkpoint_pages", "snapshot_max_shrink"}
	retryKeys    = []string{"max_attempts", "initial", "max"}
	sourceKeys   = []string{"base_url"}
	accountKeys  = []string{"source", "id", "name", "streams", "credentials", "vars"}
)

// Load reads and validates the config file at path. Relative paths inside it (local
// sinks, specs, ${file:...} secrets) are resolved against the file's directory. The error
// is Problems listing every problem found, each with file:line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse validates a config document. name is used in messages and its directory as the
// base of relative paths. Checks that need the source specs (do sources and streams
// exist?) are left to Check. Parse never panics, whatever data holds.
func Parse(name string, data []byte) (*Config, error) {
	d := &decoder{file: name, lines: map[string]int{}}
	c := &Config{File: name, Dir: filepath.Dir(name), lines: d.lines}
	root, err := parseDocument(data)
	if err != nil {
		d.probs = append(d.probs, syntaxProblem(name, err))
		return nil, d.probs.err()
	}
	if root == nil {
		d.addf(nil, "", "the config is empty (see examples/sluice.yaml for a start)")
		return nil, d.probs.err()
	}
	for _, e := range d.mapping(root, "", topKeys) {
		switch e.key {
		case "sink":
			if s := d.str(e.value, "sink"); s != "" {
				sink, err := ParseSink(s, c.Dir)
				if err != nil {
					d.addf(e.value, "sink", "%v", err)
				}
				c.Sink = sink
			}
		case "format":
			c.Format = d.format(e.value)
		case "s3":
			c.S3 = d.s3(e.value)
		case "specs":
			for _, s := range d.strings(e.value, "specs") {
				if !filepath.IsAbs(s) {
					s = filepath.Join(c.Dir, s)
				}
				c.Specs = append(c.Specs, s)
			}
		case "defaults":
			c.Defaults = d.defaults(e.value)
		case "sources":
			c.Sources = d.sources(e.value)
		case "accounts":
			c.Accounts = d.accounts(e.value, c.Dir)
		}
	}
	if err := d.probs.err(); err != nil {
		return nil, err
	}
	c.setDefaults()
	return c, nil
}

// parseDocument parses exactly one YAML document and returns its root (nil if empty).
func parseDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("yaml: line %d: only one YAML document is allowed (remove the second ---)", extra.Line)
	} else if !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// syntaxProblem turns a YAML parser error ("yaml: line 3: did not find expected key")
// into a located Problem.
func syntaxProblem(file string, err error) Problem {
	p := Problem{File: file, Msg: err.Error()}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Msg = m[2]
	}
	p.Msg = "invalid YAML: " + p.Msg
	return p
}

func (d *decoder) format(n *yaml.Node) format.Format {
	s := d.str(n, "format")
	if s == "" {
		return ""
	}
	f, err := format.Parse(s)
	if err != nil {
		d.addf(n, "format", "unknown format %q%s", s, hint(s, []string{"parquet", "jsonl"}, "use parquet or jsonl"))
	}
	return f
}

func (d *decoder) s3(n *yaml.Node) S3 {
	var s S3
	for _, e := range d.mapping(n, "s3", s3Keys) {
		p := "s3." + e.key
		switch e.key {
		case "endpoint":
			s.Endpoint = d.str(e.value, p)
			if s.Endpoint != "" {
				if err := checkHTTPURL(s.Endpoint); err != nil {
					d.addf(e.value, p, "%v", err)
				}
			}
		case "region":
			s.Region = d.str(e.value, p)
		case "path_style":
			s.PathStyle = d.boolean(e.value, p)
		}
	}
	return s
}

func (d *decoder) defaults(n *yaml.Node) Defaults {
	var v Defaults
	for _, e := range d.mapping(n, "defaults", defaultsKeys) {
		p := "defaults." + e.key
		switch e.key {
		case "lookback_days":
			v.LookbackDays = d.nonNegative(e.value, p, "0 means yesterday only")
		case "concurrency":
			v.Concurrency = d.positive(e.value, p)
		case "snapshot_max_shrink":
			v.SnapshotMaxShrink = d.fraction(e.value, p)
		case "checkpoint_pages":
			v.CheckpointPages = d.nonNegative(e.value, p, "0 turns checkpoints off")
		case "timeout":
			v.Timeout = d.duration(e.value, p)
		case "retry":
			v.Retry = d.retry(e.value)
		}
	}
	return v
}

func (d *decoder) retry(n *yaml.Node) Retry {
	var r Retry
	for _, e := range d.mapping(n, "defaults.retry", retryKeys) {
		p := "defaults.retry." + e.key
		switch e.key {
		case "max_attempts":
			r.MaxAttempts = d.positive(e.value, p)
		case "initial":
			r.Initial = d.duration(e.value, p)
		case "max":
			r.Max = d.duration(e.value, p)
		}
	}
	initial, maxWait := r.Initial, r.Max
	if initial == 0 {
		initial = DefaultRetryInitial
	}
	if maxWait == 0 {
		maxWait = DefaultRetryMax
	}
	if maxWait < initial {
		d.addf(n, "defaults.retry", "max (%s) is shorter than initial (%s)", maxWait, initial)
	}
	return r
}

// positive decodes a whole number of at least 1.
// nonNegative decodes an integer ≥ 0; meaning0 explains what 0 does, for the message.
func (d *decoder) nonNegative(n *yaml.Node, path, meaning0 string) int {
	i, ok := d.integer(n, path)
	if ok && i < 0 {
		d.addf(n, path, "cannot be negative (%s)", meaning0)
	}
	return i
}

// fraction decodes a number strictly between 0 and 1.
func (d *decoder) fraction(n *yaml.Node, path string) float64 {
	f, ok := d.walker().Float(n, path)
	if !ok {
		return 0
	}
	if f <= 0 || f >= 1 {
		d.addf(n, path, "%s: give a fraction between 0 and 1 (0.5 refuses captures with less than half the records of the last snapshot)", n.Value)
		return 0
	}
	d.mark(resolve(n), path)
	return f
}

func (d *decoder) positive(n *yaml.Node, path string) int {
	i, ok := d.integer(n, path)
	if ok && i < 1 {
		d.addf(n, path, "must be at least 1, got %d", i)
		return 0
	}
	return i
}

func (d *decoder) sources(n *yaml.Node) map[string]SourceOverride {
	out := map[string]SourceOverride{}
	for _, e := range d.mapping(n, "sources", nil) {
		p := "sources." + e.key
		d.mark(e.keyN, p)
		var o SourceOverride
		for _, f := range d.mapping(e.value, p, sourceKeys) {
			o.BaseURL = d.str(f.value, p+".base_url")
			if err := checkHTTPURL(o.BaseURL); o.BaseURL != "" && err != nil {
				d.addf(f.value, p+".base_url", "%v", err)
			}
		}
		out[e.key] = o
	}
	return out
}

// checkHTTPURL accepts absolute http and https URLs.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL (e.g. https://api.example.com)", s)
	}
	return nil
}

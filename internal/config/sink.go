package config

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Sink kinds.
const (
	SinkS3    = "s3"
	SinkLocal = "local"
)

// Sink is a parsed sink: an S3 bucket and prefix, or a local folder.
type Sink struct {
	// Kind is SinkS3 or SinkLocal ("" for the zero Sink: not configured).
	Kind string
	// Bucket is the S3 bucket (s3 only).
	Bucket string
	// Prefix is the key prefix inside the bucket, without leading or trailing "/"
	// (s3 only; may be empty).
	Prefix string
	// Path is the local folder, cleaned; relative paths are relative to the current
	// directory (the loader has already joined paths from the file with its directory).
	Path string
	// Raw is the text the sink was parsed from, for messages.
	Raw string
}

// IsZero reports whether no sink is configured.
func (s Sink) IsZero() bool { return s.Kind == "" }

// String renders the sink as a URL-ish text: s3://bucket/prefix or the local path.
func (s Sink) String() string {
	switch s.Kind {
	case SinkS3:
		if s.Prefix == "" {
			return "s3://" + s.Bucket
		}
		return "s3://" + s.Bucket + "/" + s.Prefix
	case SinkLocal:
		return s.Path
	}
	return ""
}

var (
	schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// ParseSink parses s3://bucket/prefix, file:///abs/path or a plain local path. A relative
// plain path is joined to baseDir (pass "" to keep it relative to the current directory).
// Errors say which forms are accepted.
func ParseSink(s, baseDir string) (Sink, error) {
	if strings.TrimSpace(s) == "" {
		return Sink{}, fmt.Errorf("is empty (use s3://bucket/prefix, file:///abs/path or a local folder)")
	}
	if strings.ContainsFunc(s, isControl) {
		return Sink{}, fmt.Errorf("contains control characters")
	}
	m := schemeRE.FindStringSubmatch(s)
	if m == nil {
		return localSink(s, s, baseDir)
	}
	rest := s[len(m[0]):]
	switch strings.ToLower(m[1]) {
	case "s3":
		return s3Sink(s, rest)
	case "file":
		if !strings.HasPrefix(rest, "/") {
			return Sink{}, fmt.Errorf("%q: file URLs need an absolute path, like file:///data/raw (use a plain path for a relative folder)", s)
		}
		return localSink(s, rest, "")
	}
	return Sink{}, fmt.Errorf("unsupported scheme %q%s", m[1],
		hint(strings.ToLower(m[1]), []string{"s3", "file"}, "use s3://bucket/prefix, file:///abs/path or a local folder"))
}

func s3Sink(raw, rest string) (Sink, error) {
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Sink{}, fmt.Errorf("%q has no bucket (use s3://bucket/prefix)", raw)
	}
	if !bucketRE.MatchString(bucket) || strings.Contains(bucket, "..") {
		return Sink{}, fmt.Errorf("%q is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')", bucket)
	}
	if strings.ContainsAny(prefix, "?#") {
		return Sink{}, fmt.Errorf("%q: a sink prefix cannot contain '?' or '#'", raw)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return Sink{}, fmt.Errorf("%q: prefix segments cannot be empty, \".\" or \"..\"", raw)
			}
		}
	}
	return Sink{Kind: SinkS3, Bucket: bucket, Prefix: prefix, Raw: raw}, nil
}

func localSink(raw, p, baseDir string) (Sink, error) {
	if !filepath.IsAbs(p) && baseDir != "" {
		p = filepath.Join(baseDir, p)
	}
	return Sink{Kind: SinkLocal, Path: filepath.Clean(p), Raw: raw}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// Options are the S3 settings a sink URL cannot carry. They are ignored for local sinks.
type Options struct {
	// Endpoint is a custom S3 endpoint URL (MinIO, versitygw); "" means AWS.
	Endpoint string
	// Region overrides the AWS configuration's region.
	Region string
	// PathStyle addresses buckets as endpoint/bucket; self-hosted servers usually need it.
	PathStyle bool
	// AccessKey and SecretKey are static credentials; empty means the standard AWS chain.
	AccessKey, SecretKey string
}

var (
	schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
	bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// Open returns the store of a sink and its display root: "s3://bucket/prefix" opens an S3
// store (display "s3://bucket/prefix", without a trailing "/"), "file:///abs/path" or a
// plain path (relative paths are made absolute) a Local store (display: the absolute
// path). Malformed sinks and unknown schemes are errors that show the accepted forms.
func Open(ctx context.Context, sink string, opt Options) (Store, string, error) {
	if strings.TrimSpace(sink) == "" {
		return nil, "", fmt.Errorf("empty sink (use s3://bucket/prefix or a local path)")
	}
	m := schemeRE.FindStringSubmatch(sink)
	if m == nil {
		return openLocal(sink, sink)
	}
	switch scheme := strings.ToLower(m[1]); scheme {
	case "s3":
		return openS3(ctx, sink, sink[len(m[0]):], opt)
	case "file":
		u, err := url.Parse(sink)
		if err != nil {
			return nil, "", fmt.Errorf("sink %q: %w", sink, err)
		}
		if (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			return nil, "", fmt.Errorf("sink %q: a file sink needs an absolute path: file:///abs/path (or give a plain path)", sink)
		}
		return openLocal(sink, u.Path)
	default:
		return nil, "", fmt.Errorf("sink %q: unsupported sink scheme %s (use s3://bucket/prefix or a local path)", sink, scheme)
	}
}

func openLocal(sink, path string) (Store, string, error) {
	l, err := NewLocal(filepath.Clean(path))
	if err != nil {
		return nil, "", fmt.Errorf("sink %q: %w", sink, err)
	}
	return l, l.Root(), nil
}

func openS3(ctx context.Context, sink, rest string, opt Options) (Store, string, error) {
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, "", fmt.Errorf("sink %q: missing bucket name (use s3://bucket/prefix)", sink)
	}
	if !bucketRE.MatchString(bucket) || strings.Contains(bucket, "..") {
		return nil, "", fmt.Errorf("sink %q: invalid bucket name %q (3-63 lowercase letters, digits, dots and hyphens)", sink, bucket)
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		if err := ValidateKey(prefix); err != nil {
			return nil, "", fmt.Errorf("sink %q: prefix: %w", sink, err)
		}
	}
	s, err := NewS3(ctx, S3Config{
		Bucket:    bucket,
		Prefix:    prefix,
		Endpoint:  opt.Endpoint,
		Region:    opt.Region,
		PathStyle: opt.PathStyle,
		AccessKey: opt.AccessKey,
		SecretKey: opt.SecretKey,
	})
	if err != nil {
		return nil, "", fmt.Errorf("sink %q: %w", sink, err)
	}
	return s, s.Root(), nil
}

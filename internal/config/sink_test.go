package config

import "testing"

func TestParseSink(t *testing.T) {
	tests := []struct {
		name, in, base string
		want           Sink
		err            string
	}{
		{"s3 with prefix", "s3://my-bucket/raw/social/", "", Sink{Kind: SinkS3, Bucket: "my-bucket", Prefix: "raw/social", Raw: "s3://my-bucket/raw/social/"}, ""},
		{"s3 bucket only", "s3://my.bucket", "", Sink{Kind: SinkS3, Bucket: "my.bucket", Raw: "s3://my.bucket"}, ""},
		{"s3 scheme case", "S3://bkt/x", "", Sink{Kind: SinkS3, Bucket: "bkt", Prefix: "x", Raw: "S3://bkt/x"}, ""},
		{"file url", "file:///data/raw/", "/ignored", Sink{Kind: SinkLocal, Path: "/data/raw", Raw: "file:///data/raw/"}, ""},
		{"relative path joined to base", "./data", "conf", Sink{Kind: SinkLocal, Path: "conf/data", Raw: "./data"}, ""},
		{"relative path kept", "data/../out", "", Sink{Kind: SinkLocal, Path: "out", Raw: "data/../out"}, ""},
		{"absolute path", "/srv/lake", "conf", Sink{Kind: SinkLocal, Path: "/srv/lake", Raw: "/srv/lake"}, ""},
		{"empty", " ", "", Sink{}, "is empty (use s3://bucket/prefix, file:///abs/path or a local folder)"},
		{"no bucket", "s3:///raw", "", Sink{}, `"s3:///raw" has no bucket (use s3://bucket/prefix)`},
		{"bad bucket", "s3://ab/raw", "", Sink{}, `"ab" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`},
		{"dot-dot bucket", "s3://a..b/raw", "", Sink{}, `"a..b" is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')`},
		{"dot-dot prefix", "s3://bkt/raw/../x", "", Sink{}, `"s3://bkt/raw/../x": prefix segments cannot be empty, "." or ".."`},
		{"double slash prefix", "s3://bkt/raw//x", "", Sink{}, `"s3://bkt/raw//x": prefix segments cannot be empty, "." or ".."`},
		{"query in prefix", "s3://bkt/raw?x=1", "", Sink{}, `"s3://bkt/raw?x=1": a sink prefix cannot contain '?' or '#'`},
		{"relative file url", "file://data/raw", "", Sink{}, `"file://data/raw": file URLs need an absolute path, like file:///data/raw (use a plain path for a relative folder)`},
		{"unknown scheme", "gs://bkt", "", Sink{}, `unsupported scheme "gs" (use s3://bucket/prefix, file:///abs/path or a local folder)`},
		{"scheme typo", "fille:///x", "", Sink{}, `unsupported scheme "fille" (did you mean "file"?)`},
		{"control character", "./da\x00ta", "", Sink{}, "contains control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSink(tt.in, tt.base)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseSink(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseSink(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSinkString(t *testing.T) {
	for _, tt := range []struct {
		s    Sink
		want string
	}{
		{Sink{Kind: SinkS3, Bucket: "b", Prefix: "p/q"}, "s3://b/p/q"},
		{Sink{Kind: SinkS3, Bucket: "b"}, "s3://b"},
		{Sink{Kind: SinkLocal, Path: "/data"}, "/data"},
		{Sink{}, ""},
	} {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

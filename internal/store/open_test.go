package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	opt := store.Options{
		Endpoint: "http://127.0.0.1:1", Region: "eu-west-1", PathStyle: true,
		AccessKey: "FAKEACCESSKEY", SecretKey: "fake-secret",
	}
	cases := []struct {
		name, sink string
		wantRoot   string
		wantS3     bool
		wantErr    string
	}{
		{name: "s3 bucket", sink: "s3://my-bucket", wantRoot: "s3://my-bucket", wantS3: true},
		{name: "s3 prefix", sink: "s3://my-bucket/raw/sluice", wantRoot: "s3://my-bucket/raw/sluice", wantS3: true},
		{name: "s3 trailing slash", sink: "s3://my-bucket/raw/", wantRoot: "s3://my-bucket/raw", wantS3: true},
		{name: "s3 upper-case scheme", sink: "S3://my-bucket/raw", wantRoot: "s3://my-bucket/raw", wantS3: true},
		{name: "file url", sink: "file://" + dir + "/out", wantRoot: dir + "/out"},
		{name: "file url localhost", sink: "file://localhost" + dir + "/lh", wantRoot: dir + "/lh"},
		{name: "absolute path", sink: dir + "/abs/", wantRoot: dir + "/abs"},
		{name: "relative path", sink: "data/lake", wantRoot: dir + "/data/lake"},
		{name: "empty", sink: "", wantErr: "empty sink (use s3://bucket/prefix or a local path)"},
		{name: "s3 without bucket", sink: "s3://", wantErr: `sink "s3://": missing bucket name (use s3://bucket/prefix)`},
		{name: "s3 empty bucket", sink: "s3:///prefix", wantErr: `sink "s3:///prefix": missing bucket name (use s3://bucket/prefix)`},
		{name: "s3 bad bucket", sink: "s3://My_Bucket/x", wantErr: `sink "s3://My_Bucket/x": invalid bucket name "My_Bucket" (3-63 lowercase letters, digits, dots and hyphens)`},
		{name: "s3 unsafe prefix", sink: "s3://b-1/a/../c", wantErr: `sink "s3://b-1/a/../c": prefix: invalid key "a/../c": segment ".." is not allowed`},
		{name: "gs", sink: "gs://bucket/x", wantErr: `sink "gs://bucket/x": unsupported sink scheme gs (use s3://bucket/prefix or a local path)`},
		{name: "https", sink: "https://example.com/x", wantErr: `sink "https://example.com/x": unsupported sink scheme https (use s3://bucket/prefix or a local path)`},
		{name: "file relative", sink: "file://data", wantErr: `sink "file://data": a file sink needs an absolute path: file:///abs/path (or give a plain path)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, root, err := store.Open(t.Context(), c.sink, opt)
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("error = %v\nwant %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if root != c.wantRoot {
				t.Fatalf("root = %q, want %q", root, c.wantRoot)
			}
			switch s := s.(type) {
			case *store.S3:
				if !c.wantS3 {
					t.Fatalf("got an S3 store, want a local one")
				}
				if s.Root() != c.wantRoot {
					t.Fatalf("S3 Root = %q, want %q", s.Root(), c.wantRoot)
				}
			case *store.Local:
				if c.wantS3 {
					t.Fatalf("got a local store, want S3")
				}
				if fi, err := os.Stat(filepath.FromSlash(c.wantRoot)); err != nil || !fi.IsDir() {
					t.Fatalf("local root %s not created: %v", c.wantRoot, err)
				}
			default:
				t.Fatalf("store type %T", s)
			}
		})
	}
}

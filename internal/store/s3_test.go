package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/s3test"
	"github.com/sluice-dev/sluice/internal/store/storetest"
)

// newS3 returns an S3 store on srv under its own prefix, with a multipart threshold low
// enough that the suite's large objects go by multipart upload.
func newS3(t *testing.T, srv *s3test.Server, prefix string) *store.S3 {
	t.Helper()
	s, err := store.NewS3(t.Context(), store.S3Config{
		Bucket:             srv.Bucket,
		Prefix:             prefix,
		Endpoint:           srv.URL,
		Region:             srv.Region,
		PathStyle:          true,
		AccessKey:          srv.AccessKey,
		SecretKey:          srv.SecretKey,
		MultipartThreshold: 8 << 20,
		PartSize:           5 << 20,
		MaxAttempts:        2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Conformance(t *testing.T) {
	srv := s3test.Start(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		return newS3(t, srv, fmt.Sprintf("run/%03d", n.Add(1)))
	})
}

func TestS3PrefixIsolation(t *testing.T) {
	srv := s3test.Start(t)
	a, b := newS3(t, srv, "tenant-a/"), newS3(t, srv, "tenant-a-b")
	ctx := t.Context()
	if _, err := a.Create(ctx, "k", strings.NewReader("in a"), 4); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Create(ctx, "k", strings.NewReader("in b"), 4); err != nil {
		t.Fatalf("Create under another prefix: %v", err)
	}
	var keys []string
	for obj, err := range a.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, obj.Key)
	}
	if fmt.Sprint(keys) != "[k]" {
		t.Fatalf("List under tenant-a = %q, want [k]", keys)
	}
	if got, want := a.Root(), "s3://sluice-test/tenant-a"; got != want {
		t.Fatalf("Root = %q, want %q", got, want)
	}
}

func TestS3ServerDown(t *testing.T) {
	srv := s3test.Start(t)
	s := newS3(t, srv, "down")
	ctx := t.Context()
	if _, err := s.Create(ctx, "before", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	_, err := s.Create(ctx, "during", strings.NewReader("x"), 1)
	want := fmt.Sprintf("s3 put s3://sluice-test/down/during: cannot connect to %s; is the S3 server running and the endpoint right?: ", srv.URL)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Create with the server down: error = %v\nwant prefix %s", err, want)
	}
	srv.Restart()
	rc, obj, err := s.Get(ctx, "before")
	if err != nil {
		t.Fatalf("Get after restart: %v", err)
	}
	rc.Close()
	if obj.Size != 1 {
		t.Fatalf("object after restart: size %d, want 1", obj.Size)
	}
	if _, err := s.Create(ctx, "during", strings.NewReader("x"), 1); err != nil {
		t.Fatalf("Create after restart: %v", err)
	}
}

func TestS3Errors(t *testing.T) {
	srv := s3test.Start(t)
	ctx := t.Context()
	cases := []struct {
		name string
		cfg  func(c *store.S3Config)
		want string
	}{
		{
			name: "missing bucket",
			cfg:  func(c *store.S3Config) { c.Bucket = "no-such-bucket" },
			want: `s3 put s3://no-such-bucket/p/k: bucket "no-such-bucket" does not exist; create it or fix the sink: `,
		},
		{
			name: "wrong secret",
			cfg:  func(c *store.S3Config) { c.SecretKey = "not-the-secret" },
			want: "s3 put s3://sluice-test/p/k: credentials rejected; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE: ",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := store.S3Config{
				Bucket: srv.Bucket, Prefix: "p", Endpoint: srv.URL, Region: srv.Region, PathStyle: true,
				AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, MaxAttempts: 1,
			}
			c.cfg(&cfg)
			s, err := store.NewS3(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Create(ctx, "k", strings.NewReader("x"), 1)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error = %v\nwant prefix %s", err, c.want)
			}
			if errors.Is(err, store.ErrExists) || errors.Is(err, context.Canceled) {
				t.Fatalf("error %v wrongly matches a sentinel", err)
			}
		})
	}
}

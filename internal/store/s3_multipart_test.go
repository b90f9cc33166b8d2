package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/s3test"
)

// TestS3MultipartCreateIfAbsent proves that objects above the threshold really go in parts
// (the ETag of a 5-part upload ends in "-5") and that concurrent multipart Creates of one
// key still yield exactly one winner and no stray uploads.
func TestS3MultipartCreateIfAbsent(t *testing.T) {
	srv := s3test.Start(t)
	s := newS3(t, srv, "mp")
	ctx := t.Context()
	const size = 22 << 20 // 8 MiB threshold, 5 MiB parts: 5 parts
	contents := [3][]byte{}
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, size)
	}
	var wg sync.WaitGroup
	objs := make([]store.Object, len(contents))
	errs := make([]error, len(contents))
	for i := range contents {
		wg.Go(func() {
			objs[i], errs[i] = s.Create(ctx, "big", bytes.NewReader(contents[i]), size)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("multipart writers %d and %d both created the key", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrExists):
			t.Fatalf("writer %d: error = %v, want ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer won: %v", errs)
	}
	if etag := objs[winner].ETag; !strings.HasSuffix(etag, `-5"`) {
		t.Fatalf("ETag = %s, want a 5-part multipart ETag", etag)
	}
	rc, _, err := s.Get(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, contents[winner]) {
		t.Fatalf("content differs from the winner's (err %v, %d bytes)", err, len(got))
	}

	// A cancelled upload is aborted.
	cctx, cancel := context.WithCancel(ctx)
	_, err = s.Create(cctx, "cancelled", &cancelAfter{n: 12 << 20, cancel: cancel}, -1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Create: error = %v, want context.Canceled", err)
	}
	ups, err := srv.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(srv.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Fatalf("%d multipart uploads left behind, want 0", len(ups.Uploads))
	}
}

// cancelAfter yields zeros and cancels its context after n bytes.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	clear(p)
	c.n -= len(p)
	if c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

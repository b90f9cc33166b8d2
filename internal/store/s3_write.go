package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Create uploads r to key only if key does not exist (If-None-Match: *), returning
// ErrExists otherwise. Up to the multipart threshold the content is buffered and sent in
// one PutObject; above it, parts of PartSize are buffered and uploaded one by one and
// CompleteMultipartUpload carries the If-None-Match condition, so the object appears whole
// or not at all. On AWS and on versitygw (which re-checks the condition under its publish
// lock) this is as atomic as a single PutObject. A failed upload is aborted.
func (s *S3) Create(ctx context.Context, key string, r io.Reader, size int64) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, fmt.Errorf("s3 put: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Object{}, fmt.Errorf("s3 put %s: %w", s.url(key), err)
	}
	r = ctxReader{ctx, r}
	head, err := io.ReadAll(io.LimitReader(r, s.threshold+1))
	if err != nil {
		return Object{}, fmt.Errorf("s3 put %s: read content: %w", s.url(key), err)
	}
	if int64(len(head)) > s.threshold {
		return s.createMultipart(ctx, key, io.MultiReader(bytes.NewReader(head), r), size)
	}
	if size >= 0 && int64(len(head)) != size {
		return Object{}, fmt.Errorf("s3 put %s: read %d bytes, expected %d", s.url(key), len(head), size)
	}
	return s.put(ctx, key, head, "*", "", ErrExists)
}

// Swap writes data to key if its ETag is etag (If-Match), or if it does not exist when
// etag is "" (If-None-Match: *). It returns ErrPrecondition otherwise, including when an
// etag is given and the key does not exist.
func (s *S3) Swap(ctx context.Context, key string, data []byte, etag string) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, fmt.Errorf("s3 put: %w", err)
	}
	if etag == "" {
		return s.put(ctx, key, data, "*", "", ErrPrecondition)
	}
	obj, err := s.put(ctx, key, data, "", etag, ErrPrecondition)
	if errors.Is(err, ErrNotExist) {
		return Object{}, fmt.Errorf("s3 put %s: %w", s.url(key), ErrPrecondition)
	}
	return obj, err
}

// put is one conditional PutObject; cond is the sentinel for a failed condition.
func (s *S3) put(ctx context.Context, key string, data []byte, ifNoneMatch, ifMatch string, cond error) (Object, error) {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.objectKey(key)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	if ifNoneMatch != "" {
		in.IfNoneMatch = aws.String(ifNoneMatch)
	}
	if ifMatch != "" {
		in.IfMatch = aws.String(ifMatch)
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		return Object{}, s.fail("put", key, err, cond)
	}
	return Object{Key: key, Size: int64(len(data)), ETag: aws.ToString(out.ETag)}, nil
}

// createMultipart uploads r in parts and completes the upload only if key is absent.
func (s *S3) createMultipart(ctx context.Context, key string, r io.Reader, size int64) (obj Object, err error) {
	started, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:            aws.String(s.bucket),
		Key:               aws.String(s.objectKey(key)),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return Object{}, s.fail("put", key, err, nil)
	}
	uploadID := started.UploadId
	defer func() {
		if err != nil {
			s.abort(ctx, key, uploadID)
		}
	}()
	parts, total, err := s.uploadParts(ctx, key, uploadID, r)
	if err != nil {
		return Object{}, err
	}
	if size >= 0 && total != size {
		return Object{}, fmt.Errorf("s3 put %s: read %d bytes, expected %d", s.url(key), total, size)
	}
	done, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.bucket),
		Key:             aws.String(s.objectKey(key)),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		IfNoneMatch:     aws.String("*"),
	})
	if err != nil {
		return Object{}, s.fail("put", key, err, ErrExists)
	}
	return Object{Key: key, Size: total, ETag: aws.ToString(done.ETag)}, nil
}

// uploadParts sends r in parts of s.partSize and returns the completed parts and the size.
func (s *S3) uploadParts(ctx context.Context, key string, uploadID *string, r io.Reader) ([]types.CompletedPart, int64, error) {
	var parts []types.CompletedPart
	var total int64
	buf := make([]byte, s.partSize)
	for num := int32(1); ; num++ {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && !errors.Is(rerr, io.EOF) && !errors.Is(rerr, io.ErrUnexpectedEOF) {
			return nil, 0, fmt.Errorf("s3 put %s: read content: %w", s.url(key), rerr)
		}
		if n == 0 {
			return parts, total, nil
		}
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket:            aws.String(s.bucket),
			Key:               aws.String(s.objectKey(key)),
			UploadId:          uploadID,
			PartNumber:        aws.Int32(num),
			Body:              bytes.NewReader(buf[:n]),
			ContentLength:     aws.Int64(int64(n)),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		})
		if err != nil {
			return nil, 0, s.fail(fmt.Sprintf("put (part %d)", num), key, err, nil)
		}
		parts = append(parts, types.CompletedPart{
			ETag:          out.ETag,
			PartNumber:    aws.Int32(num),
			ChecksumCRC32: out.ChecksumCRC32,
		})
		total += int64(n)
		if rerr != nil { // the reader ended inside this part
			return parts, total, nil
		}
	}
}

// abort discards an unfinished upload. It runs even when ctx is cancelled, briefly, so that
// cancelled uploads do not leave parts behind; failures are left to the bucket's lifecycle
// rule for incomplete uploads.
func (s *S3) abort(ctx context.Context, key string, uploadID *string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(s.bucket),
		Key:      aws.String(s.objectKey(key)),
		UploadId: uploadID,
	})
}

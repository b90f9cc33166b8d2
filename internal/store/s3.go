package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3Config configures an S3 store. Only Bucket is required.
type S3Config struct {
	Bucket string
	// Prefix is prepended (with a "/") to every key; "" stores keys at the bucket root.
	Prefix string
	// Endpoint is a custom S3 endpoint URL (MinIO, versitygw, ...); "" means AWS.
	Endpoint string
	// Region overrides the region of the AWS configuration; with a custom Endpoint and no
	// region anywhere, "us-east-1" is used.
	Region string
	// PathStyle addresses buckets as endpoint/bucket instead of bucket.endpoint, which most
	// self-hosted servers need.
	PathStyle bool
	// AccessKey and SecretKey are static credentials (tests, simple setups). When empty, the
	// standard AWS chain applies: environment, shared config and profile, SSO, web identity
	// (IRSA), instance and container roles.
	AccessKey, SecretKey string
	// MultipartThreshold is the size above which Create uploads in parts; 0 means 16 MiB.
	MultipartThreshold int64
	// PartSize is the size of each uploaded part; 0 means 8 MiB. S3 needs at least 5 MiB.
	PartSize int64
	// MaxAttempts bounds the attempts of one request (retries included); 0 means 4.
	MaxAttempts int
}

const (
	defaultThreshold   = 16 << 20
	defaultPartSize    = 8 << 20
	minPartSize        = 5 << 20
	defaultMaxAttempts = 4
)

// S3 is a Store in an S3 bucket (AWS or any server with conditional writes). Create is
// PutObject with If-None-Match: * (multipart uploads above the threshold, completed with
// the same condition); Swap is PutObject with If-Match: <etag>, or If-None-Match: * when
// etag is "". ETags are the server's, verbatim (quotes included).
//
// A request the SDK retries after a lost response may find its own first attempt's effect:
// a Create or Swap that actually succeeded then reports ErrExists or ErrPrecondition.
// Callers that must tell the two apart read the object back.
type S3 struct {
	client    *s3.Client
	bucket    string
	prefix    string // "" or ends with "/"
	endpoint  string
	threshold int64
	partSize  int64
}

var _ Store = (*S3)(nil)

// NewS3 builds an S3 store from cfg and the standard AWS configuration. It does not contact
// the server; the first request reports an unreachable endpoint, a missing bucket or
// rejected credentials.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3 store: bucket is empty")
	}
	prefix := strings.TrimSuffix(cfg.Prefix, "/")
	if prefix != "" {
		if err := ValidateKey(prefix); err != nil {
			return nil, fmt.Errorf("s3 store prefix: %w", err)
		}
		prefix += "/"
	}
	threshold := orDefault(cfg.MultipartThreshold, defaultThreshold)
	partSize := max(orDefault(cfg.PartSize, defaultPartSize), minPartSize)
	attempts := int(orDefault(int64(cfg.MaxAttempts), defaultMaxAttempts))

	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.MaxBackoff = 2 * time.Second
				o.RateLimiter = ratelimit.None
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 5 * time.Second })),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKey != "" || cfg.SecretKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		if cfg.Endpoint == "" {
			return nil, errors.New("s3 store: no AWS region configured; set AWS_REGION or a region in the profile or sink options")
		}
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// Multipart objects carry composite checksums the SDK cannot validate; it would
		// warn on every read of one.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &S3{
		client: client, bucket: cfg.Bucket, prefix: prefix, endpoint: cfg.Endpoint,
		threshold: threshold, partSize: partSize,
	}, nil
}

// orDefault returns v, or def when v is not positive.
func orDefault(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// Root returns the store's location as s3://bucket or s3://bucket/prefix.
func (s *S3) Root() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

// objectKey returns the full object key of a store key.
func (s *S3) objectKey(key string) string { return s.prefix + key }

// url names an object in errors.
func (s *S3) url(key string) string { return "s3://" + s.bucket + "/" + s.objectKey(key) }

// Get opens the object at key. It returns ErrNotExist when there is none.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Object{}, fmt.Errorf("s3 get: %w", err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.objectKey(key)),
	})
	if err != nil {
		return nil, Object{}, s.fail("get", key, err, nil)
	}
	return out.Body, Object{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ETag:    aws.ToString(out.ETag),
		ModTime: aws.ToTime(out.LastModified).UTC(),
	}, nil
}

// Delete removes key. A missing key is not an error.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("s3 delete: %w", err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.objectKey(key)),
	})
	if err != nil && !isNotFound(err) {
		return s.fail("delete", key, err, nil)
	}
	return nil
}

// List yields the objects whose keys start with prefix, in the server's order, which S3
// defines as lexical (UTF-8 byte) order. Pages of up to 1000 keys are fetched as the
// iteration proceeds.
func (s *S3) List(ctx context.Context, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		if err := validatePrefix(prefix); err != nil {
			yield(Object{}, fmt.Errorf("s3 list: %w", err))
			return
		}
		pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(s.bucket),
			Prefix: aws.String(s.objectKey(prefix)),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(Object{}, s.fail("list", prefix, err, nil))
				return
			}
			for _, o := range page.Contents {
				obj := Object{
					Key:     strings.TrimPrefix(aws.ToString(o.Key), s.prefix),
					Size:    aws.ToInt64(o.Size),
					ETag:    aws.ToString(o.ETag),
					ModTime: aws.ToTime(o.LastModified).UTC(),
				}
				if !yield(obj, nil) {
					return
				}
			}
		}
	}
}

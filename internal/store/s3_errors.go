package store

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// s3Outcome is the class of a failed S3 request, decided once in classify.
type s3Outcome int

const (
	s3Other        s3Outcome = iota
	s3Precondition           // a conditional write lost (412, or 409 from a concurrent one)
	s3NotFound               // no such key
	s3NoBucket
	s3Denied
	s3BadCredentials
)

// s3Codes maps S3 error codes to outcomes.
var s3Codes = map[string]s3Outcome{
	"PreconditionFailed":         s3Precondition,
	"ConditionalRequestConflict": s3Precondition,
	"NoSuchKey":                  s3NotFound,
	"NotFound":                   s3NotFound,
	"NoSuchBucket":               s3NoBucket,
	"AccessDenied":               s3Denied,
	"InvalidAccessKeyId":         s3BadCredentials,
	"SignatureDoesNotMatch":      s3BadCredentials,
}

// s3Statuses classifies responses whose error code is missing or unknown.
var s3Statuses = map[int]s3Outcome{
	http.StatusPreconditionFailed: s3Precondition,
	http.StatusNotFound:           s3NotFound,
	http.StatusForbidden:          s3Denied,
}

// classify returns the outcome of a failed request.
func classify(err error) s3Outcome {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if o, ok := s3Codes[apiErr.ErrorCode()]; ok {
			return o
		}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		return s3Statuses[respErr.HTTPStatusCode()]
	}
	return s3Other
}

// isNotFound reports whether err means the key does not exist.
func isNotFound(err error) bool { return classify(err) == s3NotFound }

// fail wraps a request error as "s3 <op> s3://bucket/key: ...". A failed precondition
// becomes cond (when cond is not nil), a missing key ErrNotExist, and the problems a user
// can fix (unreachable endpoint, missing bucket, credentials) say what to check.
func (s *S3) fail(op, key string, err, cond error) error {
	where := fmt.Sprintf("s3 %s %s", op, s.url(key))
	switch classify(err) {
	case s3Precondition:
		if cond != nil {
			return fmt.Errorf("%s: %w", where, cond)
		}
	case s3NotFound:
		return fmt.Errorf("%s: %w", where, ErrNotExist)
	case s3NoBucket:
		return fmt.Errorf("%s: bucket %q does not exist; create it or fix the sink: %w", where, s.bucket, err)
	case s3Denied:
		return fmt.Errorf("%s: access denied; check the credentials' permissions and the bucket policy: %w", where, err)
	case s3BadCredentials:
		return fmt.Errorf("%s: credentials rejected; check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE: %w", where, err)
	}
	var signErr *v4.SigningError
	if errors.As(err, &signErr) {
		return fmt.Errorf("%s: no usable AWS credentials; set AWS_PROFILE (run `aws sso login` for SSO) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: %w", where, err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		endpoint := s.endpoint
		if endpoint == "" {
			endpoint = "the AWS endpoint"
		}
		return fmt.Errorf("%s: cannot connect to %s; is the S3 server running and the endpoint right?: %w", where, endpoint, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
)

// MaxBody is the largest response body the client reads.
const MaxBody = 256 << 20

// attempt sends req once: auth, transport, whole body, classification. It returns the
// response when the rules accept it, else an *Error (without Method, Attempts or Hint,
// which Do fills in), plus the auth token it used.
func (c *Client) attempt(ctx context.Context, method string, target *url.URL, req *Request, rec recorder) (*Response, string, *Error) {
	actx, cancel := withTimeout(ctx, c.clock, c.timeout)
	defer cancel()
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	u := *target
	hreq, err := http.NewRequestWithContext(actx, method, u.String(), body)
	if err != nil {
		return nil, "", &Error{Kind: KindPermanent, Err: c.redactErr(fmt.Errorf("build request: %w", err))}
	}
	hreq.Header = req.Header.Clone()
	if hreq.Header == nil {
		hreq.Header = http.Header{}
	}
	for k, v := range c.headers {
		if hreq.Header.Get(k) == "" {
			hreq.Header.Set(k, v)
		}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", "sluice")
	}
	if req.Body != nil && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", "application/json")
	}
	token, err := c.auth.apply(actx, hreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, token, &Error{Kind: KindCanceled, Err: context.Cause(ctx)}
		}
		return nil, token, c.asError(ctx, err)
	}
	rec.request()
	start := c.clock.Now()
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, token, c.transportError(ctx, actx, err)
	}
	data, err := readBody(resp)
	dur := c.clock.Now().Sub(start)
	rec.response(dur, len(data))
	c.observe(resp.Header, rec)
	if c.log.Enabled(actx, slog.LevelDebug) { // the redacted URL costs regular expressions
		c.log.Debug("http response", "method", method, "url", c.redactor.URL(u.String()),
			"status", resp.StatusCode, "bytes", len(data), "duration", dur)
	}
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, token, &Error{Kind: KindPermanent, Status: resp.StatusCode, Err: err}
		}
		return nil, token, c.transportError(ctx, actx, err)
	}
	v := c.classifier.classifyPage(resp.StatusCode, resp.Header, data, c.clock.Now(), req.selectAt)
	if v.kind != "" {
		return nil, token, &Error{Kind: v.kind, Status: v.status, Message: c.redactor.String(v.message), Wait: v.wait}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Duration: dur, ValidJSON: v.validJSON, selected: v.selected}, token, nil
}

var errBodyTooLarge = fmt.Errorf("response body larger than %d MiB", MaxBody>>20)

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n >= 0 && n <= MaxBody {
		// One allocation of the announced size; a body longer than announced is an error
		// of the transport, shorter is io.ErrUnexpectedEOF (a retryable cut-off body).
		data := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err == nil && len(data) > MaxBody {
		return nil, errBodyTooLarge
	}
	return data, err
}

// observe feeds rate-limit headers to the limiter and the stats.
func (c *Client) observe(h http.Header, rec recorder) {
	if c.limiter != nil {
		c.limiter.Observe(h, c.clock.Now())
	}
	var seen map[string]string
	for _, name := range c.rlHeaders {
		if v := h.Get(name); v != "" {
			if seen == nil {
				seen = map[string]string{}
			}
			seen[name] = v
		}
	}
	rec.headers(seen)
}

// transportError classifies a failure to send or read: the caller's cancellation,
// the attempt's timeout, or a network failure.
func (c *Client) transportError(ctx, actx context.Context, err error) *Error {
	if ctx.Err() != nil {
		return &Error{Kind: KindCanceled, Err: context.Cause(ctx)}
	}
	// The *url.Error wrapper repeats the method and URL the *Error already shows.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(context.Cause(actx), errAttemptTimeout) {
		err = fmt.Errorf("%w after %s", errAttemptTimeout, c.timeout)
	}
	return &Error{Kind: transportKind(actx, err), Err: c.redactErr(err)}
}

// transportKind says whether a transport error is worth retrying. Certificate errors
// are permanent; everything else that goes wrong on the wire (timeouts, resets,
// refusals, a body cut short, DNS hiccups) is a network error, retried.
func transportKind(ctx context.Context, err error) ErrorKind {
	if ctx.Err() != nil && !errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return KindCanceled
	}
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	if errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) {
		return KindPermanent
	}
	return KindNetwork
}

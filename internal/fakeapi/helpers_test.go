package fakeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// get performs a GET with optional headers (name, value pairs) and reads the whole body.
func get(t *testing.T, url string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("new request %s: %v", url, err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

// decode unmarshals b into a fresh T, failing the test on invalid JSON.
func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// day returns UTC midnight of the given date.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixedClock is a settable clock for the fakes.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

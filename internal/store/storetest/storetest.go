// Package storetest is the conformance suite every store.Store passes. A store's test file
// calls Run with a constructor of fresh, empty stores; each subtest asserts exact outcomes
// (bytes, sizes, keys, order, which sentinel error) of the contract in package store.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

// NewStore returns a fresh, empty store for one subtest; it registers its own cleanup.
type NewStore func(t *testing.T) store.Store

// Run runs the conformance suite against the stores made by newStore. Subtests run in
// parallel with each other; each gets its own store.
func Run(t *testing.T, newStore NewStore) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"GetMissing", testGetMissing},
		{"CreateThenGet", testCreateThenGet},
		{"CreateSizeMismatch", testCreateSizeMismatch},
		{"CreateExisting", testCreateExisting},
		{"CreateConcurrent", testCreateConcurrent},
		{"SwapAbsent", testSwapAbsent},
		{"SwapETag", testSwapETag},
		{"SwapMissingWithETag", testSwapMissingWithETag},
		{"SwapConcurrent", testSwapConcurrent},
		{"Delete", testDelete},
		{"DeleteConcurrent", testDeleteConcurrent},
		{"List", testList},
		{"ListMany", testListMany},
		{"ListBreak", testListBreak},
		{"UnicodeKeys", testUnicodeKeys},
		{"InvalidKeys", testInvalidKeys},
		{"LargeRoundTrip", testLargeRoundTrip},
		{"LargeExisting", testLargeExisting},
		{"CancelledContext", testCancelledContext},
		{"CancelMidStream", testCancelMidStream},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, newStore(t))
		})
	}
}

// put creates key with data and fails the test on error.
func put(t *testing.T, s store.Store, key string, data []byte) store.Object {
	t.Helper()
	obj, err := s.Create(t.Context(), key, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
	return obj
}

// read returns the content and Object of key and fails the test on error.
func read(t *testing.T, s store.Store, key string) ([]byte, store.Object) {
	t.Helper()
	rc, obj, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): reading: %v", key, err)
	}
	return data, obj
}

// wantContent asserts the exact content of key.
func wantContent(t *testing.T, s store.Store, key string, want []byte) store.Object {
	t.Helper()
	got, obj := read(t, s, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) content = %s, want %s", key, brief(got), brief(want))
	}
	if obj.Key != key || obj.Size != int64(len(want)) {
		t.Fatalf("Get(%q) object = {Key:%q Size:%d}, want {Key:%q Size:%d}", key, obj.Key, obj.Size, key, len(want))
	}
	return obj
}

// wantMissing asserts that key does not exist.
func wantMissing(t *testing.T, s store.Store, key string) {
	t.Helper()
	rc, _, err := s.Get(t.Context(), key)
	if rc != nil {
		rc.Close()
	}
	if !errors.Is(err, store.ErrNotExist) {
		t.Fatalf("Get(%q) error = %v, want ErrNotExist", key, err)
	}
}

// listKeys returns the keys List yields for prefix.
func listKeys(t *testing.T, s store.Store, prefix string) []string {
	t.Helper()
	keys := []string{}
	for obj, err := range s.List(t.Context(), prefix) {
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// brief shows short contents in full and long ones by length and edges.
func brief(b []byte) string {
	if len(b) <= 64 {
		return string(b)
	}
	return fmt.Sprintf("%q…(%d bytes)…%q", b[:16], len(b), b[len(b)-16:])
}

// cancelled returns a context that is already cancelled.
func cancelled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

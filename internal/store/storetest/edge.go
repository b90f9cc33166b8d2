package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func testUnicodeKeys(t *testing.T, s store.Store) {
	keys := []string{
		"u/ünïcödé/日本語.json",
		"u/with space/a b.txt",
		"u/emoji/🙂.txt",
		"u/plus+and=eq&amp/x",
		"u/percent%20/y?z#w",
		"u/a'quote\"/~tilde",
	}
	for _, k := range keys {
		put(t, s, k, []byte("data of "+k))
	}
	for _, k := range keys {
		wantContent(t, s, k, []byte("data of "+k))
	}
	want := slices.Clone(keys)
	slices.Sort(want)
	if got := listKeys(t, s, "u/"); !equal(got, want) {
		t.Fatalf("List(u/) = %q, want %q", got, want)
	}
}

func testInvalidKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	cases := []struct{ name, key string }{
		{"empty", ""},
		{"absolute", "/etc/passwd"},
		{"dot dot", "a/../../b"},
		{"dot", "a/./b"},
		{"empty segment", "a//b"},
		{"trailing slash", "a/b/"},
		{"backslash", `a\..\b`},
		{"nul", "a/b\x00c"},
		{"newline", "a/b\nc"},
		{"reserved", "a/.sluice-tmp-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Create(ctx, c.key, strings.NewReader("x"), 1)
			if !errors.Is(err, store.ErrInvalidKey) {
				t.Fatalf("Create(%q) error = %v, want ErrInvalidKey", c.key, err)
			}
			if _, err := s.Swap(ctx, c.key, []byte("x"), ""); !errors.Is(err, store.ErrInvalidKey) {
				t.Fatalf("Swap(%q) error = %v, want ErrInvalidKey", c.key, err)
			}
			if _, _, err := s.Get(ctx, c.key); !errors.Is(err, store.ErrInvalidKey) {
				t.Fatalf("Get(%q) error = %v, want ErrInvalidKey", c.key, err)
			}
			if err := s.Delete(ctx, c.key); !errors.Is(err, store.ErrInvalidKey) {
				t.Fatalf("Delete(%q) error = %v, want ErrInvalidKey", c.key, err)
			}
		})
	}
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Fatalf("List after rejected writes = %q, want nothing", got)
	}
}

// largeSize is above the multipart threshold a test S3 store is configured with, and not
// a multiple of any part size.
const largeSize = 24<<20 + 12345

// pattern returns n deterministic bytes that differ with seed and have no short period.
func pattern(n int, seed uint64) []byte {
	b := make([]byte, n)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

func testLargeRoundTrip(t *testing.T, s store.Store) {
	cases := []struct {
		name    string
		unknown bool
	}{{"known size", false}, {"unknown size", true}}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := pattern(largeSize, uint64(i+1))
			key := "large/" + strings.ReplaceAll(c.name, " ", "-") + ".parquet"
			var r io.Reader = bytes.NewReader(data)
			size := int64(len(data))
			if c.unknown {
				r, size = opaque{r}, -1
			}
			created, err := s.Create(t.Context(), key, r, size)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if created.Size != int64(len(data)) {
				t.Fatalf("Create size = %d, want %d", created.Size, len(data))
			}
			if got := wantContent(t, s, key, data); got.ETag != created.ETag {
				t.Fatalf("Get ETag = %q, want %q", got.ETag, created.ETag)
			}
		})
	}
}

func testLargeExisting(t *testing.T, s store.Store) {
	first := pattern(largeSize, 7)
	put(t, s, "large/once", first)
	second := pattern(largeSize, 8)
	_, err := s.Create(t.Context(), "large/once", bytes.NewReader(second), int64(len(second)))
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second large Create error = %v, want ErrExists", err)
	}
	wantContent(t, s, "large/once", first)
}

func testCancelledContext(t *testing.T, s store.Store) {
	put(t, s, "here", []byte("x"))
	ctx := cancelled(t)
	ops := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, _, err := s.Get(ctx, "here"); return err }},
		{"Create", func() error { _, err := s.Create(ctx, "new", strings.NewReader("x"), 1); return err }},
		{"Swap", func() error { _, err := s.Swap(ctx, "new", []byte("x"), ""); return err }},
		{"Delete", func() error { return s.Delete(ctx, "here") }},
		{"List", func() error {
			for _, err := range s.List(ctx, "") {
				return err
			}
			return nil
		}},
	}
	for _, op := range ops {
		if err := op.call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: error = %v, want context.Canceled", op.name, err)
		}
	}
	wantMissing(t, s, "new")
	wantContent(t, s, "here", []byte("x"))
}

// endless yields bytes forever and cancels its context once it has produced after bytes;
// a Create that ignored cancellation would never return.
type endless struct {
	n, after int
	cancel   context.CancelFunc
}

func (e *endless) Read(p []byte) (int, error) {
	e.n += len(p)
	if e.n >= e.after {
		e.cancel()
	}
	return len(p), nil
}

func testCancelMidStream(t *testing.T, s store.Store) {
	cases := []struct {
		name  string
		after int
	}{{"early", 1 << 20}, {"after several parts", 13 << 20}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := s.Create(ctx, "endless", &endless{after: c.after, cancel: cancel}, -1)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Create error = %v, want context.Canceled", err)
			}
			wantMissing(t, s, "endless")
		})
	}
}

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

func testGetMissing(t *testing.T, s store.Store) {
	for _, key := range []string{"missing", "no/such/dir/key.json"} {
		wantMissing(t, s, key)
	}
}

// opaque hides every method but Read, as a network body would.
type opaque struct{ r io.Reader }

func (o opaque) Read(p []byte) (int, error) { return o.r.Read(p) }

func testCreateThenGet(t *testing.T, s store.Store) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	cases := []struct {
		name    string
		key     string
		data    []byte
		unknown bool // pass size -1 and a reader without Len/Seek
	}{
		{"empty", "obj/empty", []byte{}, false},
		{"text", "obj/text.json", []byte(`{"id":1}` + "\n"), false},
		{"all bytes", "obj/deep/er/binary.bin", all, false},
		{"unknown size", "obj/unknown.jsonl", []byte("a\nb\nc\n"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r io.Reader = bytes.NewReader(c.data)
			size := int64(len(c.data))
			if c.unknown {
				r, size = opaque{r}, -1
			}
			created, err := s.Create(t.Context(), c.key, r, size)
			if err != nil {
				t.Fatalf("Create(%q): %v", c.key, err)
			}
			if created.Key != c.key || created.Size != int64(len(c.data)) || created.ETag == "" {
				t.Fatalf("Create(%q) = %+v, want Key %q, Size %d and an ETag", c.key, created, c.key, len(c.data))
			}
			got := wantContent(t, s, c.key, c.data)
			if got.ETag != created.ETag {
				t.Fatalf("Get(%q).ETag = %q, want the ETag Create returned, %q", c.key, got.ETag, created.ETag)
			}
			if got.ModTime.IsZero() || got.ModTime.Location().String() != "UTC" {
				t.Fatalf("Get(%q).ModTime = %v, want a UTC time", c.key, got.ModTime)
			}
		})
	}
}

func testCreateSizeMismatch(t *testing.T, s store.Store) {
	cases := []struct {
		name string
		data string
		size int64
	}{
		{"short reader", "12345", 10},
		{"long reader", "1234567890", 5},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := fmt.Sprintf("mismatch/%d", i)
			_, err := s.Create(t.Context(), key, strings.NewReader(c.data), c.size)
			if err == nil {
				t.Fatalf("Create(%q) with %d bytes and size %d succeeded, want an error", key, len(c.data), c.size)
			}
			wantMissing(t, s, key)
		})
	}
}

func testCreateExisting(t *testing.T, s store.Store) {
	first := put(t, s, "k", []byte("first"))
	_, err := s.Create(t.Context(), "k", strings.NewReader("second"), 6)
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second Create error = %v, want ErrExists", err)
	}
	if got := wantContent(t, s, "k", []byte("first")); got.ETag != first.ETag {
		t.Fatalf("ETag after refused Create = %q, want %q", got.ETag, first.ETag)
	}
}

// writers is how many goroutines race for one key.
const writers = 8

func testCreateConcurrent(t *testing.T, s store.Store) {
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			data := fmt.Appendf(nil, "writer %d", i)
			_, errs[i] = s.Create(t.Context(), "race/key", bytes.NewReader(data), int64(len(data)))
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("writers %d and %d both created the key", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrExists):
			t.Fatalf("writer %d: error = %v, want ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer created the key: %v", errs)
	}
	wantContent(t, s, "race/key", fmt.Appendf(nil, "writer %d", winner))
}

// testDeleteConcurrent deletes every object of a folder at once: each Delete succeeds,
// even when another one has just removed the folder's last other object.
func testDeleteConcurrent(t *testing.T, s store.Store) {
	for round := range 5 {
		keys := make([]string, 3*writers)
		for i := range keys {
			keys[i] = fmt.Sprintf("delrace/%d/part-%02d", round, i)
			put(t, s, keys[i], []byte("x"))
		}
		var wg sync.WaitGroup
		errs := make([]error, len(keys))
		for i, k := range keys {
			wg.Go(func() { errs[i] = s.Delete(t.Context(), k) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Delete %s: %v", round, keys[i], err)
			}
		}
		if got := listKeys(t, s, "delrace/"); len(got) != 0 {
			t.Fatalf("round %d: keys left after deleting them all: %q", round, got)
		}
	}
}

func testDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	put(t, s, "del/a/b", []byte("x"))
	put(t, s, "del/keep", []byte("y"))
	for i := range 2 { // the second Delete finds nothing, which is fine
		if err := s.Delete(ctx, "del/a/b"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	if err := s.Delete(ctx, "never/existed"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	wantMissing(t, s, "del/a/b")
	if got, want := listKeys(t, s, ""), []string{"del/keep"}; !equal(got, want) {
		t.Fatalf("List after Delete = %q, want %q", got, want)
	}
	put(t, s, "del/a/b", []byte("again"))
	wantContent(t, s, "del/a/b", []byte("again"))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package store_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/storetest"
	"github.com/zeebo/xxh3"
)

func newLocal(t *testing.T) *store.Local {
	t.Helper()
	l, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func newLocalB(b *testing.B) (*store.Local, error) { return store.NewLocal(b.TempDir()) }

func TestLocalConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newLocal(t) })
}

func TestLocalRejectsUnsafeKeys(t *testing.T) {
	l := newLocal(t)
	root := l.Root()
	cases := []struct {
		name, key, want string
	}{
		{"parent", "a/../../etc/passwd", `local create: invalid key "a/../../etc/passwd": segment ".." is not allowed`},
		{"absolute", "/etc/passwd", `local create: invalid key "/etc/passwd": key must not start with "/"`},
		{"backslash", `a\b`, `local create: invalid key "a\\b": backslash is not allowed (use "/" to separate segments)`},
		{"control", "a\tb", `local create: invalid key "a\tb": control character U+0009 at byte 1 is not allowed`},
		{"empty segment", "a//b", `local create: invalid key "a//b": empty segment ("//") is not allowed`},
		{"lock dir", ".sluice-locks/00.lock", `local create: invalid key ".sluice-locks/00.lock": segment ".sluice-locks" is reserved (names starting with ".sluice-" are the local store's temp and lock files)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := l.Create(t.Context(), c.key, strings.NewReader("x"), 1)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error = %v, want %s", err, c.want)
			}
		})
	}
	var files []string
	filepath.WalkDir(filepath.Dir(root), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Fatalf("files written for rejected keys: %q", files)
	}
}

func TestLocalUnwritableRoot(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) string
		want  string
	}{
		{
			name:  "root is a file",
			setup: func(t *testing.T) string { return file },
			want:  "local store " + file + ": not a directory; choose a folder as the sink",
		},
		{
			name:  "parent is a file",
			setup: func(t *testing.T) string { return filepath.Join(file, "sub") },
			want:  "local store " + file + "/sub: a parent of the path is a file, not a directory (not a directory); choose a folder as the sink",
		},
		{
			name: "read-only directory",
			setup: func(t *testing.T) string {
				if os.Geteuid() == 0 {
					t.Skip("permission bits do not stop root; TestRootErrorMessages covers the message")
				}
				dir := filepath.Join(parent, "ro")
				if err := os.Mkdir(dir, 0o555); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			want: "local store " + parent + "/ro: directory is not writable (permission denied); fix its permissions or choose another sink",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.NewLocal(c.setup(t))
			if err == nil || err.Error() != c.want {
				t.Fatalf("error = %v\nwant %s", err, c.want)
			}
		})
	}
}

func TestRootErrorMessages(t *testing.T) {
	cases := []struct {
		errno syscall.Errno
		want  string
	}{
		{syscall.EACCES, "local store /data/out: directory is not writable (permission denied); fix its permissions or choose another sink"},
		{syscall.EPERM, "local store /data/out: directory is not writable (operation not permitted); fix its permissions or choose another sink"},
		{syscall.EROFS, "local store /data/out: read-only file system; choose a sink on a writable file system"},
		{syscall.ENOSPC, "local store /data/out: no space left on device; free some space or choose another sink"},
	}
	for _, c := range cases {
		t.Run(c.errno.Error(), func(t *testing.T) {
			err := store.RootError("/data/out", &os.PathError{Op: "open", Path: "/data/out/.sluice-probe-1", Err: c.errno})
			if err.Error() != c.want {
				t.Fatalf("error = %v\nwant %s", err, c.want)
			}
			if !errors.Is(err, c.errno) {
				t.Fatalf("error does not wrap %v", c.errno)
			}
		})
	}
}

func TestLocalHidesInternalFiles(t *testing.T) {
	l := newLocal(t)
	ctx := t.Context()
	if _, err := l.Create(ctx, "d/visible", strings.NewReader("v"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Swap(ctx, "d/state", []byte("s"), ""); err != nil { // creates the lock files
		t.Fatal(err)
	}
	// A crashed writer leaves its temp file behind; an empty directory may remain too.
	for _, p := range []string{"d/.sluice-tmp-123", ".sluice-tmp-9", "d/sub/.sluice-tmp-4"} {
		full := filepath.Join(l.Root(), p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(l.Root(), "empty/dirs"), 0o755); err != nil {
		t.Fatal(err)
	}
	var got []string
	for obj, err := range l.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, obj.Key)
	}
	if want := []string{"d/state", "d/visible"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(l.Root(), ".sluice-locks")); err != nil {
		t.Fatalf("lock directory missing, so this test proves nothing: %v", err)
	}
}

func TestLocalDeletePrunesEmptyDirs(t *testing.T) {
	l := newLocal(t)
	ctx := t.Context()
	for _, k := range []string{"a/b/c/one", "a/two"} {
		if _, err := l.Create(ctx, k, strings.NewReader(k), int64(len(k))); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Delete(ctx, "a/b/c/one"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(l.Root(), "a/b")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat a/b after Delete: %v, want not exist", err)
	}
	if _, err := os.Stat(filepath.Join(l.Root(), "a/two")); err != nil {
		t.Fatalf("sibling a/two: %v", err)
	}
}

func TestLocalETagWithoutXattr(t *testing.T) {
	l := newLocal(t)
	// A file written by another tool has no cached hash; its ETag is computed from content.
	p := filepath.Join(l.Root(), "ext", "file.json")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc, obj, err := l.Get(t.Context(), "ext/file.json")
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	sum := xxh3.Hash128([]byte("hello")).Bytes()
	if want := hex.EncodeToString(sum[:]); obj.ETag != want {
		t.Fatalf("ETag of external file = %q, want hex xxh3-128 of its content, %q", obj.ETag, want)
	}
	created, err := l.Create(t.Context(), "ext/copy.json", strings.NewReader("hello"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if obj.ETag != created.ETag || len(obj.ETag) != 32 {
		t.Fatalf("ETag of external file = %q, want the ETag of the same content written by the store, %q", obj.ETag, created.ETag)
	}
	if _, err := l.Swap(t.Context(), "ext/file.json", []byte("bye"), obj.ETag); err != nil {
		t.Fatalf("Swap with the computed ETag: %v", err)
	}
}

func TestLocalKeyUnderObject(t *testing.T) {
	l := newLocal(t)
	ctx := t.Context()
	if _, err := l.Create(ctx, "obj", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	_, err := l.Create(ctx, "obj/child", strings.NewReader("y"), 1)
	want := "local create " + l.Root() + "/obj/child: a parent of the key is an object, not a folder: mkdir " + l.Root() + "/obj: not a directory"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
	if _, _, err := l.Get(ctx, "obj/child"); !errors.Is(err, store.ErrNotExist) {
		t.Fatalf("Get(obj/child) error = %v, want ErrNotExist", err)
	}
}

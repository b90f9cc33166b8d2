package store_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
)

// sameDevice reports whether a and b are on one file system.
func sameDevice(t *testing.T, a, b string) bool {
	t.Helper()
	var sa, sb syscall.Stat_t
	if syscall.Stat(a, &sa) != nil || syscall.Stat(b, &sb) != nil {
		t.Fatalf("stat %s or %s failed", a, b)
	}
	return sa.Dev == sb.Dev
}

// TestLocalCreateFile makes local files objects: by a hard link on the store's file
// system, by a copy from another one (/dev/shm, a tmpfs, when the machine has it). The
// object has the file's bytes and the ETag Create gives the same bytes; a taken key is
// ErrExists and keeps its object.
func TestLocalCreateFile(t *testing.T) {
	ctx := context.Background()
	dirs := []struct {
		name string
		dir  func(t *testing.T) string
		link bool // the object shares the file's inode
	}{
		{"same file system", func(t *testing.T) string { return t.TempDir() }, true},
		{"another file system", func(t *testing.T) string {
			d, err := os.MkdirTemp("/dev/shm", "sluice-store-test-")
			if err != nil {
				t.Skipf("no /dev/shm to test copying across file systems: %v", err)
			}
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}, false},
	}
	for _, tc := range dirs {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			l, err := store.NewLocal(root)
			if err != nil {
				t.Fatal(err)
			}
			dir := tc.dir(t)
			if got := sameDevice(t, dir, root); got != tc.link {
				t.Skipf("%s and %s: same file system = %v, this case needs %v", dir, root, got, tc.link)
			}
			content := strings.Repeat("partition bytes\n", 4096)
			src := filepath.Join(dir, "data.parquet")
			if err := os.WriteFile(src, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			obj, err := l.CreateFile(ctx, "a/b/data.parquet", src)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := l.Create(ctx, "ref/data.parquet", strings.NewReader(content), int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			if obj.Size != int64(len(content)) || obj.ETag != ref.ETag || obj.Key != "a/b/data.parquet" {
				t.Fatalf("object = %+v, want size %d and ETag %s", obj, len(content), ref.ETag)
			}
			rc, got, err := l.Get(ctx, "a/b/data.parquet")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(rc)
			rc.Close()
			if string(body) != content || got.ETag != ref.ETag {
				t.Fatalf("read back %d bytes with ETag %s, want %d bytes with %s", len(body), got.ETag, len(content), ref.ETag)
			}
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(root, "a/b/data.parquet"), &st); err != nil {
				t.Fatal(err)
			}
			if links := map[bool]uint64{true: 2, false: 1}[tc.link]; st.Nlink != links {
				t.Fatalf("object has %d links, want %d", st.Nlink, links)
			}
			if st.Mode&0o777 != 0o644 {
				t.Fatalf("object mode %o, want 644", st.Mode&0o777)
			}
			if err := os.Remove(src); err != nil {
				t.Fatal(err)
			}

			other := filepath.Join(dir, "other.parquet")
			if err := os.WriteFile(other, []byte("other"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := l.CreateFile(ctx, "a/b/data.parquet", other); !errors.Is(err, store.ErrExists) {
				t.Fatalf("CreateFile over an object: err = %v, want ErrExists", err)
			}
			rc, _, err = l.Get(ctx, "a/b/data.parquet")
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(rc)
			rc.Close()
			if string(body) != content {
				t.Fatalf("the object changed to %q", body)
			}
		})
	}
}

func TestLocalCreateFileErrors(t *testing.T) {
	ctx := context.Background()
	l := newLocal(t)
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Create(ctx, "obj", strings.NewReader("y"), 1); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, key, path, want string
	}{
		{"unsafe key", "../escape", src, "local create"},
		{"missing file", "k", filepath.Join(t.TempDir(), "nope"), "no such file"},
		{"key below an object", "obj/child", src, "a parent of the key is an object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.CreateFile(ctx, tc.key, tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

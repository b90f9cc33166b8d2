package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Local is a Store in a folder of the local file system. Each key is a file under the root
// (its "/"-separated segments become directories).
//
// Guarantees: Create writes a temp file in the key's directory, fsyncs it, then hard-links it
// to the final name (the link fails if the name exists, so create-if-absent is atomic) and
// fsyncs the directory. Swap and Delete hold a per-key advisory lock (flock on one of 256
// lock files under root/.sluice-locks) while they compare and replace (temp file + rename).
// The lock excludes other processes sharing the folder as long as they use this store and
// the file system supports flock (local disks do; some network file systems do not).
//
// ETag: the lowercase hex xxh3-128 of the content. It is computed while writing and kept
// in the extended attribute user.sluice.xxh3-128; files without it (written by other
// tools, or on file systems without user xattrs) are hashed when read or listed. Being
// content-derived, the ETag changes on every write that changes the content; writing the
// same bytes again yields the same ETag, as on S3.
//
// Names starting with ".sluice-" (temp files, lock files) are never listed; key validation
// keeps keys from using them.
type Local struct {
	root string
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating it if needed) the folder root as a store. It checks that root is
// a writable directory by creating and removing a probe file, and reports a permission
// problem or a read-only file system as an error naming the path and what to do.
func NewLocal(root string) (*Local, error) {
	if root == "" {
		return nil, errors.New("local store: empty root path")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", root, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("local store %s: not a directory; choose a folder as the sink", abs)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, rootError(abs, err)
	}
	probe, err := os.CreateTemp(abs, reservedPrefix+"probe-*")
	if err != nil {
		return nil, rootError(abs, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, rootError(abs, err)
	}
	return &Local{root: abs}, nil
}

// Root returns the absolute path of the store's folder.
func (l *Local) Root() string { return l.root }

// rootError explains why the root folder cannot be used, with a fix for the common causes.
func rootError(root string, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("local store %s: %w", root, err)
	}
	switch errno {
	case syscall.EACCES, syscall.EPERM:
		return fmt.Errorf("local store %s: directory is not writable (%w); fix its permissions or choose another sink", root, errno)
	case syscall.EROFS:
		return fmt.Errorf("local store %s: %w; choose a sink on a writable file system", root, errno)
	case syscall.ENOSPC, syscall.EDQUOT:
		return fmt.Errorf("local store %s: %w; free some space or choose another sink", root, errno)
	case syscall.ENOTDIR:
		return fmt.Errorf("local store %s: a parent of the path is a file, not a directory (%w); choose a folder as the sink", root, errno)
	}
	return fmt.Errorf("local store %s: %w", root, err)
}

// path returns the file name of a validated key.
func (l *Local) path(key string) string {
	return filepath.Join(l.root, filepath.FromSlash(key))
}

// Get opens the file of key. The returned Object carries the file's size, ETag and
// modification time (UTC). It returns ErrNotExist when there is no such file.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Object{}, fmt.Errorf("local get: %w", err)
	}
	p := l.path(key)
	if err := ctx.Err(); err != nil {
		return nil, Object{}, fmt.Errorf("local get %s: %w", p, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, Object{}, fmt.Errorf("local get %s: %w", p, notExist(err))
	}
	obj, err := describe(f, key)
	if err != nil {
		f.Close()
		return nil, Object{}, fmt.Errorf("local get %s: %w", p, err)
	}
	return f, obj, nil
}

// describe returns the Object of an open file, rewinding it if its content had to be hashed.
func describe(f *os.File, key string) (Object, error) {
	fi, err := f.Stat()
	if err != nil {
		return Object{}, err
	}
	if !fi.Mode().IsRegular() {
		return Object{}, ErrNotExist
	}
	etag, err := fileETag(f)
	if err != nil {
		return Object{}, err
	}
	return Object{Key: key, Size: fi.Size(), ETag: etag, ModTime: fi.ModTime().UTC()}, nil
}

// notExist maps the file system's "missing" errors to ErrNotExist. ENOTDIR counts as
// missing: key "a/b" cannot exist when "a" is a file.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return ErrNotExist
	}
	return err
}

// Delete removes the file of key, then the directories left empty up to the root. A
// missing key is not an error.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("local delete: %w", err)
	}
	p := l.path(key)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local delete %s: %w", p, err)
	}
	unlock, err := l.lock(ctx, key)
	if err != nil {
		return fmt.Errorf("local delete %s: %w", p, err)
	}
	defer unlock()
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(notExist(err), ErrNotExist) {
			return nil
		}
		return fmt.Errorf("local delete %s: %w", p, err)
	}
	if fi.IsDir() {
		return nil // a directory is not an object
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("local delete %s: %w", p, err)
	}
	dir := filepath.Dir(p)
	// A concurrent Delete of the folder's last other object may have pruned the folder
	// already: the object is gone with it.
	if err := syncDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("local delete %s: %w", p, err)
	}
	l.pruneEmpty(dir)
	return nil
}

// pruneEmpty removes dir and its parents below the root while they are empty. Failures are
// expected (a directory that is not empty, or a concurrent Create) and ignored; writers
// recreate directories they need.
func (l *Local) pruneEmpty(dir string) {
	for dir != l.root && len(dir) > len(l.root) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// syncDir fsyncs a directory so that a link, rename or removal in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// lockPoll bounds how long a waiting Swap or Delete sleeps between attempts to take a
// lock, so it notices cancellation quickly.
const lockPoll = 5 * time.Millisecond

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

	"github.com/zeebo/xxh3"
)

// FileCreator is implemented by stores that can make a finished local file an object
// more cheaply than Create reading it. The file must not change afterwards; the caller
// may remove its own name for it once CreateFile returns.
type FileCreator interface {
	// CreateFile is Create with the content of the local file at path.
	CreateFile(ctx context.Context, key, path string) (Object, error)
}

var _ FileCreator = (*Local)(nil)

// CreateFile makes the file at path the object key without copying it: it records the
// ETag, fsyncs the file and hard-links it to key, which fails if key exists
// (ErrExists). A file on another file system than the store is copied, as Create does.
func (l *Local) CreateFile(ctx context.Context, key, path string) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, fmt.Errorf("local create: %w", err)
	}
	p := l.path(key)
	obj, err := l.link(ctx, key, path)
	if err != nil {
		return Object{}, fmt.Errorf("local create %s: %w", p, err)
	}
	return obj, nil
}

func (l *Local) link(ctx context.Context, key, path string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Object{}, err
	}
	defer f.Close()
	h := xxh3.New()
	n, err := io.CopyBuffer(h, f, make([]byte, 1<<20))
	if err != nil {
		return Object{}, fmt.Errorf("read %s: %w", path, err)
	}
	obj := Object{Key: key, Size: n, ETag: etagOf(h.Sum128())}
	setETag(f, obj.ETag)
	if err := f.Chmod(0o644); err != nil {
		return Object{}, err
	}
	if err := f.Sync(); err != nil {
		return Object{}, fmt.Errorf("sync: %w", err)
	}
	p := l.path(key)
	for range 5 { // a concurrent Delete may prune the directory between the two steps
		if err = l.makeDir(filepath.Dir(p)); err != nil {
			return Object{}, err
		}
		if err = os.Link(path, p); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return Object{}, ErrExists
	case errors.Is(err, syscall.EXDEV):
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Object{}, err
		}
		return l.create(ctx, key, f, n, ErrExists)
	case err != nil:
		return Object{}, err
	}
	return l.finish(p, obj)
}

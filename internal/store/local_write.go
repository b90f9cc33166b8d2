package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/zeebo/xxh3"
)

// Create writes r to a temp file beside key, fsyncs it and hard-links it to key, which
// fails if key exists (ErrExists). size is checked when it is not -1; a short or long
// reader leaves nothing behind.
func (l *Local) Create(ctx context.Context, key string, r io.Reader, size int64) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, fmt.Errorf("local create: %w", err)
	}
	p := l.path(key)
	obj, err := l.create(ctx, key, r, size, ErrExists)
	if err != nil {
		return Object{}, fmt.Errorf("local create %s: %w", p, err)
	}
	return obj, nil
}

// Swap replaces key with data when its current ETag is etag ("" = only if absent), under
// the key's lock; otherwise it returns ErrPrecondition.
func (l *Local) Swap(ctx context.Context, key string, data []byte, etag string) (Object, error) {
	if err := ValidateKey(key); err != nil {
		return Object{}, fmt.Errorf("local swap: %w", err)
	}
	p := l.path(key)
	obj, err := l.swap(ctx, key, data, etag)
	if err != nil {
		return Object{}, fmt.Errorf("local swap %s: %w", p, err)
	}
	return obj, nil
}

func (l *Local) swap(ctx context.Context, key string, data []byte, etag string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return Object{}, err
	}
	unlock, err := l.lock(ctx, key)
	if err != nil {
		return Object{}, err
	}
	defer unlock()
	if etag == "" {
		return l.create(ctx, key, bytes.NewReader(data), int64(len(data)), ErrPrecondition)
	}
	p := l.path(key)
	cur, err := pathETag(p)
	if errors.Is(err, ErrNotExist) || (err == nil && cur != etag) {
		return Object{}, ErrPrecondition
	}
	if err != nil {
		return Object{}, err
	}
	tmp, obj, err := l.writeTemp(ctx, key, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Object{}, err
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return Object{}, err
	}
	return l.finish(p, obj)
}

// create stages r and links it to key's file; exists is returned when the key is taken.
func (l *Local) create(ctx context.Context, key string, r io.Reader, size int64, exists error) (Object, error) {
	tmp, obj, err := l.writeTemp(ctx, key, r, size)
	if err != nil {
		return Object{}, err
	}
	p := l.path(key)
	err = os.Link(tmp, p)
	os.Remove(tmp)
	if errors.Is(err, fs.ErrExist) {
		return Object{}, exists
	}
	if err != nil {
		return Object{}, err
	}
	return l.finish(p, obj)
}

// finish makes a new name durable and fills in the modification time.
func (l *Local) finish(p string, obj Object) (Object, error) {
	if err := syncDir(filepath.Dir(p)); err != nil {
		return Object{}, err
	}
	if fi, err := os.Stat(p); err == nil {
		obj.ModTime = fi.ModTime().UTC()
	}
	return obj, nil
}

// writeTemp copies r into a fresh, fsynced temp file in key's directory and returns its
// name with the Object it will become. The temp file is removed on any error.
func (l *Local) writeTemp(ctx context.Context, key string, r io.Reader, size int64) (string, Object, error) {
	if err := ctx.Err(); err != nil {
		return "", Object{}, err
	}
	f, err := l.openTemp(filepath.Dir(l.path(key)))
	if err != nil {
		return "", Object{}, err
	}
	obj, err := fillTemp(ctx, f, key, r, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", Object{}, err
	}
	return f.Name(), obj, nil
}

// openTemp creates a temp file in dir, creating dir first. A concurrent Delete may prune a
// directory between the two steps, hence the few retries.
func (l *Local) openTemp(dir string) (*os.File, error) {
	var err error
	for range 5 {
		if err = l.makeDir(dir); err != nil {
			return nil, err
		}
		var f *os.File
		f, err = os.CreateTemp(dir, reservedPrefix+"tmp-*")
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, rootError(l.root, err)
		}
	}
	return nil, err
}

// fillTemp writes and fsyncs the content, hashing it on the way for the ETag.
func fillTemp(ctx context.Context, f *os.File, key string, r io.Reader, size int64) (Object, error) {
	h := xxh3.New()
	bufSize := int64(1 << 20)
	if size >= 0 && size < bufSize {
		bufSize = max(size, 512) // small state objects need no megabyte buffer
	}
	n, err := io.CopyBuffer(io.MultiWriter(f, h), ctxReader{ctx, r}, make([]byte, bufSize))
	if err != nil {
		return Object{}, fmt.Errorf("write: %w", err)
	}
	if size >= 0 && n != size {
		return Object{}, fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	etag := etagOf(h.Sum128())
	setETag(f, etag)
	if err := f.Chmod(0o644); err != nil {
		return Object{}, err
	}
	if err := f.Sync(); err != nil {
		return Object{}, fmt.Errorf("sync: %w", err)
	}
	return Object{Key: key, Size: n, ETag: etag}, nil
}

// makeDir creates dir, a key's folder, and its parents.
func (l *Local) makeDir(dir string) error {
	err := os.MkdirAll(dir, 0o755)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist):
		return fmt.Errorf("a parent of the key is an object, not a folder: %w", err)
	}
	return rootError(l.root, err)
}

// lock takes the advisory lock guarding key and returns its release. It polls without
// blocking so that a cancelled context ends the wait.
func (l *Local) lock(ctx context.Context, key string) (func(), error) {
	dir := filepath.Join(l.root, reservedPrefix+"locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, rootError(l.root, err)
	}
	name := filepath.Join(dir, fmt.Sprintf("%02x.lock", xxh3.HashString(key)&0xff))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, rootError(l.root, err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

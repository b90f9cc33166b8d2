package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// List yields the files whose keys start with prefix, in lexical (byte) order of the keys,
// recursively, skipping the store's temp and lock files and directories. The key names are
// gathered first and sorted (directory walks are not in key order: "a.b" sorts before
// "a/b"); each Object is then described when it is yielded, so breaking early is cheap. A
// file deleted between the two steps is left out.
func (l *Local) List(ctx context.Context, prefix string) iter.Seq2[Object, error] {
	return func(yield func(Object, error) bool) {
		keys, err := l.listKeys(ctx, prefix)
		if err != nil {
			yield(Object{}, fmt.Errorf("local list %s prefix %q: %w", l.root, prefix, err))
			return
		}
		for _, key := range keys {
			if err := ctx.Err(); err != nil {
				yield(Object{}, fmt.Errorf("local list %s prefix %q: %w", l.root, prefix, err))
				return
			}
			obj, err := l.stat(key)
			if errors.Is(err, ErrNotExist) {
				continue
			}
			if err != nil {
				yield(Object{}, fmt.Errorf("local list %s: %w", l.path(key), err))
				return
			}
			if !yield(obj, nil) {
				return
			}
		}
	}
}

// listKeys walks the smallest directory that holds every match and returns the sorted keys.
func (l *Local) listKeys(ctx context.Context, prefix string) ([]string, error) {
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	base := l.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		base = l.path(prefix[:i])
	}
	var keys []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == base && errors.Is(notExist(err), ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == l.root {
			return nil
		}
		if strings.HasPrefix(d.Name(), reservedPrefix) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if p != base && !couldMatch(key+"/", prefix) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	return keys, nil
}

// couldMatch reports whether a directory whose keys all start with dir can hold a key
// starting with prefix.
func couldMatch(dir, prefix string) bool {
	return strings.HasPrefix(dir, prefix) || strings.HasPrefix(prefix, dir)
}

// stat describes the file of key, or returns ErrNotExist.
func (l *Local) stat(key string) (Object, error) {
	p := l.path(key)
	fi, err := os.Lstat(p)
	if err != nil {
		return Object{}, notExist(err)
	}
	if !fi.Mode().IsRegular() {
		return Object{}, ErrNotExist
	}
	etag, err := pathETag(p)
	if err != nil {
		return Object{}, err
	}
	return Object{Key: key, Size: fi.Size(), ETag: etag, ModTime: fi.ModTime().UTC()}, nil
}

package store

import (
	"encoding/hex"
	"io"
	"os"

	"github.com/zeebo/xxh3"
	"golang.org/x/sys/unix"
)

// etagXattr is the extended attribute that caches a file's content hash. It is set on the
// temp file before it is linked or renamed into place, so it always describes the content
// the name points to.
const etagXattr = "user.sluice.xxh3-128"

// etagLen is the length of a hex xxh3-128 digest.
const etagLen = 32

// etagOf formats a digest as an ETag.
func etagOf(sum xxh3.Uint128) string {
	b := sum.Bytes()
	return hex.EncodeToString(b[:])
}

// setETag records etag on the file. Failure (a file system without user xattrs) only
// costs a hash on later reads, so it is ignored.
func setETag(f *os.File, etag string) {
	_ = unix.Fsetxattr(int(f.Fd()), etagXattr, []byte(etag), 0)
}

// fileETag returns the ETag of an open file from its xattr, or by hashing its content (then
// rewinding it) when the xattr is missing.
func fileETag(f *os.File) (string, error) {
	buf := make([]byte, 64)
	if n, err := unix.Fgetxattr(int(f.Fd()), etagXattr, buf); err == nil && n == etagLen {
		return string(buf[:n]), nil
	}
	h := xxh3.New()
	if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
		return "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return etagOf(h.Sum128()), nil
}

// pathETag returns the ETag of the file at p, or ErrNotExist.
func pathETag(p string) (string, error) {
	buf := make([]byte, 64)
	if n, err := unix.Getxattr(p, etagXattr, buf); err == nil && n == etagLen {
		return string(buf[:n]), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return "", notExist(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", ErrNotExist
	}
	return fileETag(f)
}

// Package store is the object-store seam: a local folder and S3 behind one small
// interface with the two conditional writes the commit protocol needs (create-if-absent
// and compare-and-swap). Every implementation passes the conformance suite in storetest.
package store

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"
)

// Sentinel errors every Store returns (wrapped) so callers can use errors.Is.
var (
	// ErrNotExist: the key does not exist.
	ErrNotExist = errors.New("object does not exist")
	// ErrExists: a create-if-absent write found the key already present.
	ErrExists = errors.New("object already exists")
	// ErrPrecondition: a compare-and-swap found a different version than expected.
	ErrPrecondition = errors.New("object changed since it was read")
)

// Object describes one stored object.
type Object struct {
	Key     string
	Size    int64
	ETag    string // opaque version token; changes on every write of the key
	ModTime time.Time
}

// Store is a flat key space of immutable-by-convention objects. Keys use "/" as separator
// and never start with "/". All methods are safe for concurrent use.
type Store interface {
	// Get opens the object at key. It returns ErrNotExist when there is none.
	// The caller closes the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Create writes r (size bytes, or -1 if unknown) to key only if key does not exist yet,
	// atomically: readers see the whole object or none. It returns ErrExists otherwise.
	Create(ctx context.Context, key string, r io.Reader, size int64) (Object, error)
	// Swap replaces the object at key with data only if its current ETag equals etag;
	// etag "" means "only if key does not exist". It returns ErrPrecondition when the
	// condition fails. Swap is for small state objects (manifests, leases, heads).
	Swap(ctx context.Context, key string, data []byte, etag string) (Object, error)
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List yields the objects whose keys start with prefix, in lexical key order.
	List(ctx context.Context, prefix string) iter.Seq2[Object, error]
}

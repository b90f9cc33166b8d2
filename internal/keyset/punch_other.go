//go:build !linux

package keyset

import "os"

// punchHole would free the disk blocks of the n bytes at off; here it does nothing, and
// the spill file keeps the space of merged runs until Close.
func punchHole(f *os.File, off, n int64) error { return nil }

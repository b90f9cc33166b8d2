// Package failpoint kills the process at named points of the commit protocol, for crash
// tests. A failpoint is armed by the environment variable SLUICE_FAILPOINT:
//
//	SLUICE_FAILPOINT=after-manifest-cas     the first time Hit("after-manifest-cas") runs
//	SLUICE_FAILPOINT=after-data-put@3       the third time Hit("after-data-put") runs
//
// The process then dies by SIGKILL on the spot: no deferred calls, no flushed buffers,
// exactly as if the machine had lost power to the process. Hit is inert, a call to an
// empty function, unless the binary is built with `-tags failpoints`; a production build
// contains no kill path at all.
//
// The engine places these failpoints (the names are the constants below):
//
//	after-data-put            a partition's data file is stored, its metadata is not
//	after-metadata-put        data and metadata are stored, the manifest has not moved
//	after-manifest-cas        the manifest names the new generation, superseded files remain
//	during-superseded-delete  some superseded files are deleted, others remain
//	mid-checkpoint            a staged part is stored, the checkpoint naming it is not
//
// After a kill at any of them, a rerun (which reconciles first) must yield exactly the
// records of a clean run.
package failpoint

import (
	"strconv"
	"strings"
)

// Env is the environment variable that arms a failpoint.
const Env = "SLUICE_FAILPOINT"

// Failpoint names the engine places (see the package comment).
const (
	AfterDataPut           = "after-data-put"
	AfterMetadataPut       = "after-metadata-put"
	AfterManifestCAS       = "after-manifest-cas"
	DuringSupersededDelete = "during-superseded-delete"
	MidCheckpoint          = "mid-checkpoint"
)

// Names lists every failpoint the engine places, in protocol order.
func Names() []string {
	return []string{AfterDataPut, AfterMetadataPut, AfterManifestCAS, DuringSupersededDelete, MidCheckpoint}
}

// Parse reads a SLUICE_FAILPOINT value: "name" (the first hit) or "name@N" (the Nth hit,
// N ≥ 1). ok is false for an empty or malformed value, which arms nothing.
func Parse(v string) (name string, nth int64, ok bool) {
	name, count, hasCount := strings.Cut(strings.TrimSpace(v), "@")
	if name == "" {
		return "", 0, false
	}
	if !hasCount {
		return name, 1, true
	}
	n, err := strconv.ParseInt(count, 10, 64)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return name, n, true
}

package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// runTempDir creates the run's own folder for staged partition files under base, after
// removing the folders of earlier runs whose process is gone (killed runs cannot clean up
// after themselves).
func runTempDir(base, runID string) (string, error) {
	removeStale(base)
	dir := filepath.Join(base, fmt.Sprintf("sluice-%d-%s", os.Getpid(), runID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("temp dir: %w (set TMPDIR to a writable folder)", err)
	}
	return dir, nil
}

// removeStale deletes base/sluice-{pid}-{run} folders of processes that no longer exist.
func removeStale(base string) {
	matches, _ := filepath.Glob(filepath.Join(base, "sluice-*-*")) // constant, valid pattern
	for _, m := range matches {
		pidText, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(m), "sluice-"), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(m) // best effort: a leftover costs disk space, never correctness
		}
	}
}

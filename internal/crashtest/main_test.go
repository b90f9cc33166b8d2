package crashtest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/internal/store/s3test"
)

// sluiceBin is the failpoint build of sluice that TestMain makes for this test process. It
// is the one package variable: TestMain is the only place that can build it once for all
// tests.
var sluiceBin string

// defaultParallel is how many scenarios run at once unless -test.parallel is given: each
// run mostly waits on the demo spec's rate limit (100 requests/s per process), not on CPU.
const defaultParallel = "16"

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", defaultParallel); err != nil {
			fmt.Fprintln(os.Stderr, "crashtest:", err)
			return 1
		}
	}
	dir, err := os.MkdirTemp("", "sluice-crashtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	sluiceBin, err = buildSluice(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest:", err)
		return 1
	}
	return m.Run()
}

// buildSluice builds ./cmd/sluice with -tags failpoints into dir.
func buildSluice(dir string) (string, error) {
	root, err := s3test.ModuleRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "sluice")
	cmd := exec.Command("go", "build", "-tags", "failpoints", "-o", out, "./cmd/sluice")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build sluice with -tags failpoints: %w\n%s", err, msg)
	}
	return out, nil
}

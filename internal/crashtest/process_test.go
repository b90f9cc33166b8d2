package crashtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Run range: a fixed past month, so the demo data is the same on every run.
const (
	fromDay = "2024-03-01"
	toDay   = "2024-03-30"
)

// accounts are the demo accounts every run collects.
var accounts = []string{"northwind", "contoso", "fabrikam"}

// invocation is one sluice process of a scenario.
type invocation struct {
	failpoint   string            // SLUICE_FAILPOINT, "" for none
	forceUnlock bool              // pass --force-unlock
	refresh     bool              // pass --refresh
	killAfter   time.Duration     // send SIGKILL after this long (0: never)
	onLine      func(line string) // called with each stderr line as it arrives
}

// result is how a sluice process ended.
type result struct {
	killed   bool // died by SIGKILL
	code     int  // exit code when not killed
	stdout   string
	stderr   string
	duration time.Duration
}

func (r result) String() string {
	if r.killed {
		return "killed by SIGKILL"
	}
	return fmt.Sprintf("exit %d", r.code)
}

// transcript is the process's output, for failure messages.
func (r result) transcript() string {
	return fmt.Sprintf("%s after %v\n--- stdout\n%s--- stderr (last lines)\n%s", r, r.duration.Round(time.Millisecond), r.stdout, tail(r.stderr, 15))
}

// scenario is the files of one crash scenario: a config per API and a TMPDIR.
type scenario struct {
	t   *testing.T
	b   *backend
	out *sink
	dir string
}

func newScenario(t *testing.T, b *backend, out *sink) *scenario {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	return &scenario{t: t, b: b, out: out, dir: dir}
}

// run starts sluice against api (the demo API's base URL) and waits for it to end.
func (sc *scenario) run(api string, inv invocation) result {
	sc.t.Helper()
	cfg := filepath.Join(sc.dir, "sluice.yaml")
	if err := os.WriteFile(cfg, []byte(sc.b.configYAML(sc.out, api)), 0o644); err != nil {
		sc.t.Fatal(err)
	}
	args := []string{"run", "--config", cfg, "--from", fromDay, "--to", toDay, "--concurrency", "4", "--log-format", "json"}
	if inv.forceUnlock {
		args = append(args, "--force-unlock")
	}
	if inv.refresh {
		args = append(args, "--refresh")
	}
	cmd := exec.Command(sluiceBin, args...)
	cmd.Dir = sc.dir
	cmd.Env = append(childEnv(), "TMPDIR="+filepath.Join(sc.dir, "tmp"), "TZ=America/Los_Angeles")
	cmd.Env = append(cmd.Env, sc.b.env()...)
	if inv.failpoint != "" {
		cmd.Env = append(cmd.Env, "SLUICE_FAILPOINT="+inv.failpoint)
	}
	var stdout bytes.Buffer
	stderr := &lineWriter{fn: inv.onLine}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		sc.t.Fatalf("start sluice: %v", err)
	}
	if inv.killAfter > 0 {
		timer := time.AfterFunc(inv.killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	res := result{stdout: stdout.String(), stderr: stderr.String(), duration: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			if ws.Signal() != syscall.SIGKILL {
				sc.t.Fatalf("sluice died by %v, want SIGKILL or an exit\n%s", ws.Signal(), res.transcript())
			}
			res.killed = true
		} else {
			res.code = ws.ExitStatus()
		}
	default:
		sc.t.Fatalf("wait for sluice: %v", err)
	}
	return res
}

// childEnv is this process's environment without the variables that would change what
// sluice does: its own settings, failpoints and any AWS configuration.
func childEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SLUICE_") || strings.HasPrefix(name, "AWS_") || name == "TMPDIR" || name == "TZ" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
}

// staleTemp lists what runs left in the scenario's TMPDIR.
func (sc *scenario) staleTemp() []string {
	entries, err := os.ReadDir(filepath.Join(sc.dir, "tmp"))
	if err != nil {
		sc.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// lineWriter keeps a process's stderr and calls fn with each complete line.
type lineWriter struct {
	fn func(string)

	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.fn == nil {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

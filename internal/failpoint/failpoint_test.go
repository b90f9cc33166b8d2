package failpoint_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/sluice-dev/sluice/internal/failpoint"
)

const helperEnv = "SLUICE_FAILPOINT_HELPER"

// TestHelperProcess is the crashing program: it is run by TestHit in a child process and
// does nothing in a normal test run.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for TestHit")
	}
	fmt.Println("start")
	for i := 1; i <= 4; i++ {
		fmt.Printf("hit %d\n", i)
		failpoint.Hit(failpoint.AfterDataPut)
	}
	fmt.Println("done")
	os.Exit(0)
}

// TestHit runs the helper with SLUICE_FAILPOINT set. Built with -tags failpoints, an armed
// failpoint must kill the helper by SIGKILL right after the Nth hit; without the tag, the
// helper must always run to the end.
func TestHit(t *testing.T) {
	lines := func(n int, done bool) string {
		var b strings.Builder
		b.WriteString("start\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "hit %d\n", i)
		}
		if done {
			b.WriteString("done\n")
		}
		return b.String()
	}
	full := lines(4, true)
	tests := []struct {
		name   string
		env    string
		killed bool   // with -tags failpoints
		out    string // with -tags failpoints
	}{
		{"not armed", "", false, full},
		{"first hit", "after-data-put", true, lines(1, false)},
		{"third hit", "after-data-put@3", true, lines(3, false)},
		{"fourth and last hit", "after-data-put@4", true, lines(4, false)},
		{"never reached", "after-data-put@5", false, full},
		{"another failpoint", "after-manifest-cas", false, full},
		{"malformed count", "after-data-put@0", false, full},
		{"count not a number", "after-data-put@x", false, full},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), helperEnv+"=1", failpoint.Env+"="+tt.env)
			var stdout strings.Builder
			cmd.Stdout = &stdout
			err := cmd.Run()
			wantKilled, wantOut := tt.killed, tt.out
			if !failpoint.Enabled {
				wantKilled, wantOut = false, full
			}
			var ee *exec.ExitError
			switch {
			case wantKilled:
				if !errors.As(err, &ee) {
					t.Fatalf("helper exited with %v, want death by SIGKILL", err)
				}
				ws := ee.Sys().(syscall.WaitStatus)
				if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("helper ended with %v, want death by SIGKILL", ee)
				}
			case err != nil:
				t.Fatalf("helper: %v, want exit 0", err)
			}
			if got := stdout.String(); got != wantOut {
				t.Fatalf("helper output:\n%s\nwant:\n%s", got, wantOut)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		name string
		nth  int64
		ok   bool
	}{
		{"after-data-put", "after-data-put", 1, true},
		{"mid-checkpoint@12", "mid-checkpoint", 12, true},
		{" after-manifest-cas ", "after-manifest-cas", 1, true},
		{"", "", 0, false},
		{"@2", "", 0, false},
		{"after-data-put@0", "", 0, false},
		{"after-data-put@-1", "", 0, false},
		{"after-data-put@", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, nth, ok := failpoint.Parse(tt.in)
			if name != tt.name || nth != tt.nth || ok != tt.ok {
				t.Fatalf("Parse(%q) = %q, %d, %v; want %q, %d, %v", tt.in, name, nth, ok, tt.name, tt.nth, tt.ok)
			}
		})
	}
}

func TestNames(t *testing.T) {
	want := "after-data-put after-metadata-put after-manifest-cas during-superseded-delete mid-checkpoint"
	if got := strings.Join(failpoint.Names(), " "); got != want {
		t.Fatalf("Names() = %s, want %s", got, want)
	}
}

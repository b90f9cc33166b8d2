package cli_test

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
	_ "time/tzdata" // as in cmd/sluice: scripts set TZ, and the binary must not need the host's zoneinfo

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sluice-dev/sluice/internal/cli"
)

// TestMain lets the test binary double as the sluice command: testscript puts a copy of it
// named "sluice" on the scripts' PATH, and running that copy lands in cli.Main, exactly as
// cmd/sluice does.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sluice": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script. Each script starts from
// an empty work directory and an environment holding nothing but testscript's own
// variables, so no host setting (SLUICE_*, credentials) can leak into it.
//
// Besides testscript's built-in commands, scripts may use the commands of scriptCmds
// (exits, fake, day, objects); see their doc comments.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		Cmds:                scriptCmds(),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
	})
}

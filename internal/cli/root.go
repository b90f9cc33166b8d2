// Package cli holds sluice's commands. Each file is one command; commands parse flags,
// wire the packages together, print, and map outcomes to exit codes. They decide nothing
// a package could decide.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/lmittmann/tint"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sluice-dev/sluice/internal/config"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitUsage   = 2
	ExitPartial = 3
)

// ExitError carries an exit code through cobra.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// usageErr marks err as a usage or configuration problem (exit 2).
func usageErr(err error) error { return &ExitError{Code: ExitUsage, Err: err} }

// globals are the flags every command shares.
type globals struct {
	verbose   int
	logFormat string
	config    string
	profile   string
	stdout    io.Writer
	stderr    io.Writer
}

// Main runs sluice with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "sluice:", err)
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage // cobra's own errors are flag and argument problems
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "sluice",
		Short: "Land third-party API data in S3 or a local folder, idempotently",
		Long: `sluice pulls data from HTTP APIs described in YAML source specs and lands it as
Parquet or JSON Lines in one partitioned layout, with metadata beside every file.
Re-running a range replaces it; it never duplicates.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.CountVarP(&g.verbose, "verbose", "v", "more logging (-v info, -vv debug)")
	pf.StringVar(&g.logFormat, "log-format", "", "log format: text or json (default: text on a terminal, json otherwise)")
	pf.StringVarP(&g.config, "config", "c", "sluice.yaml", "workflow config file")
	pf.StringVar(&g.profile, "cpuprofile", "", "write a CPU profile to this file (for performance reports)")
	_ = pf.MarkHidden("cpuprofile") // the flag exists; hiding it cannot fail
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return g.startProfile() }
	root.PersistentPostRun = func(*cobra.Command, []string) { pprof.StopCPUProfile() }
	root.AddCommand(newRunCmd(g), newPlanCmd(g), newValidateCmd(g), newSourcesCmd(g),
		newDemoCmd(g), newServeFakeCmd(g), newVersionCmd(g), newSchemaCmd(g), newUnlockCmd(g), newStatusCmd(g), newDiffCmd(g))
	return root
}

// startProfile starts CPU profiling when --cpuprofile is set.
func (g *globals) startProfile() error {
	if g.profile == "" {
		return nil
	}
	f, err := os.Create(g.profile)
	if err != nil {
		return usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	return pprof.StartCPUProfile(f)
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// logger builds the logger: levels by -v, text (colour on a terminal) or JSON as chosen by
// --log-format, else SLUICE_LOG_FORMAT, else the terminal. Record times are written in UTC.
func (g *globals) logger() (*slog.Logger, error) {
	level := slog.LevelWarn
	if !isTerminal(g.stderr) {
		level = slog.LevelInfo
	}
	switch {
	case g.verbose >= 2:
		level = slog.LevelDebug
	case g.verbose == 1:
		level = slog.LevelInfo
	}
	format, from := g.logFormat, "--log-format"
	if format == "" {
		format, from = os.Getenv(config.EnvLogFormat), config.EnvLogFormat
	}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: utcTime})), nil
	case "text":
		return slog.New(tint.NewHandler(g.stderr, &tint.Options{Level: level, NoColor: !isTerminal(g.stderr), ReplaceAttr: utcTime})), nil
	case "":
		if isTerminal(g.stderr) {
			return slog.New(tint.NewHandler(g.stderr, &tint.Options{Level: level, ReplaceAttr: utcTime})), nil
		}
		return slog.New(slog.NewJSONHandler(g.stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: utcTime})), nil
	}
	return nil, usageErr(fmt.Errorf("%s %q: use text or json", from, format))
}

// utcTime writes a log record's time in UTC whatever the host's time zone.
func utcTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
		a.Value = slog.TimeValue(a.Value.Time().UTC())
	}
	return a
}

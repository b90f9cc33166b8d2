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

	"github.com/lmittmann/tint"
	"github.com/spf13/cobra"
	"golang.org/x/term"
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
	root.AddCommand(newRunCmd(g), newPlanCmd(g), newValidateCmd(g), newSourcesCmd(g),
		newDemoCmd(g), newServeFakeCmd(g), newVersionCmd(g), newSchemaCmd(g))
	return root
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// logger builds the logger: levels by -v, text (colour on a terminal) or JSON.
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
	switch g.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, &slog.HandlerOptions{Level: level})), nil
	case "text":
		return slog.New(tint.NewHandler(g.stderr, &tint.Options{Level: level, NoColor: !isTerminal(g.stderr)})), nil
	case "":
		if isTerminal(g.stderr) {
			return slog.New(tint.NewHandler(g.stderr, &tint.Options{Level: level})), nil
		}
		return slog.New(slog.NewJSONHandler(g.stderr, &slog.HandlerOptions{Level: level})), nil
	}
	return nil, usageErr(fmt.Errorf("--log-format %q: use text or json", g.logFormat))
}

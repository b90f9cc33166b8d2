package cli_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sluice-dev/sluice/internal/fakeapi"
)

// scriptCmds are the commands the CLI scripts add to testscript's built-in set.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"exits":   cmdExits,
		"fake":    cmdFake,
		"day":     cmdDay,
		"objects": cmdObjects,
		"expand":  cmdExpand,
		"norm":    cmdNorm,
	}
}

// cmdExits runs a program like exec and fails unless it exits with exactly the given code:
//
//	exits CODE PROGRAM [ARGS...]
//
// Its stdout and stderr are kept for the stdout and stderr assertions that follow. It
// cannot be negated: a script names the code it expects.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...] (not negatable)")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: code %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}

// cmdFake starts a built-in fake API (internal/fakeapi, default options: seed 0, no
// faults, the X fake accepting fakeapi.XDefaultToken) on a free loopback port for the rest
// of the script, and sets the environment variable VAR to its base URL:
//
//	fake demo|x VAR
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fake demo|x VAR")
	}
	h, err := fakeapi.Handler(args[0], fakeapi.Options{})
	ts.Check(err)
	srv, err := fakeapi.Listen(context.Background(), "127.0.0.1:0", h)
	ts.Check(err)
	ts.Defer(func() { _ = srv.Close() })
	ts.Setenv(args[1], srv.URL)
}

// cmdDay sets VAR to the UTC day OFFSET days from today, written with the Go time LAYOUT
// (default "2006/01/02", the partition path form):
//
//	day VAR OFFSET [LAYOUT]
func cmdDay(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: day VAR OFFSET [LAYOUT]")
	}
	off, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("day: offset %q is not a number", args[1])
	}
	layout := "2006/01/02"
	if len(args) == 3 {
		layout = args[2]
	}
	ts.Setenv(args[0], time.Now().UTC().AddDate(0, 0, off).Format(layout))
}

// varRef matches ${NAME} references; sluice's own ${env:NAME} secret references (with a
// colon) do not match, so a config can mix both.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// cmdExpand rewrites files in place, replacing each ${NAME} with the script's environment
// variable NAME (failing if it is unset or empty), for configs that must name a fake's URL:
//
//	expand FILE...
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: expand FILE...")
	}
	for _, f := range args {
		text := varRef.ReplaceAllStringFunc(ts.ReadFile(f), func(ref string) string {
			name := varRef.FindStringSubmatch(ref)[1]
			v := ts.Getenv(name)
			if v == "" {
				ts.Fatalf("expand %s: %s is not set", f, name)
			}
			return v
		})
		ts.Check(os.WriteFile(ts.MkAbs(f), []byte(text), 0o644))
	}
}

// cmdNorm prints FILE ("stdout" and "stderr" mean the last command's) with run timestamps
// replaced by {ts} and the run ids of run summary names by {run}, so output naming the
// objects of a run can be compared with cmp:
//
//	norm FILE
func cmdNorm(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: norm FILE")
	}
	fmt.Fprint(ts.Stdout(), normalize(ts.ReadFile(args[0])))
}

// normalize replaces run timestamps and the run ids of run summary names.
func normalize(s string) string {
	return runName.ReplaceAllString(runTS.ReplaceAllString(s, "{ts}"), "run_{ts}_{run}.json")
}

// runTS and runName match the run timestamp in object names and the run id of run
// summaries (run_{ts}_{run_id}.json).
var (
	runTS   = regexp.MustCompile(`\d{8}T\d{6}Z`)
	runName = regexp.MustCompile(`run_\{ts\}_[0-9a-f]+\.json`)
)

// cmdObjects prints the files under DIR, one per line, as sorted slash-separated paths
// relative to DIR (a missing DIR prints nothing). Like the local store's List, it skips
// names starting with ".sluice-" (temp and lock files).
//
//	objects [-n] [-sum] [-x REGEXP] DIR
//
// -n replaces run timestamps with {ts} and run ids in run summaries with {run}, for
// comparing with a fixed listing; -sum appends the first 16 hex digits of each file's
// SHA-256, to prove contents unchanged; -x leaves out paths matching REGEXP.
func cmdObjects(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("objects cannot be negated")
	}
	fl := flag.NewFlagSet("objects", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	norm := fl.Bool("n", false, "normalize run timestamps and ids")
	sum := fl.Bool("sum", false, "append content hashes")
	exclude := fl.String("x", "", "leave out paths matching this regexp")
	if err := fl.Parse(args); err != nil || fl.NArg() != 1 {
		ts.Fatalf("usage: objects [-n] [-sum] [-x REGEXP] DIR")
	}
	var skip *regexp.Regexp
	if *exclude != "" {
		var err error
		skip, err = regexp.Compile(*exclude)
		ts.Check(err)
	}
	lines, err := listObjects(ts.MkAbs(fl.Arg(0)), *norm, *sum, skip)
	ts.Check(err)
	fmt.Fprint(ts.Stdout(), strings.Join(lines, ""))
}

func listObjects(root string, norm, sum bool, skip *regexp.Regexp) ([]string, error) {
	var lines []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".sluice-") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip != nil && skip.MatchString(rel) {
			return nil
		}
		line := rel
		if norm {
			line = normalize(line)
		}
		if sum {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			line += " " + hex.EncodeToString(h[:8])
		}
		lines = append(lines, line+"\n")
		return nil
	})
	slices.Sort(lines)
	return lines, err
}

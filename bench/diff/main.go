// Command diff benchmarks `sluice diff` against DuckDB on two generated snapshot files
// of 10 data columns (1% of keys deleted, 1% added, 5% modified): wall time and peak RSS
// of each, in its own process, and their ratios. It fails when the two disagree on the
// number of added, modified or deleted keys.
//
//	go run . -bin path/to/sluice [-n 10000000] [-dir DIR]
//
// It lives in its own module so the sluice binary never links DuckDB.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "duckdb-child" {
		if err := duckdbChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "duckdb:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/diff:", err)
		os.Exit(1)
	}
}

// measurement is one timed subprocess.
type measurement struct {
	name  string
	wall  time.Duration
	rssKB int64
	out   []byte
}

func run() error {
	n := flag.Int64("n", 10_000_000, "records per snapshot")
	bin := flag.String("bin", "", "the sluice binary (built from ./cmd/sluice)")
	dir := flag.String("dir", "", "work directory (default: a new temporary one, removed at the end)")
	flag.Parse()
	if *bin == "" {
		return fmt.Errorf("-bin is required")
	}
	work := *dir
	if work == "" {
		d, err := os.MkdirTemp("", "sluice-bench-diff-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	start := time.Now()
	prev, cur, exp, err := generate(work, *n)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Printf("generated 2 × %d records (%d columns) in %.1fs: expect %d added, %d modified, %d deleted\n",
		*n, len(dataColumns()), time.Since(start).Seconds(), exp.added, exp.modified, exp.deleted)
	for _, p := range []string{prev, cur} {
		if info, err := os.Stat(p); err == nil {
			fmt.Printf("  %s: %.0f MB\n", filepath.Base(p), float64(info.Size())/1e6)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	sl, err := measure("sluice diff", *bin, "diff", prev, cur, "--out", filepath.Join(work, "sluice_diff.parquet"), "--json", "--show", "0")
	if err != nil {
		return err
	}
	var sum struct{ Added, Modified, Deleted int64 }
	if err := json.Unmarshal(sl.out, &sum); err != nil {
		return fmt.Errorf("sluice diff --json: %w", err)
	}
	results := []measurement{sl}
	for _, limit := range []string{"", "1GB"} {
		name := "duckdb"
		if limit != "" {
			name += " memory_limit=" + limit
		}
		out := filepath.Join(work, "duckdb_diff.parquet")
		m, err := measure(name, self, "duckdb-child", "join", prev, cur, out, limit)
		if err != nil {
			return err
		}
		results = append(results, m)
	}
	// Count DuckDB's result in a separate process, outside the timings.
	cnt, err := exec.Command(self, "duckdb-child", "count", filepath.Join(work, "duckdb_diff.parquet")).Output()
	if err != nil {
		return fmt.Errorf("count duckdb result: %w", err)
	}
	var dd struct{ Added, Modified, Deleted int64 }
	if err := json.Unmarshal(cnt, &dd); err != nil {
		return fmt.Errorf("count duckdb result: %w", err)
	}
	fmt.Printf("\n%-26s %9s %11s\n", "", "time", "peak RSS")
	for _, m := range results {
		fmt.Printf("%-26s %8.2fs %8.0f MB\n", m.name, m.wall.Seconds(), float64(m.rssKB)/1024)
	}
	fmt.Println()
	for _, m := range results[1:] {
		fmt.Printf("sluice/%-19s time %.2f×, peak RSS %.2f×\n", m.name, sl.wall.Seconds()/m.wall.Seconds(), float64(sl.rssKB)/float64(m.rssKB))
	}
	fmt.Printf("\ncounts  sluice: %d added, %d modified, %d deleted\n", sum.Added, sum.Modified, sum.Deleted)
	fmt.Printf("        duckdb: %d added, %d modified, %d deleted\n", dd.Added, dd.Modified, dd.Deleted)
	if sum != dd || sum.Added != exp.added || sum.Modified != exp.modified || sum.Deleted != exp.deleted {
		return fmt.Errorf("COUNTS DISAGREE: sluice %+v, duckdb %+v, generated %+v", sum, dd, exp)
	}
	fmt.Println("counts agree")
	return nil
}

// measure runs a command and returns its wall time, peak RSS and stdout.
func measure(name, bin string, args ...string) (measurement, error) {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	wall := time.Since(start)
	if err != nil {
		return measurement{}, fmt.Errorf("%s: %w", name, err)
	}
	m := measurement{name: name, wall: wall, out: out}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKB = ru.Maxrss // kilobytes on Linux
	}
	return m, nil
}

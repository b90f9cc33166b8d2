package cli

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/fakeapi"
	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/layout"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// demoAccounts are the accounts of the demo data set.
var demoAccounts = []string{"northwind", "contoso", "fabrikam"}

func newDemoCmd(g *globals) *cobra.Command {
	var sink, formatName string
	var days int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the built-in demo: a sample social API into a local folder, no credentials",
		Long: `demo starts the built-in sample API on loopback and lands 30 days of posts and their
comments for three accounts in ./sluice-demo, exactly as a real run would (with the API's
occasional 429 and 503 answers retried). Run it twice: the second run finds every partition
unchanged and writes nothing.`,
		Example: `  sluice demo
  sluice demo --sink /tmp/demo --format jsonl --days 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.Parse(formatName)
			if err != nil {
				return usageErr(err)
			}
			if days < 1 || days > 366 {
				return usageErr(fmt.Errorf("--days %d: use 1 to 366", days))
			}
			return runDemo(cmd, g, sink, f, days)
		},
	}
	cmd.Flags().StringVar(&sink, "sink", "sluice-demo", "local folder (or s3://bucket/prefix) to write to")
	cmd.Flags().StringVar(&formatName, "format", "parquet", "parquet or jsonl")
	cmd.Flags().IntVar(&days, "days", 30, "days of data, ending yesterday (UTC)")
	return cmd
}

func runDemo(cmd *cobra.Command, g *globals, sink string, f format.Format, days int) error {
	ctx := cmd.Context()
	logger, err := g.logger()
	if err != nil {
		return err
	}
	sp, err := spec.Lookup("demo", nil)
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	h, err := fakeapi.Handler("demo", fakeapi.Options{Seed: 1, Faults: true})
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	srv, err := fakeapi.Listen(ctx, "127.0.0.1:0", h)
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	defer srv.Close()
	st, root, err := store.Open(ctx, sink, store.Options{})
	if err != nil {
		return usageErr(fmt.Errorf("--sink %s: %w", sink, err))
	}
	lim := httpapi.NewLimiter(sp.RateLimit, httpapi.SystemClock())
	var tasks []engine.Task
	for _, acct := range demoAccounts {
		c, err := httpapi.NewClient(httpapi.Config{Spec: sp, Limiter: lim, Timeout: 10 * time.Second, Logger: logger, HTTP: &http.Client{}})
		if err != nil {
			return &ExitError{Code: ExitFailed, Err: err}
		}
		tasks = append(tasks, engine.Task{Spec: sp, AccountID: acct, Client: c, BaseURL: srv.URL})
	}
	yesterday := layout.Day(time.Now()).AddDate(0, 0, -1)
	r := engine.Range{From: yesterday.AddDate(0, 0, -(days - 1)), To: yesterday}
	// The demo always extracts again: running it twice shows an unchanged re-extraction.
	opt := engine.Options{Store: st, Sink: root, Format: f, Concurrency: 4, Logger: logger,
		RunID: newRunID(), RunTime: time.Now().UTC(), Build: buildInfo(), Refresh: true,
		CheckpointPages: engine.DefaultCheckpointPages}
	fmt.Fprintf(g.stdout, "demo: %d accounts × %d days from the sample API at %s → %s\n", len(tasks), days, srv.URL, root)
	if err := execute(cmd, g, opt, tasks, r); err != nil {
		return err
	}
	printDemoHints(ctx, g, root, f)
	return nil
}

func printDemoHints(_ context.Context, g *globals, root string, f format.Format) {
	ext := f.Ext()
	glob := filepath.ToSlash(filepath.Join(root, "demo", "*", "posts", "*", "*", "*", "data_*."+ext))
	reader := "read_parquet"
	if f == format.JSONL {
		reader = "read_json_auto"
	}
	fmt.Fprintf(g.stdout, `
Layout: %[1]s/demo/{account}/{posts|comments}/YYYY/MM/DD/data_{ts}.%[2]s, with metadata_{ts}.json beside
each file and run summaries under %[1]s/_sluice/runs/. Query it with DuckDB, for example:

  duckdb -c "SELECT split_part(filename, '/', -6) AS account, count(*) AS posts,
                    min(created_time), max(created_time)
             FROM %[3]s('%[4]s', filename=true) GROUP BY ALL ORDER BY account"

Run 'sluice demo' again: every partition is unchanged and nothing new is written.
`, root, ext, reader, glob)
}

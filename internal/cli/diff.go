package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/snapshot"
	"github.com/sluice-dev/sluice/internal/store"
)

// diffFlags are the flags of diff.
type diffFlags struct {
	out       string
	asJSON    bool
	show      int
	memoryMB  int64
	workers   int
	tempDir   string
	endpoint  string
	region    string
	pathStyle bool
}

// diffReport is the --json output of diff.
type diffReport struct {
	PrevFile string `json:"prev_file"`
	CurFile  string `json:"cur_file"`
	Out      string `json:"out,omitempty"`
	snapshot.Summary
}

func newDiffCmd(g *globals) *cobra.Command {
	var f diffFlags
	cmd := &cobra.Command{
		Use:   "diff PREV CUR",
		Short: "Compare two snapshot files by key: what was added, modified and deleted",
		Long: `diff compares two snapshot files (or any Parquet files with _key and _hash columns)
record by record, by key. PREV and CUR are local paths or s3://bucket/key addresses; S3
objects are downloaded to the temporary directory first, with credentials from the
standard AWS chain and the endpoint from --s3-endpoint or SLUICE_S3_ENDPOINT.

It prints the counts of added, modified, deleted and unchanged records, the first changed
keys with the paths of their changed fields, and each file's row count, duplicate keys
and content hash. --out writes the diff file (Parquet: one row per change with the old
and new value of every changed field and the record image; see docs/snapshots.md).

Memory stays bounded whatever the size of the files: keys are partitioned into buckets
that go to the temporary directory beyond --memory-mb. It exits 0 when the comparison
completes (whether or not anything changed), 1 when an input cannot be read, and 2 on a
usage mistake.`,
		Example: `  sluice diff snapshot_2024-03-01_20240301T060000Z.parquet snapshot_2024-03-02_20240302T060000Z.parquet
  sluice diff s3://acme-lake/x/123/snapshots/followers/snapshot_2024-03-01_20240301T060000Z.parquet \
              s3://acme-lake/x/123/snapshots/followers/snapshot_2024-03-02_20240302T060000Z.parquet --out changes.parquet
  sluice diff a.parquet b.parquet --json

  prev a.parquet: 1000 rows, 0 duplicate keys, content 6b1f0c9e2d4a8b7c5e3f1a0d9c8b7a6e
  cur  b.parquet: 1010 rows, 0 duplicate keys, content 0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d
  20 added, 3 modified, 10 deleted, 977 unchanged
    MODIFIED  4711  followers, owner.name
    ADDED     4712`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd.Context(), cmd, g, &f, args[0], args[1])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "write the diff file (Parquet) to this local path")
	fl.BoolVar(&f.asJSON, "json", false, "print the summary as one JSON document")
	fl.IntVar(&f.show, "show", 10, "how many changed keys to list")
	fl.Int64Var(&f.memoryMB, "memory-mb", snapshot.DefaultMemoryBudget>>20, "memory for buckets before they spill to the temporary directory, in MiB")
	fl.IntVar(&f.workers, "workers", 0, "parallel workers (default: one per CPU)")
	fl.StringVar(&f.tempDir, "temp-dir", "", "directory for downloads and spill files (default: the system's)")
	fl.StringVar(&f.endpoint, "s3-endpoint", "", "custom S3 endpoint URL (MinIO, versitygw; default: "+config.EnvS3Endpoint+" or AWS)")
	fl.StringVar(&f.region, "s3-region", "", "S3 region (default: "+config.EnvS3Region+" or the AWS configuration's)")
	fl.BoolVar(&f.pathStyle, "s3-path-style", false, "address buckets as endpoint/bucket (default: "+config.EnvS3PathStyle+")")
	return cmd
}

func runDiff(ctx context.Context, cmd *cobra.Command, g *globals, f *diffFlags, prevArg, curArg string) error {
	if f.show < 0 || f.memoryMB <= 0 || f.workers < 0 {
		return usageErr(fmt.Errorf("--show and --workers must not be negative, --memory-mb must be positive"))
	}
	opt, err := f.storeOptions(cmd)
	if err != nil {
		return err
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		// The diff's live memory is about twice its budget at peak; a soft limit above
		// that keeps the garbage collector from letting the heap double on top of it.
		debug.SetMemoryLimit(f.memoryMB<<20*5/2 + 128<<20)
	}
	var cleanup []func()
	defer func() {
		for _, c := range cleanup {
			c()
		}
	}()
	var files [2]snapshot.File
	for i, arg := range []string{prevArg, curArg} {
		file, done, err := openInput(ctx, arg, f.tempDir, opt)
		if err != nil {
			return &ExitError{Code: ExitFailed, Err: err}
		}
		cleanup = append(cleanup, done)
		files[i] = file
	}
	sum, err := writeDiff(ctx, files, f)
	if err != nil {
		return &ExitError{Code: ExitFailed, Err: err}
	}
	if f.asJSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(diffReport{PrevFile: prevArg, CurFile: curArg, Out: f.out, Summary: sum})
	}
	printDiff(g.stdout, prevArg, curArg, f.out, sum)
	return nil
}

// storeOptions returns the S3 settings: flags over SLUICE_S3_* variables.
func (f *diffFlags) storeOptions(cmd *cobra.Command) (store.Options, error) {
	env := config.EnvOverrides(os.LookupEnv)
	var opt store.Options
	if env.S3Endpoint != nil {
		opt.Endpoint = *env.S3Endpoint
	}
	if env.S3Region != nil {
		opt.Region = *env.S3Region
	}
	if env.S3PathStyle != nil {
		opt.PathStyle = *env.S3PathStyle
	}
	fl := cmd.Flags()
	if fl.Changed("s3-endpoint") {
		opt.Endpoint = f.endpoint
	}
	if fl.Changed("s3-region") {
		opt.Region = f.region
	}
	if fl.Changed("s3-path-style") {
		opt.PathStyle = f.pathStyle
	}
	return opt, nil
}

// writeDiff runs the diff, writing the diff file to a temporary name beside --out and
// renaming it into place once complete.
func writeDiff(ctx context.Context, files [2]snapshot.File, f *diffFlags) (snapshot.Summary, error) {
	opt := snapshot.Options{TempDir: f.tempDir, MemoryBudget: f.memoryMB << 20, Workers: f.workers, Sample: f.show}
	if f.out == "" {
		return snapshot.Diff(ctx, files[0], files[1], nil, opt)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.out), ".sluice-diff-*")
	if err != nil {
		return snapshot.Summary{}, fmt.Errorf("--out: %w", err)
	}
	defer os.Remove(tmp.Name())
	sum, err := snapshot.Diff(ctx, files[0], files[1], tmp, opt)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", f.out, cerr)
	}
	if err != nil {
		return sum, err
	}
	if err := os.Rename(tmp.Name(), f.out); err != nil {
		return sum, fmt.Errorf("write %s: %w", f.out, err)
	}
	return sum, nil
}

// openInput opens a local path, or downloads an s3:// object to a temporary file. done
// closes and removes what openInput created.
func openInput(ctx context.Context, arg, tempDir string, opt store.Options) (snapshot.File, func(), error) {
	path, done := arg, func() {}
	if rest, ok := strings.CutPrefix(arg, "s3://"); ok {
		bucket, key, _ := strings.Cut(rest, "/")
		if key == "" {
			return snapshot.File{}, done, fmt.Errorf("%s: not an object address (use s3://bucket/key)", arg)
		}
		tmp, err := download(ctx, "s3://"+bucket, key, tempDir, opt)
		if err != nil {
			return snapshot.File{}, done, fmt.Errorf("%s: %w", arg, err)
		}
		path, done = tmp, func() { os.Remove(tmp) }
	}
	file, err := os.Open(path)
	if err != nil {
		done()
		return snapshot.File{}, func() {}, fmt.Errorf("open %s: %w", arg, unwrapPath(err))
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		done()
		return snapshot.File{}, func() {}, fmt.Errorf("open %s: %w", arg, err)
	}
	if info.IsDir() {
		file.Close()
		done()
		return snapshot.File{}, func() {}, fmt.Errorf("open %s: is a directory, not a snapshot file", arg)
	}
	closeAll := func() {
		file.Close()
		done()
	}
	return snapshot.File{Name: arg, R: file, Size: info.Size()}, closeAll, nil
}

// unwrapPath drops the path from an *os.PathError, which the message names already.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// download copies one object of an S3 bucket to a temporary file and returns its path.
func download(ctx context.Context, bucket, key, tempDir string, opt store.Options) (string, error) {
	st, _, err := store.Open(ctx, bucket, opt)
	if err != nil {
		return "", err
	}
	r, _, err := st.Get(ctx, key)
	if err != nil {
		return "", err
	}
	defer r.Close()
	tmp, err := os.CreateTemp(tempDir, "sluice-diff-input-*.parquet")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("download: %w", err)
	}
	return tmp.Name(), nil
}

// printDiff writes the text summary.
func printDiff(w io.Writer, prev, cur, out string, s snapshot.Summary) {
	fmt.Fprintf(w, "prev %s: %d rows, %d duplicate keys, content %s\n", prev, s.Prev.Rows, s.Prev.Duplicates, s.Prev.ContentHash)
	fmt.Fprintf(w, "cur  %s: %d rows, %d duplicate keys, content %s\n", cur, s.Cur.Rows, s.Cur.Duplicates, s.Cur.ContentHash)
	fmt.Fprintf(w, "%d added, %d modified, %d deleted, %d unchanged\n", s.Added, s.Modified, s.Deleted, s.Unchanged)
	for _, c := range s.Sample {
		line := fmt.Sprintf("  %-9s %s", c.Change, c.Key)
		if len(c.Paths) > 0 {
			line += "  " + strings.Join(c.Paths, ", ")
		}
		fmt.Fprintln(w, line)
	}
	if n := s.Added + s.Modified + s.Deleted; n > int64(len(s.Sample)) && len(s.Sample) > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", n-int64(len(s.Sample)))
	}
	if out != "" {
		fmt.Fprintf(w, "diff: %s\n", out)
	}
}

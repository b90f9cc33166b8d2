package engine

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/store"
)

// segment is a finished piece of a partition's data file: the rows written between two
// checkpoints. A segment cut in this run has a local path; one restored from a checkpoint
// has only its staged part until it is fetched.
type segment struct {
	path    string
	size    int64
	sha256  string
	records int64
	set     record.SetHash
	part    ledger.Part // the staged copy; Key is "" until staged
}

// joinSegments writes the segments to w as one data file: Parquet row groups are copied
// without decoding; JSON Lines files are simply concatenated.
func joinSegments(w io.Writer, segs []segment, f format.Format) error {
	files := make([]*os.File, 0, len(segs))
	defer func() {
		for _, fh := range files {
			fh.Close()
		}
	}()
	parts := make([]format.Part, 0, len(segs))
	for _, seg := range segs {
		fh, err := os.Open(seg.path)
		if err != nil {
			return err
		}
		files = append(files, fh)
		info, err := fh.Stat()
		if err != nil {
			return err
		}
		parts = append(parts, format.Part{R: fh, Size: info.Size()})
	}
	if f == format.Parquet {
		_, err := format.ConcatParquet(w, parts)
		return err
	}
	for _, p := range parts {
		if _, err := io.Copy(w, io.NewSectionReader(p.R, 0, p.Size)); err != nil {
			return err
		}
	}
	return nil
}

// fetchPart downloads a staged part into a temp file in dir and returns its path.
func fetchPart(ctx context.Context, st store.Store, key, dir string) (string, error) {
	rc, _, err := st.Get(ctx, key)
	if err != nil {
		return "", fmt.Errorf("fetch staged part %s: %w", key, err)
	}
	defer rc.Close()
	f, err := os.CreateTemp(dir, "sluice-staged-*")
	if err != nil {
		return "", fmt.Errorf("fetch staged part %s: %w", key, err)
	}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("fetch staged part %s: %w", key, err)
	}
	return f.Name(), nil
}

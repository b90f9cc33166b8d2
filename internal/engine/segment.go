package engine

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
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
	sha256  string // set for a partition's first file only (see partWriter.open)
	records int64
	set     record.SetHash
	part    ledger.Part // the staged copy; Key is "" until staged
}

// joiner appends a partition's finished segments, in order, to one data file in a
// goroutine of its own: segments cut at checkpoints are joined while extraction goes
// on, so little is left to join when the window ends. Parquet row groups are copied
// without decoding; JSON Lines files are simply concatenated. A segment's local file is
// removed once joined (its staged copy stays until the window's checkpoint is deleted);
// a segment restored from a checkpoint is fetched from the store first.
type joiner struct {
	file *os.File
	buf  *bufio.Writer
	sha  hash.Hash
	size countWriter
	pq   *format.ParquetConcat // nil for JSON Lines

	segs chan segment
	done chan struct{} // closed when the goroutine ends
	err  error         // the first failure; read after done is closed
}

// startJoin creates the joined file in dir and starts the goroutine.
func startJoin(ctx context.Context, st store.Store, dir string, f format.Format) (*joiner, error) {
	file, err := os.CreateTemp(dir, "sluice-part-*."+f.Ext())
	if err != nil {
		return nil, fmt.Errorf("temp file: %w", err)
	}
	j := &joiner{file: file, sha: sha256.New(), segs: make(chan segment, 64), done: make(chan struct{})}
	j.buf = bufio.NewWriterSize(io.MultiWriter(file, j.sha, &j.size), 256<<10)
	if f == format.Parquet {
		if j.pq, err = format.NewParquetConcat(j.buf); err != nil {
			file.Close()
			os.Remove(file.Name())
			return nil, err
		}
	}
	go j.run(ctx, st, dir)
	return j, nil
}

func (j *joiner) run(ctx context.Context, st store.Store, dir string) {
	defer close(j.done)
	for seg := range j.segs {
		if j.err == nil {
			j.err = j.append(ctx, st, dir, &seg)
		}
		if seg.path != "" {
			os.Remove(seg.path)
		}
	}
}

// append adds one segment to the joined file.
func (j *joiner) append(ctx context.Context, st store.Store, dir string, seg *segment) error {
	if seg.path == "" {
		path, err := fetchPart(ctx, st, seg.part.Key, dir)
		if err != nil {
			return err
		}
		seg.path = path
	}
	fh, err := os.Open(seg.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return err
	}
	if j.pq != nil {
		return j.pq.Add(format.Part{R: fh, Size: info.Size()})
	}
	_, err = io.Copy(j.buf, fh)
	return err
}

// add hands segments to the goroutine, in order.
func (j *joiner) add(segs ...segment) {
	for _, seg := range segs {
		j.segs <- seg
	}
}

// finish waits for the segments handed over, ends the joined file (the Parquet footer)
// and returns it. The file is local scratch like the segments: not fsynced.
func (j *joiner) finish() (path string, size int64, sha string, err error) {
	close(j.segs)
	<-j.done
	err = j.err
	if err == nil && j.pq != nil {
		_, err = j.pq.Close()
	}
	if err == nil {
		err = j.buf.Flush()
	}
	if cerr := j.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(j.file.Name())
		return "", 0, "", fmt.Errorf("join segments: %w", err)
	}
	return j.file.Name(), int64(j.size), fmt.Sprintf("%x", j.sha.Sum(nil)), nil
}

// abort stops the goroutine and removes the joined file and the segments not joined.
func (j *joiner) abort() {
	close(j.segs)
	<-j.done
	j.file.Close()
	os.Remove(j.file.Name())
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

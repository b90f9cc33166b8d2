package engine

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sluice-dev/sluice/internal/format"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/record"
	"github.com/sluice-dev/sluice/internal/snapshot"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// DefaultMaxShrink is the largest fraction by which a capture may shrink against the head
// snapshot and still be committed without AllowShrink.
const DefaultMaxShrink = 0.5

func isSnapshot(st *spec.Stream) bool { return st.Mode == spec.ModeSnapshot }

// snapshotEncoder writes a snapshot stream's prepared rows (data columns, _key, _hash)
// through snapshot.Writer, which adds the _absent column.
type snapshotEncoder struct {
	w *snapshot.Writer
	n int // data columns
}

func newSnapshotEncoder(w io.Writer, sh *shape) (format.Writer, error) {
	sw, err := snapshot.NewWriter(w, sh.data, format.ParquetOptions{})
	if err != nil {
		return nil, err
	}
	return &snapshotEncoder{w: sw, n: len(sh.data.Fields)}, nil
}

func (e *snapshotEncoder) Write(row record.Row) error {
	var sum [16]byte
	if _, err := hex.Decode(sum[:], []byte(row[e.n+1].S)); err != nil {
		return fmt.Errorf("content hash %q: %w", row[e.n+1].S, err)
	}
	return e.w.Write(row[:e.n], row[e.n].S, sum)
}

func (e *snapshotEncoder) Close() error { return e.w.Close() }

// shrinkError refuses a capture that is empty, or smaller than the head by more than
// MaxShrink, unless AllowShrink: APIs answer empty lists on transient glitches, and a
// false "everything was DELETED" is data loss.
func (o *Options) shrinkError(head *ledger.Link, records int64) error {
	if o.AllowShrink {
		return nil
	}
	if records == 0 {
		return errors.New("the capture is empty; an API answering an empty list by mistake would mark every record DELETED, so it is not committed (rerun with --allow-shrink if the source really is empty)")
	}
	limit := o.MaxShrink
	if limit <= 0 {
		limit = DefaultMaxShrink
	}
	if head != nil && float64(records) < float64(head.Records)*(1-limit) {
		return fmt.Errorf("the capture has %d records, %.0f%% fewer than the head snapshot's %d (the limit is %.0f%%); not committed (rerun with --allow-shrink if the source really shrank)",
			records, 100*(1-float64(records)/float64(head.Records)), head.Records, 100*limit)
	}
	return nil
}

// commitSnapshot commits a snapshot stream's capture (DESIGN §5): unchanged content
// writes nothing; otherwise the snapshot file, the diff against the head and their
// metadata are stored, then the chain's head moves by CAS.
func (x *extraction) commitSnapshot(ctx context.Context, w *partWriter, start time.Time) PartitionResult {
	p := w.part
	var created []string
	var temps []string
	defer func() {
		for _, f := range temps {
			os.Remove(f)
		}
	}()
	fail := func(err error) PartitionResult {
		w.discard()
		for _, k := range created {
			_ = x.opt.Store.Delete(context.WithoutCancel(ctx), k)
		}
		x.opt.Logger.Error("snapshot failed", "snapshot", p.String(), "err", err)
		return result(p, OutcomeFailed, 0, err.Error())
	}
	sh := w.shape
	if err := sh.build(nil); err != nil {
		return fail(err)
	}
	st, err := w.finish(ctx, x.opt.Store)
	if err != nil {
		return fail(err)
	}
	if st.path == "" {
		if st.path, st.size, st.sha256, err = emptySnapshot(x.opt.TempDir, sh); err != nil {
			return fail(err)
		}
	}
	temps = append(temps, st.path)
	store := x.opt.Store
	chain, etag, err := ledger.ReadChain(ctx, store, p.Stream)
	if err != nil {
		return fail(err)
	}
	head := chain.Head()
	fp := sh.out.Fingerprint()
	if head != nil && head.ContentHash == st.contentHash && head.Records == st.counts.Written && head.SchemaFingerprint == fp && x.presentKeys(ctx, head.Keys()) {
		x.opt.Logger.Info("snapshot unchanged", "snapshot", p.String(), "records", st.counts.Written)
		res := result(p, OutcomeUnchanged, st.counts.Written, "")
		res.Keys = head.Keys()
		return res
	}
	if err := x.opt.shrinkError(head, st.counts.Written); err != nil {
		return fail(err)
	}
	ts := x.opt.ts()
	link := ledger.Link{
		Date: p.Day.Format(time.DateOnly), RunID: x.opt.RunID, RunTimestamp: ts, CommittedAt: x.opt.now(),
		Key: p.Stream.SnapshotKey(p.Day, ts, "parquet"), MetadataKey: p.Stream.SnapshotMetadataKey(p.Day, ts),
		Records: st.counts.Written, ContentHash: st.contentHash, SchemaFingerprint: fp,
	}
	if err := createFile(ctx, store, link.Key, st.path, st.size); err != nil {
		return fail(fmt.Errorf("store snapshot: %w", err))
	}
	created = append(created, link.Key)
	cur := SnapshotRef{Key: link.Key, Date: link.Date, Records: link.Records, ContentHash: link.ContentHash}
	meta := x.metadata(p, sh, st, start)
	meta.File = &FileInfo{Key: link.Key, Format: string(format.Parquet), Size: st.size, SHA256: st.sha256, Records: st.counts.Written}
	if head != nil {
		prev := SnapshotRef{Key: head.Key, Date: head.Date, Records: head.Records, ContentHash: head.ContentHash}
		dm, diffPath, err := x.diffSnapshots(ctx, prev, cur, st.path)
		if diffPath != "" {
			temps = append(temps, diffPath)
		}
		if err != nil {
			return fail(err)
		}
		prevDay, _ := time.Parse(time.DateOnly, head.Date)
		link.DiffKey = p.Stream.DiffKey(prevDay, p.Day, ts, "parquet")
		link.DiffMetadataKey = p.Stream.DiffMetadataKey(prevDay, p.Day, ts)
		link.Added, link.Modified, link.Deleted = dm.Added, dm.Modified, dm.Deleted
		dm.File.Key = link.DiffKey
		if err := createFile(ctx, store, link.DiffKey, diffPath, dm.File.Size); err != nil {
			return fail(fmt.Errorf("store diff: %w", err))
		}
		created = append(created, link.DiffKey)
		body := encodeJSON(dm)
		if _, err := store.Create(ctx, link.DiffMetadataKey, bytes.NewReader(body), int64(len(body))); err != nil {
			return fail(fmt.Errorf("store diff metadata: %w", err))
		}
		created = append(created, link.DiffMetadataKey)
		meta.Previous = &prev
		meta.Diff = &DiffRef{Key: link.DiffKey, MetadataKey: link.DiffMetadataKey, Added: dm.Added, Modified: dm.Modified, Deleted: dm.Deleted, Unchanged: dm.Unchanged}
	}
	meta.DurationMS = x.opt.now().Sub(start).Milliseconds()
	body := meta.Encode()
	if _, err := store.Create(ctx, link.MetadataKey, bytes.NewReader(body), int64(len(body))); err != nil {
		return fail(fmt.Errorf("store snapshot metadata: %w", err))
	}
	created = append(created, link.MetadataKey)
	if err := ledger.AppendLink(ctx, store, p.Stream, chain, etag, link); err != nil {
		return fail(err)
	}
	x.opt.Logger.Info("snapshot committed", "snapshot", p.String(), "records", link.Records,
		"added", link.Added, "modified", link.Modified, "deleted", link.Deleted, "duplicates", st.counts.Duplicates)
	res := result(p, OutcomeCommitted, link.Records, "")
	res.Keys = link.Keys()
	return res
}

// diffSnapshots diffs the stored head against the capture at path into a temp file.
func (x *extraction) diffSnapshots(ctx context.Context, prev, cur SnapshotRef, path string) (*DiffMetadata, string, error) {
	prevPath, err := fetchPart(ctx, x.opt.Store, prev.Key, x.opt.TempDir)
	if err != nil {
		return nil, "", fmt.Errorf("head snapshot: %w", err)
	}
	defer os.Remove(prevPath)
	pf, err := os.Open(prevPath)
	if err != nil {
		return nil, "", err
	}
	defer pf.Close()
	cf, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer cf.Close()
	pi, _ := pf.Stat()
	ci, _ := cf.Stat()
	out, err := os.CreateTemp(x.opt.TempDir, "sluice-diff-*.parquet")
	if err != nil {
		return nil, "", err
	}
	sha := sha256.New()
	var size countWriter
	buf := bufio.NewWriterSize(io.MultiWriter(out, sha, &size), 256<<10)
	sum, err := snapshot.Diff(ctx, snapshot.File{Name: prev.Key, R: pf, Size: pi.Size()}, snapshot.File{Name: cur.Key, R: cf, Size: ci.Size()}, buf, snapshot.Options{TempDir: x.opt.TempDir})
	if err == nil {
		err = buf.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, out.Name(), fmt.Errorf("diff against the head snapshot: %w", err)
	}
	t := x.job.task
	dm := &DiffMetadata{
		Version: MetadataVersion, RunID: x.opt.RunID, RunTimestamp: x.opt.ts(), ExecutedAt: x.opt.RunTime,
		Source: t.Spec.Name, Account: t.AccountID, Stream: x.ckpt.stream.Name,
		Previous: prev, Current: cur,
		File:  FileInfo{Format: string(format.Parquet), Size: int64(size), SHA256: fmt.Sprintf("%x", sha.Sum(nil)), Records: sum.Added + sum.Modified + sum.Deleted},
		Added: sum.Added, Modified: sum.Modified, Deleted: sum.Deleted, Unchanged: sum.Unchanged,
		Duplicates: DuplicateCounts{Previous: sum.Prev.Duplicates, Current: sum.Cur.Duplicates},
		Tool:       x.opt.Build,
	}
	return dm, out.Name(), nil
}

// emptySnapshot writes a snapshot file without rows (every column, no records).
func emptySnapshot(dir string, sh *shape) (path string, size int64, sum string, err error) {
	f, err := os.CreateTemp(dir, "sluice-snapshot-*.parquet")
	if err != nil {
		return "", 0, "", err
	}
	sha := sha256.New()
	var n countWriter
	enc, err := newSnapshotEncoder(io.MultiWriter(f, sha, &n), sh)
	if err == nil {
		err = enc.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, "", fmt.Errorf("empty snapshot: %w", err)
	}
	return f.Name(), int64(n), fmt.Sprintf("%x", sha.Sum(nil)), nil
}

// createFile stores the local file at path under key (create-if-absent): without a copy
// when the store can take the file itself (the local store links it). The file must not
// change afterwards.
func createFile(ctx context.Context, st store.Store, key, path string, size int64) error {
	if fc, ok := st.(store.FileCreator); ok {
		_, err := fc.CreateFile(ctx, key, path)
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = st.Create(ctx, key, f, size)
	return err
}

// presentKeys reports whether every key is stored.
func (x *extraction) presentKeys(ctx context.Context, keys []string) bool {
	for _, k := range keys {
		rc, _, err := x.opt.Store.Get(ctx, k)
		if err != nil {
			return false
		}
		rc.Close()
	}
	return true
}

package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/store"
	"github.com/sluice-dev/sluice/internal/store/s3test"
)

// backend is one kind of store the suite runs on: a local folder, or a prefix of a bucket
// on a real S3 server.
type backend struct {
	name string
	srv  *s3test.Server // nil for the local store
}

// sink is one scenario's destination: what the config names and a store to inspect it.
type sink struct {
	url string // the config's sink: an absolute folder or s3://bucket/prefix
	dir string // the folder of a local sink ("" on S3)
	st  store.Store
}

// newSink returns an empty sink of the backend named after the test.
func (b *backend) newSink(t *testing.T) *sink {
	t.Helper()
	if b.srv == nil {
		return localSink(t, t.TempDir())
	}
	prefix := strings.NewReplacer("/", "-", "@", "-", "#", "-").Replace(strings.ToLower(t.Name()))
	u := "s3://" + b.srv.Bucket + "/" + prefix
	st, _, err := store.Open(t.Context(), u, b.storeOptions())
	if err != nil {
		t.Fatalf("open s3 sink %s: %v", u, err)
	}
	return &sink{url: u, st: st}
}

// localSink returns a local sink in a new folder under dir.
func localSink(t *testing.T, dir string) *sink {
	t.Helper()
	dir = filepath.Join(dir, "out")
	st, _, err := store.Open(t.Context(), dir, store.Options{})
	if err != nil {
		t.Fatalf("open local sink: %v", err)
	}
	return &sink{url: dir, dir: dir, st: st}
}

func (b *backend) storeOptions() store.Options {
	return store.Options{Endpoint: b.srv.URL, Region: b.srv.Region, PathStyle: true,
		AccessKey: b.srv.AccessKey, SecretKey: b.srv.SecretKey}
}

// env is what a sluice process needs to reach the backend: S3 credentials.
func (b *backend) env() []string {
	if b.srv == nil {
		return nil
	}
	return []string{"AWS_ACCESS_KEY_ID=" + b.srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + b.srv.SecretKey}
}

// configYAML is the sluice.yaml of a run of the three demo accounts into the sink, with
// the demo source pointed at api.
func (b *backend) configYAML(s *sink, api string) string {
	var c strings.Builder
	fmt.Fprintf(&c, "sink: %q\n", s.url)
	if b.srv != nil {
		fmt.Fprintf(&c, "s3: {endpoint: %q, region: %s, path_style: true}\n", b.srv.URL, b.srv.Region)
	}
	fmt.Fprintf(&c, "defaults: {checkpoint_pages: %d}\n", checkpointPages)
	fmt.Fprintf(&c, "sources:\n  demo: {base_url: %q}\naccounts:\n", api)
	for _, a := range accounts {
		fmt.Fprintf(&c, "  - {source: demo, id: %s}\n", a)
	}
	return c.String()
}

// copySink copies every object of src except run summaries into the empty dst: a sink in
// the state a completed run left, for scenarios that replace partitions.
func copySink(ctx context.Context, src, dst *sink) error {
	for obj, err := range src.st.List(ctx, "") {
		if err != nil {
			return fmt.Errorf("list %s: %w", src.url, err)
		}
		if strings.HasPrefix(obj.Key, runsPrefix) {
			continue
		}
		data, err := readObject(ctx, src.st, obj.Key)
		if err != nil {
			return err
		}
		if _, err := dst.st.Create(ctx, obj.Key, bytes.NewReader(data), int64(len(data))); err != nil {
			return fmt.Errorf("copy %s to %s: %w", obj.Key, dst.url, err)
		}
	}
	return nil
}

func readObject(ctx context.Context, st store.Store, key string) ([]byte, error) {
	rc, _, err := st.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return data, nil
}

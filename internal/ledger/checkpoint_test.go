package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/ledger"
	"github.com/sluice-dev/sluice/internal/store"
)

const part1 = "_sluice/staging/demo/acme/posts/2024-01-01_2024-01-31/run1-00001.jsonl"

// sampleCheckpoint is the checkpoint of the golden file.
func sampleCheckpoint() *ledger.Checkpoint {
	return &ledger.Checkpoint{
		Window: window(1, 31),
		RunID:  "run1",
		Next: &ledger.Request{
			Method: "GET",
			URL:    "https://api.example.test/v1/users/acme/posts",
			Query:  url.Values{"cursor": {"c-00042"}, "since": {"2024-01-01T00:00:00Z"}},
			Header: http.Header{"Accept": {"application/json"}},
		},
		Pages: 42,
		Parts: []ledger.Part{
			{Key: part1, Day: "2024-01-03", Records: 1000, Size: 52311, KeysKey: part1 + ".keys", HashState: "00000000000000010000000000000002000003e8"},
			{Key: "_sluice/staging/demo/acme/posts/2024-01-01_2024-01-31/run1-00002.jsonl", Stream: "comments", Day: "2024-01-03", Records: 12, Size: 800, HashState: "0c"},
		},
		State:     json.RawMessage(`{"seen_until":"2024-01-03T17:00:00Z"}`),
		UpdatedAt: time.Date(2024, 2, 1, 6, 0, 30, 0, time.UTC),
	}
}

func TestCheckpointGolden(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		st := newStore(t)
		if _, err := ledger.SaveCheckpoint(t.Context(), st, testStream, sampleCheckpoint(), ""); err != nil {
			t.Fatal(err)
		}
		golden(t, "checkpoint_v1.json", get(t, st, "_sluice/state/demo/acme/posts/checkpoints/2024-01-01_2024-01-31.json"))
	})
	// The golden file of each format version loads back to the same checkpoint.
	data, err := os.ReadFile(filepath.Join("testdata", "checkpoint_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	put(t, st, testStream.CheckpointKey(window(1, 31).From, window(1, 31).To), data)
	got, etag, err := ledger.LoadCheckpoint(t.Context(), st, testStream, window(1, 31))
	if err != nil || etag == "" {
		t.Fatalf("LoadCheckpoint: %v (etag %q)", err, etag)
	}
	want := sampleCheckpoint()
	want.Version, want.Stream = 1, "demo/acme/posts"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded checkpoint:\n%+v\nwant:\n%+v", got, want)
	}
	if !reflect.DeepEqual(got.Next.HTTP(), &httpapi.Request{Method: "GET", URL: want.Next.URL, Query: want.Next.Query, Header: want.Next.Header}) {
		t.Fatalf("Next.HTTP() = %+v", got.Next.HTTP())
	}
}

func TestCheckpointCAS(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		w := window(1, 31)
		if cp, etag, err := ledger.LoadCheckpoint(ctx, st, testStream, w); cp != nil || etag != "" || err != nil {
			t.Fatalf("LoadCheckpoint of a fresh window = %v, %q, %v; want nil, \"\", nil", cp, etag, err)
		}
		cp := &ledger.Checkpoint{Window: w, RunID: "run1", Pages: 1}
		e1, err := ledger.SaveCheckpoint(ctx, st, testStream, cp, "")
		if err != nil {
			t.Fatalf("first save: %v", err)
		}
		other := &ledger.Checkpoint{Window: w, RunID: "run2"}
		if _, err := ledger.SaveCheckpoint(ctx, st, testStream, other, ""); !errors.Is(err, ledger.ErrStaleCheckpoint) {
			t.Fatalf(`save with etag "" over an existing checkpoint: %v, want ErrStaleCheckpoint`, err)
		}
		cp.Pages = 2
		e2, err := ledger.SaveCheckpoint(ctx, st, testStream, cp, e1)
		if err != nil {
			t.Fatalf("save with the current etag: %v", err)
		}
		if _, err := ledger.SaveCheckpoint(ctx, st, testStream, other, e1); !errors.Is(err, ledger.ErrStaleCheckpoint) ||
			err.Error() != "save checkpoint _sluice/state/demo/acme/posts/checkpoints/2024-01-01_2024-01-31.json: checkpoint was changed by another run" {
			t.Fatalf("save with a stale etag: %v, want ErrStaleCheckpoint", err)
		}
		got, etag, err := ledger.LoadCheckpoint(ctx, st, testStream, w)
		if err != nil || etag != e2 || got.Pages != 2 || got.RunID != "run1" {
			t.Fatalf("LoadCheckpoint = %+v, %q, %v; want pages 2 of run1 at etag %q", got, etag, err, e2)
		}
		if _, _, err := ledger.LoadCheckpoint(ctx, st, testStream, window(1, 30)); err != nil {
			t.Fatalf("LoadCheckpoint of another window: %v", err)
		}
	})
}

func TestCheckpointRefused(t *testing.T) {
	req := func(u string, q url.Values, h http.Header, body string) *ledger.Checkpoint {
		cp := &ledger.Checkpoint{Window: window(1, 31), Next: &ledger.Request{Method: "GET", URL: u, Query: q, Header: h}}
		if body != "" {
			cp.Next.Body = json.RawMessage(body)
		}
		return cp
	}
	const base = "https://api.example.test/v1/posts"
	const prefix = "save checkpoint _sluice/state/demo/acme/posts/checkpoints/2024-01-01_2024-01-31.json: "
	tests := []struct {
		name   string
		cp     *ledger.Checkpoint
		want   string
		secret bool
	}{
		{"token in the URL", req(base+"?after=c1&access_token=FAKE-TOKEN-123", nil, nil, ""),
			"next request URL " + base + "?after=c1&access_token=REDACTED: refusing to store what looks like a credential (a token query parameter or password)", true},
		{"api key in the query", req(base, url.Values{"key": {"FAKE-KEY-123"}}, nil, ""),
			"next request query ?key=REDACTED: refusing to store what looks like a credential (a token query parameter)", true},
		{"password in the URL", req("https://user:FAKE-PASSWORD@api.example.test/v1", nil, nil, ""),
			"next request URL https://user:REDACTED@api.example.test/v1: refusing to store what looks like a credential (a token query parameter or password)", true},
		{"authorization header", req(base, nil, http.Header{"Authorization": {"Bearer FAKE"}}, ""),
			"next request header Authorization: refusing to store what looks like a credential", true},
		{"api key header", req(base, nil, http.Header{"X-Api-Key": {"FAKE"}}, ""),
			"next request header X-Api-Key: refusing to store what looks like a credential", true},
		{"secret in a JSON body", req(base, nil, nil, `{"client_secret": "FAKE", "page": 2}`),
			`next request body has a "client_secret" field: refusing to store what looks like a credential`, true},
		{"secret in the engine state", &ledger.Checkpoint{Window: window(1, 31), State: json.RawMessage(`{"Refresh_Token":"FAKE"}`)},
			`engine state has a "refresh_token" field: refusing to store what looks like a credential`, true},
		{"state that is not JSON", &ledger.Checkpoint{Window: window(1, 31), State: json.RawMessage(`{`)},
			"engine state is not valid JSON", false},
		{"part outside the staging area", &ledger.Checkpoint{Window: window(1, 31), Parts: []ledger.Part{{Key: d15 + "data_" + tsA + ".jsonl"}}},
			"part " + d15 + "data_" + tsA + ".jsonl is not under _sluice/staging/demo/acme/posts/", false},
		{"window not on day bounds", &ledger.Checkpoint{Window: ledger.Window{From: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), To: window(1, 31).To}},
			"window 2024-01-01T12:00:00Z..2024-01-31T00:00:00Z: bounds must be 00:00 UTC days", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			_, err = ledger.SaveCheckpoint(t.Context(), st, testStream, tt.cp, "")
			if err == nil || err.Error() != prefix+tt.want {
				t.Fatalf("SaveCheckpoint error = %v\nwant %s", err, prefix+tt.want)
			}
			if errors.Is(err, ledger.ErrSecret) != tt.secret {
				t.Fatalf("errors.Is(err, ErrSecret) = %v, want %v", !tt.secret, tt.secret)
			}
			if k := keys(t, st); len(k) != 0 {
				t.Fatalf("a refused checkpoint stored %q", k)
			}
		})
	}
}

func TestCheckpointAllowed(t *testing.T) {
	// Pagination parameters that merely contain a sensitive word are not credentials.
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	next, err := ledger.RequestFrom(&httpapi.Request{
		Method: "POST", URL: "https://api.example.test/v2/users/1/tweets?pagination_token=7140dibdnow9c7btw3w29",
		Query: url.Values{"max_results": {"100"}}, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"next_token":"abc","page_size":100}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	cp := &ledger.Checkpoint{Window: window(2, 2), Next: next}
	if _, err := ledger.SaveCheckpoint(t.Context(), st, testStream, cp, ""); err != nil {
		t.Fatalf("SaveCheckpoint: %v", err)
	}
	if _, err := ledger.RequestFrom(&httpapi.Request{Method: "POST", URL: "https://x.test", Body: []byte("a=b")}); err == nil ||
		err.Error() != "checkpoint request POST https://x.test: body is not JSON" {
		t.Fatalf("RequestFrom with a form body: %v", err)
	}
}

func TestDeleteCheckpoint(t *testing.T) {
	forEachStore(t, func(t *testing.T, newStore func(t *testing.T) store.Store) {
		ctx := t.Context()
		st := newStore(t)
		w := window(1, 31)
		part2 := "_sluice/staging/demo/acme/posts/2024-01-01_2024-01-31/run1-00002.jsonl"
		other := "_sluice/staging/demo/acme/posts/2024-02-01_2024-02-29/run1-00001.jsonl"
		for _, k := range []string{part1, part1 + ".keys", part2, other} {
			put(t, st, k, []byte("x"))
		}
		cp := &ledger.Checkpoint{Window: w, Parts: []ledger.Part{{Key: part1, KeysKey: part1 + ".keys"}, {Key: part2}}}
		if _, err := ledger.SaveCheckpoint(ctx, st, testStream, cp, ""); err != nil {
			t.Fatal(err)
		}
		if err := ledger.DeleteCheckpoint(ctx, st, testStream, w); err != nil {
			t.Fatalf("DeleteCheckpoint: %v", err)
		}
		if got := keys(t, st); !slices.Equal(got, []string{other}) {
			t.Fatalf("keys after DeleteCheckpoint = %q, want only %s", got, other)
		}
		if err := ledger.DeleteCheckpoint(ctx, st, testStream, w); err != nil {
			t.Fatalf("DeleteCheckpoint of a window without one: %v", err)
		}
	})
}

// failingDelete is a store whose Delete fails for one key.
type failingDelete struct {
	store.Store
	key string
}

func (f failingDelete) Delete(ctx context.Context, key string) error {
	if key == f.key {
		return errors.New("disk on fire")
	}
	return f.Store.Delete(ctx, key)
}

// Many staged parts are deleted several at a time; one that cannot be deleted is named in
// the error, and the others are deleted all the same.
func TestDeleteCheckpointManyParts(t *testing.T) {
	ctx := t.Context()
	local, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := window(1, 31)
	var parts []ledger.Part
	for i := range 25 {
		k := fmt.Sprintf("_sluice/staging/demo/acme/posts/2024-01-01_2024-01-31/run1-%05d.parquet", i+1)
		put(t, local, k, []byte("x"))
		put(t, local, k+".keys", []byte("k"))
		parts = append(parts, ledger.Part{Key: k, KeysKey: k + ".keys"})
	}
	if _, err := ledger.SaveCheckpoint(ctx, local, testStream, &ledger.Checkpoint{Window: w, Parts: parts}, ""); err != nil {
		t.Fatal(err)
	}
	stuck := parts[17].Key
	err = ledger.DeleteCheckpoint(ctx, failingDelete{local, stuck}, testStream, w)
	if want := "delete staged part " + stuck + ": disk on fire"; err == nil || err.Error() != want {
		t.Fatalf("DeleteCheckpoint = %v, want %q", err, want)
	}
	if got := keys(t, local); !slices.Equal(got, []string{stuck}) {
		t.Fatalf("keys after DeleteCheckpoint = %q, want only %s", got, stuck)
	}
}

func TestLoadCheckpointMismatch(t *testing.T) {
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := window(1, 31)
	cp := &ledger.Checkpoint{Version: 1, Stream: "demo/acme/comments", Window: w}
	put(t, st, testStream.CheckpointKey(w.From, w.To), cp.Encode())
	_, _, err = ledger.LoadCheckpoint(t.Context(), st, testStream, w)
	want := "checkpoint _sluice/state/demo/acme/posts/checkpoints/2024-01-01_2024-01-31.json belongs to demo/acme/comments 2024-01-01..2024-01-31, not to its key; delete it to restart the window"
	if err == nil || err.Error() != want {
		t.Fatalf("LoadCheckpoint error = %v\nwant %s", err, want)
	}
}

func TestRequestFromDropsCredentialParams(t *testing.T) {
	// Meta's paging.next repeats the access token; the stored request keeps the cursor only.
	got, err := ledger.RequestFrom(&httpapi.Request{
		Method: "GET",
		URL:    "https://graph.example.test/v19.0/17841400000/media?access_token=FAKE-TOKEN-123&after=QVFIUm&fields=id%2Ctimestamp&limit=25",
		Query:  url.Values{"key": {"FAKE-KEY"}, "since": {"1704067200"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &ledger.Request{
		Method: "GET",
		URL:    "https://graph.example.test/v19.0/17841400000/media?after=QVFIUm&fields=id%2Ctimestamp&limit=25",
		Query:  url.Values{"since": {"1704067200"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("RequestFrom = %+v\nwant %+v", got, want)
	}
	st, err := store.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.SaveCheckpoint(t.Context(), st, testStream, &ledger.Checkpoint{Window: window(1, 31), Next: got}, ""); err != nil {
		t.Fatalf("SaveCheckpoint of the stripped request: %v", err)
	}
}

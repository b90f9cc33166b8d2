package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/sluice-dev/sluice/internal/config"
	"github.com/sluice-dev/sluice/internal/engine"
	"github.com/sluice-dev/sluice/internal/httpapi"
	"github.com/sluice-dev/sluice/internal/spec"
	"github.com/sluice-dev/sluice/internal/store"
)

// workflow is a loaded config with its specs: everything a run, plan or validate needs.
type workflow struct {
	cfg      *config.Config
	cfgHash  string
	specs    map[string]*spec.Spec
	logger   *slog.Logger
	resolver *config.Resolver
}

// selection is what the user narrowed a run to.
type selection struct {
	accounts []string
	streams  []string
}

// loadWorkflow reads the config (after .env beside it) and every spec it names.
func loadWorkflow(g *globals, ov config.Overrides) (*workflow, error) {
	logger, err := g.logger()
	if err != nil {
		return nil, err
	}
	if err := config.LoadDotEnv(filepath.Join(filepath.Dir(g.config), ".env")); err != nil {
		return nil, usageErr(err)
	}
	cfg, err := config.Load(g.config)
	if err != nil {
		return nil, usageErr(err)
	}
	if err := cfg.Apply(config.EnvOverrides(os.LookupEnv), ov); err != nil {
		return nil, usageErr(err)
	}
	data, _ := os.ReadFile(g.config) // Load just read it; a race here only blanks the hash
	w := &workflow{cfg: cfg, cfgHash: hashHex(data), specs: map[string]*spec.Spec{}, logger: logger, resolver: &config.Resolver{}}
	extra, err := specFiles(cfg)
	if err != nil {
		return nil, usageErr(err)
	}
	var probs []string
	for _, a := range cfg.Accounts {
		if _, ok := w.specs[a.Source]; ok {
			continue
		}
		sp, err := spec.Lookup(a.Source, extra)
		if err != nil {
			probs = append(probs, fmt.Sprintf("%s:%d: accounts: %v", cfg.File, a.Line, err))
			continue
		}
		w.specs[a.Source] = sp
	}
	if len(probs) > 0 {
		return nil, usageErr(fmt.Errorf("%s", strings.Join(probs, "\n")))
	}
	if err := cfg.Check(func(source string) ([]string, error) {
		sp := w.specs[source]
		names := make([]string, 0, len(sp.Streams))
		for n := range sp.Streams {
			names = append(names, n)
		}
		return names, nil
	}); err != nil {
		return nil, usageErr(err)
	}
	return w, nil
}

// specFiles expands the config's spec paths (files or folders of *.yaml).
func specFiles(cfg *config.Config) ([]string, error) {
	var out []string
	for _, p := range cfg.Specs {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: specs: %w", cfg.File, err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		for _, pat := range []string{"*.yaml", "*.yml"} {
			m, _ := filepath.Glob(filepath.Join(p, pat)) // the pattern is constant and valid
			out = append(out, m...)
		}
	}
	return out, nil
}

// openStore opens the config's sink.
func (w *workflow) openStore(ctx context.Context) (store.Store, error) {
	s3 := w.cfg.S3
	st, _, err := store.Open(ctx, w.cfg.Sink.String(), store.Options{Endpoint: s3.Endpoint, Region: s3.Region, PathStyle: s3.PathStyle})
	if err != nil {
		return nil, err // store.Open names the sink in every error
	}
	return st, nil
}

// tasks builds one engine task per selected account, with a client whose rate limiter is
// shared by every account of the same source. An account whose credentials cannot be
// resolved becomes a failed task, so the other accounts still run.
func (w *workflow) tasks(ctx context.Context, sel selection) ([]engine.Task, error) {
	limiters := map[string]*httpapi.Limiter{}
	var tasks []engine.Task
	for i := range w.cfg.Accounts {
		a := &w.cfg.Accounts[i]
		if len(sel.accounts) > 0 && !slices.ContainsFunc(sel.accounts, a.Match) {
			continue
		}
		sp := w.specs[a.Source]
		streams, err := pickStreams(sp, a.Streams, sel.streams)
		if err != nil {
			return nil, usageErr(fmt.Errorf("account %s: %w", a.Label(), err))
		}
		if len(streams) == 0 {
			continue
		}
		lim := limiters[a.Source]
		if lim == nil {
			lim = httpapi.NewLimiter(sp.RateLimit, httpapi.SystemClock())
			limiters[a.Source] = lim
		}
		t := engine.Task{Spec: sp, AccountID: a.ID, Vars: a.Vars, Streams: streams, BaseURL: sp.BaseURL}
		if u := w.cfg.BaseURL(a.Source); u != "" {
			t.BaseURL = u
		}
		t.Client, t.Err = w.client(ctx, a, sp, lim)
		tasks = append(tasks, t)
	}
	if len(tasks) == 0 {
		return nil, usageErr(fmt.Errorf("nothing to run: no account matches %s (accounts in %s: %s)",
			describeSelection(sel), w.cfg.File, accountList(w.cfg)))
	}
	return tasks, nil
}

func (w *workflow) client(ctx context.Context, a *config.Account, sp *spec.Spec, lim *httpapi.Limiter) (*httpapi.Client, error) {
	secrets, err := w.resolver.Credentials(ctx, a)
	if err != nil {
		return nil, err
	}
	creds := make(map[string]string, len(secrets))
	for k, v := range secrets {
		creds[k] = v.Reveal()
	}
	d := w.cfg.Defaults
	return httpapi.NewClient(httpapi.Config{
		Spec: sp, Credentials: creds, Limiter: lim, Timeout: d.Timeout, Logger: w.logger,
		HTTP:  &http.Client{},
		Retry: httpapi.RetryPolicy{MaxAttempts: d.Retry.MaxAttempts, Initial: d.Retry.Initial, Max: d.Retry.Max},
	})
}

// pickStreams intersects the account's streams with the --stream selection.
func pickStreams(sp *spec.Spec, configured, selected []string) ([]string, error) {
	for _, s := range selected {
		if _, ok := sp.Streams[s]; !ok {
			return nil, fmt.Errorf("source %s has no stream %q (streams: %s)", sp.Name, s, strings.Join(streamList(sp), ", "))
		}
	}
	base := configured
	if len(base) == 0 {
		base = streamList(sp)
	}
	if len(selected) == 0 {
		return base, nil
	}
	var out []string
	for _, s := range base {
		if slices.Contains(selected, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func streamList(sp *spec.Spec) []string {
	var names []string
	for n := range sp.Streams {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func accountList(cfg *config.Config) string {
	var keys []string
	for _, a := range cfg.Accounts {
		keys = append(keys, a.Key())
	}
	return strings.Join(keys, ", ")
}

func describeSelection(sel selection) string {
	if len(sel.accounts) == 0 {
		return "the config"
	}
	return "--account " + strings.Join(sel.accounts, ",")
}

func hashHex(data []byte) string {
	sum := xxh3.Hash128(data).Bytes()
	return hex.EncodeToString(sum[:])
}

// newRunID returns a random run id.
func newRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// engineOptions are the options shared by run and demo.
func (w *workflow) engineOptions(st store.Store) engine.Options {
	return engine.Options{
		Store: st, Sink: w.cfg.Sink.String(), Format: w.cfg.Format, Concurrency: w.cfg.Defaults.Concurrency,
		Logger: w.logger, RunID: newRunID(), RunTime: time.Now().UTC(), Build: buildInfo(), ConfigHash: w.cfgHash,
		CheckpointPages: w.cfg.Defaults.CheckpointPages, MaxShrink: w.cfg.Defaults.SnapshotMaxShrink,
	}
}

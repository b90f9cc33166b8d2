package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Resolver turns secret references into Secrets. The zero Resolver reads the process
// environment, the file system, and AWS Secrets Manager through a client built from the
// AWS default credential chain on first use. A Resolver is safe for concurrent use and
// caches each Secrets Manager secret it fetches, so several keys of one JSON secret cost
// one request. Do not copy a Resolver after first use.
type Resolver struct {
	// LookupEnv reads an environment variable. Nil: os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// SecretsManager fetches aws-sm secrets. Nil: built on first use by NewSecretsManager.
	SecretsManager SecretsManagerAPI

	mu      sync.Mutex
	smCache map[string]string
}

// Credentials resolves every credential of one account. Resolving per account keeps a
// run of one account from failing because another account's secret is missing. The
// error is Problems, one per credential that failed, each naming the reference and its
// file:line but never a value.
func (r *Resolver) Credentials(ctx context.Context, a *Account) (map[string]Secret, error) {
	names := make([]string, 0, len(a.Credentials))
	for name := range a.Credentials {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make(map[string]Secret, len(names))
	var probs Problems
	for _, name := range names {
		s, err := r.Resolve(ctx, a.Credentials[name])
		if err != nil {
			var p Problem
			if errors.As(err, &p) {
				probs = append(probs, p)
				continue
			}
			return nil, err
		}
		out[name] = s
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Resolve reads the value ref points to. An empty value is an error: an unset
// credential would otherwise surface later as a confusing 401. The error is a Problem
// located at the reference; it never contains the value.
func (r *Resolver) Resolve(ctx context.Context, ref Ref) (Secret, error) {
	v, err := r.lookup(ctx, ref)
	if err != nil {
		return Secret{}, Problem{File: ref.File, Line: ref.Line, Path: ref.Path, Msg: err.Error()}
	}
	return NewSecret(v), nil
}

func (r *Resolver) lookup(ctx context.Context, ref Ref) (string, error) {
	switch ref.Kind {
	case RefEnv:
		return r.env(ref.Name)
	case RefFile:
		return readSecretFile(ref)
	case RefAWSSM:
		return r.awsSecret(ctx, ref)
	}
	return "", fmt.Errorf("unknown secret source %q (use env, file or aws-sm)", ref.Kind)
}

func (r *Resolver) env(name string) (string, error) {
	lookup := r.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	v, ok := lookup(name)
	switch {
	case !ok:
		return "", fmt.Errorf("environment variable %s is not set (add it to .env or export it)", name)
	case v == "":
		return "", fmt.Errorf("environment variable %s is empty (give it a value in .env or export it)", name)
	}
	return v, nil
}

// maxSecretFile is the largest secret file read (64 KiB: a private key fits with room).
const maxSecretFile = 64 << 10

func readSecretFile(ref Ref) (string, error) {
	p := ref.Name
	if !filepath.IsAbs(p) && ref.Dir != "" {
		p = filepath.Join(ref.Dir, p)
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("secret file %s does not exist", p)
	}
	if err != nil {
		// The *PathError names the path and the OS reason, never content.
		return "", fmt.Errorf("read secret file: %w", err)
	}
	defer f.Close()
	// A bound keeps a mistaken path (a device, a log file) from being read whole.
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("secret file %s is larger than %d bytes; is it the right file?", p, maxSecretFile)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("secret file %s is empty", p)
	}
	return v, nil
}

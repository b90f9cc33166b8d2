package spec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"time"

	"github.com/zeebo/xxh3"
	"go.yaml.in/yaml/v3"
)

// Load reads the spec file at path and parses it with Parse, naming problems after path.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes one spec document strictly, applies defaults (SetDefaults) and validates
// it (see Validate). It reports every problem at once: on failure the error is a *Problems
// whose lines read "file:line: path: message" (file is the given name) and the spec is
// nil. On success File is file and Hash is the hex xxh3-128 digest of data.
func Parse(data []byte, file string) (*Spec, error) {
	ps := newProblemSet(file)
	root := parseDocument(data, ps)
	if root == nil {
		return nil, ps.err()
	}
	s := &Spec{}
	(&decoder{ps: ps, budget: maxValues}).decode(root, reflect.ValueOf(s).Elem(), "")
	s.SetDefaults()
	s.File = file
	sum := xxh3.Hash128(data).Bytes()
	s.Hash = hex.EncodeToString(sum[:])
	validate(s, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return s, nil
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseDocument returns the top mapping of the single YAML document in data, or nil after
// recording why there is none.
func parseDocument(data []byte, ps *problemSet) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			ps.addAt(0, "", "the document is empty (a spec needs at least name, base_url and streams)")
			return nil
		}
		addSyntaxError(ps, err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.addAt(extra.Line, "", "a spec file holds one YAML document; remove the second one (or the --- separator)")
	} else if !errors.Is(err, io.EOF) {
		addSyntaxError(ps, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = resolveAlias(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		ps.addAt(root.Line, "", "a spec must be a mapping of keys (name, base_url, streams, ...), got %s", describe(root))
		return nil
	}
	return root
}

// addSyntaxError turns a yaml.v3 syntax error ("yaml: line 3: ...") into a problem.
func addSyntaxError(ps *problemSet, err error) {
	msg := err.Error()
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		ps.addAt(line, "", "invalid YAML: %s", m[2])
		return
	}
	ps.addAt(0, "", "invalid YAML: %s", stripLinePrefix(msg))
}

// Default values applied by SetDefaults.
const (
	DefaultMaxWait        = 15 * time.Minute
	DefaultUsageThreshold = 90
	DefaultCredential     = "token"
)

// SetDefaults fills the values a spec may leave out: auth type none (and credential
// "token" for token-based auth), rate-limit burst 1, usage threshold 90 and max wait 15m,
// error-rule wait unit seconds, and per stream mode incremental, method GET, pagination
// none (query parameters; link relation "next"; offsets from 0, pages from 1),
// additional_fields keep, window max_days 1 and date time zone UTC. It is idempotent.
func (s *Spec) SetDefaults() {
	if s.Auth.Type == "" {
		s.Auth.Type = AuthNone
	}
	switch s.Auth.Type {
	case AuthBearer, AuthHeader, AuthQuery:
		if s.Auth.Credential == "" {
			s.Auth.Credential = DefaultCredential
		}
	}
	if s.RateLimit.Burst == 0 {
		s.RateLimit.Burst = 1
	}
	if s.RateLimit.UsageThreshold == 0 {
		s.RateLimit.UsageThreshold = DefaultUsageThreshold
	}
	if s.RateLimit.MaxWait == 0 {
		s.RateLimit.MaxWait = Duration(DefaultMaxWait)
	}
	if s.RateLimit.ResetHeader != "" && s.RateLimit.ResetFormat == "" {
		s.RateLimit.ResetFormat = "unix"
	}
	for i := range s.Errors {
		if s.Errors[i].WaitPath != "" && s.Errors[i].WaitUnit == "" {
			s.Errors[i].WaitUnit = "seconds"
		}
	}
	for _, st := range s.Streams {
		if st != nil {
			st.setDefaults()
		}
	}
}

func (st *Stream) setDefaults() {
	if st.Mode == "" {
		st.Mode = ModeIncremental
	}
	if st.Request.Method == "" {
		st.Request.Method = "GET"
	}
	if st.OnReject == "" {
		st.OnReject = RejectFail
	}
	if st.AdditionalFields == "" {
		st.AdditionalFields = "keep"
	}
	if st.Window != nil && st.Window.MaxDays == 0 {
		st.Window.MaxDays = 1
	}
	if st.Date != nil && st.Date.Timezone == "" {
		st.Date.Timezone = "UTC"
	}
	p := &st.Pagination
	if p.Type == "" {
		p.Type = PageNone
	}
	if p.Type == PageNone {
		return
	}
	if p.In == "" {
		p.In = "query"
	}
	switch p.Type {
	case PageLink:
		if p.Rel == "" {
			p.Rel = "next"
		}
	case PageOffset:
		if p.Start == nil {
			p.Start = new(int)
		}
	case PagePage:
		if p.Start == nil {
			one := 1
			p.Start = &one
		}
	}
}

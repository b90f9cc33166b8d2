package config

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	varNameRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	envSafeRE    = regexp.MustCompile(`[^A-Z0-9]+`)
)

// maxAccountIDLen keeps ids well inside S3's 1024-byte key limit.
const maxAccountIDLen = 200

// CheckAccountID reports why id cannot be an account_id path segment: it must be
// non-empty, at most 200 bytes, without "/", "\", "..", control characters, or
// leading/trailing spaces. Everything else (digits, letters, "@", ":", unicode) is kept.
func CheckAccountID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("is empty")
	case len(id) > maxAccountIDLen:
		return fmt.Errorf("is longer than %d bytes", maxAccountIDLen)
	case strings.ContainsAny(id, `/\`):
		return fmt.Errorf("%q cannot contain \"/\" or \"\\\" (it becomes one folder name)", id)
	case strings.Contains(id, ".."):
		return fmt.Errorf("%q cannot contain \"..\"", id)
	case strings.ContainsFunc(id, isControl):
		return fmt.Errorf("%q cannot contain control characters", id)
	case strings.TrimSpace(id) != id:
		return fmt.Errorf("%q has leading or trailing spaces", id)
	case id == ".":
		return fmt.Errorf(`"." is not a valid id`)
	}
	return nil
}

func (d *decoder) accounts(n *yaml.Node, dir string) []Account {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.addf(n, "accounts", "expected a list of accounts (each starting with \"- source: ...\"), got %s", describe(n))
		return nil
	}
	first := map[string]int{}
	out := make([]Account, 0, len(n.Content))
	for i, item := range n.Content {
		p := fmt.Sprintf("accounts[%d]", i)
		a := d.account(item, p, dir)
		if a.Source != "" && CheckAccountID(a.ID) == nil {
			if line, dup := first[a.Key()]; dup {
				d.addf(item, p, "duplicate account %s (first listed on line %d)", a.Key(), line)
			} else {
				first[a.Key()] = a.Line
			}
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) account(n *yaml.Node, p string, dir string) Account {
	a := Account{Line: resolve(n).Line}
	entries := d.mapping(n, p, accountKeys)
	set := map[string]bool{}
	for _, e := range entries {
		set[e.key] = true
		fp := p + "." + e.key
		switch e.key {
		case "source":
			a.Source = d.str(e.value, fp)
			if a.Source != "" && !sourceNameRE.MatchString(a.Source) {
				d.addf(e.value, fp, "%q is not a source name (lowercase letters, digits, _ and -)", a.Source)
			}
		case "id":
			a.ID = d.str(e.value, fp)
			if err := CheckAccountID(a.ID); err != nil {
				d.addf(e.value, fp, "account id %v", err)
			}
		case "name":
			a.Name = d.str(e.value, fp)
		case "streams":
			a.Streams = d.strings(e.value, fp)
			d.uniqueStreams(e.value, fp, a.Streams)
		case "credentials":
			a.Credentials = d.credentials(e.value, fp, dir, a.Source)
		case "vars":
			a.Vars = d.vars(e.value, fp)
		}
	}
	if resolve(n).Kind == yaml.MappingNode {
		for _, k := range []string{"source", "id"} {
			if !set[k] {
				d.addf(n, p, "missing %s", k)
			}
		}
	}
	return a
}

func (d *decoder) uniqueStreams(n *yaml.Node, p string, streams []string) {
	seen := map[string]bool{}
	for _, s := range streams {
		if seen[s] {
			d.addf(n, p, "stream %q is listed twice", s)
		}
		seen[s] = true
	}
}

// credentials decodes name → reference. A value that is not a reference is refused:
// secrets must not live in config files. The message never repeats the value.
func (d *decoder) credentials(n *yaml.Node, p, dir, source string) map[string]Ref {
	out := map[string]Ref{}
	for _, e := range d.mapping(n, p, nil) {
		fp := p + "." + e.key
		v := resolve(e.value)
		if v.Kind != yaml.ScalarNode || isNull(v) {
			d.addf(v, fp, "expected a secret reference such as \"${env:NAME}\", got %s", kindOnly(v))
			continue
		}
		if name, ok := strings.CutPrefix(v.Value, "$"); ok && envNameRE.MatchString(name) {
			d.addf(v, fp, "write \"${env:%s}\" to read an environment variable", name)
			continue
		}
		if !IsRef(v.Value) && strings.Contains(v.Value, "${") {
			d.addf(v, fp, "a secret reference must be the whole value; the source spec adds any prefix such as \"Bearer \"")
			continue
		}
		if !IsRef(v.Value) {
			d.addf(v, fp, "secrets must not be written in the config file; reference one instead, "+
				"e.g. %s: \"${env:%s}\" with %s=... in .env",
				e.key, envSuggestion(source, e.key), envSuggestion(source, e.key))
			continue
		}
		ref, err := ParseRef(v.Value)
		if err != nil {
			d.addf(v, fp, "%v", err)
			continue
		}
		ref.Dir, ref.File, ref.Line = dir, d.file, v.Line
		ref.Path = fp[strings.Index(fp, "credentials"):]
		d.mark(v, fp)
		out[e.key] = ref
	}
	return out
}

// kindOnly describes a node without its value (the value may be a secret).
func kindOnly(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "nothing"
}

// envSuggestion proposes an environment variable name for a credential: X_TOKEN.
func envSuggestion(source, name string) string {
	s := strings.Trim(envSafeRE.ReplaceAllString(strings.ToUpper(source+"_"+name), "_"), "_")
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "SECRET_" + s
	}
	return s
}

func (d *decoder) vars(n *yaml.Node, p string) map[string]string {
	out := map[string]string{}
	for _, e := range d.mapping(n, p, nil) {
		fp := p + "." + e.key
		if !varNameRE.MatchString(e.key) {
			d.addf(e.keyN, fp, "%q cannot be used as {{vars.%s}} (letters, digits and _)", e.key, e.key)
			continue
		}
		if IsRef(resolve(e.value).Value) {
			d.addf(e.value, fp, "vars are not secret; put secret references under credentials")
			continue
		}
		out[e.key] = d.str(e.value, fp)
	}
	return out
}

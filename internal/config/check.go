package config

import (
	"fmt"
	"slices"
	"strings"
)

// Check validates what needs the source specs: that every account's source and every
// source override names a known source, and that every listed stream exists in it.
// lookup returns the stream names of a source, or an error when the source is unknown
// (its message, ideally with a did-you-mean hint, is reported as is). lookup is called
// once per distinct source. The error is Problems, every problem with its file:line.
func (c *Config) Check(lookup func(source string) (streams []string, err error)) error {
	type result struct {
		streams []string
		err     error
	}
	cache := map[string]result{}
	get := func(source string) result {
		r, ok := cache[source]
		if !ok {
			r.streams, r.err = lookup(source)
			cache[source] = r
		}
		return r
	}
	var probs Problems
	add := func(path, format string, args ...any) {
		probs = append(probs, Problem{File: c.File, Line: c.lines[path], Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	for name := range c.Sources {
		if r := get(name); r.err != nil {
			add("sources."+name, "%v", r.err)
		}
	}
	for i, a := range c.Accounts {
		p := fmt.Sprintf("accounts[%d]", i)
		r := get(a.Source)
		if r.err != nil {
			add(p+".source", "%v", r.err)
			continue
		}
		for j, s := range a.Streams {
			if !slices.Contains(r.streams, s) {
				add(fmt.Sprintf("%s.streams[%d]", p, j), "source %s has no stream %q%s",
					a.Source, s, hint(s, r.streams, "streams: "+strings.Join(sorted(r.streams), ", ")))
			}
		}
	}
	return probs.err()
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

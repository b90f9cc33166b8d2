package config

import (
	"fmt"
	"testing"
)

func TestCheck(t *testing.T) {
	specs := map[string][]string{"x": {"tweets", "followers"}, "demo": {"posts", "comments"}}
	calls := map[string]int{}
	lookup := func(source string) ([]string, error) {
		calls[source]++
		if s, ok := specs[source]; ok {
			return s, nil
		}
		return nil, fmt.Errorf("unknown source %q", source)
	}
	doc := `sink: ./d
sources:
  twitter: {base_url: https://api.twitter.com/2}
  x: {base_url: https://api.x.com/2}
accounts:
  - source: x
    id: "1"
    streams: [tweet, followers, likes]
  - source: x
    id: "2"
  - source: ig
    id: "3"
    streams: [posts]
  - source: demo
    id: "4"
    streams: [comments]
`
	c, err := Parse("sluice.yaml", []byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	err = c.Check(lookup)
	want := `sluice.yaml:3: sources.twitter: unknown source "twitter"
sluice.yaml:8: accounts[0].streams[0]: source x has no stream "tweet" (did you mean "tweets"?)
sluice.yaml:8: accounts[0].streams[2]: source x has no stream "likes" (streams: followers, tweets)
sluice.yaml:11: accounts[2].source: unknown source "ig"`
	if err == nil || err.Error() != want {
		t.Errorf("Check =\n%v\nwant\n%s", err, want)
	}
	if calls["x"] != 1 || calls["ig"] != 1 || calls["demo"] != 1 || calls["twitter"] != 1 {
		t.Errorf("lookup calls = %v, want one per source", calls)
	}

	ok, _ := Parse("sluice.yaml", []byte("accounts:\n  - {source: demo, id: a, streams: [posts]}\n"))
	if err := ok.Check(lookup); err != nil {
		t.Errorf("Check(valid) = %v, want nil", err)
	}
}

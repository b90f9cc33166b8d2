package config

import (
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	for _, s := range []string{"a: &a [*a]\naccounts: *a\n", "x-a: &a {<<: *a}\naccounts:\n  - <<: *a\n"} {
		st := time.Now()
		_, err := Parse("f", []byte(s))
		t.Log(time.Since(st), err)
	}
}

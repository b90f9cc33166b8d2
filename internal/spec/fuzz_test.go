package spec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that any document either parses into a spec that validates again, or
// fails with a *Problems whose every line names the file; never a panic.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"../../examples/specs/*.yaml", "testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "f.yaml")
		if err == nil {
			if verr := Validate(s); verr != nil {
				t.Fatalf("parsed spec fails Validate: %v", verr)
			}
			return
		}
		var probs *Problems
		if !errors.As(err, &probs) || len(probs.List) == 0 {
			t.Fatalf("err = %v (%T), want a non-empty *Problems", err, err)
		}
		for _, line := range probs.Lines() {
			if !strings.HasPrefix(line, "f.yaml") {
				t.Fatalf("problem line %q does not name the file", line)
			}
		}
	})
}

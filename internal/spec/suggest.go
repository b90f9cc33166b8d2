package spec

import (
	"fmt"

	"github.com/sluice-dev/sluice/internal/strictyaml"
)

// didYouMean formats a " (did you mean %q?)" hint, or "" when nothing is close.
func didYouMean(word string, candidates []string) string {
	return strictyaml.DidYouMean(word, candidates)
}

// unknownValue formats the message for a value outside a closed set: a did-you-mean hint
// when one is close, else the list of valid values.
func unknownValue(what, value string, valid []string) string {
	return fmt.Sprintf("unknown %s %q%s", what, value, strictyaml.Hint(value, valid, "use "+orList(valid)))
}

// orList writes "a, b or c".
func orList(items []string) string { return strictyaml.OrList(items) }

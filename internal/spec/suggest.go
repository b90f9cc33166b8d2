package spec

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to word by edit distance, or "" when none is close
// enough to be a plausible typo (at most 2 edits, or a third of the word's length).
func suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	w := strings.ToLower(word)
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(word)/3) || bestDist >= len(word) {
		return ""
	}
	return best
}

// didYouMean formats a " (did you mean %q?)" hint, or "" when nothing is close.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// unknownValue formats the message for a value outside a closed set: a did-you-mean hint
// when one is close, else the list of valid values.
func unknownValue(what, value string, valid []string) string {
	if hint := didYouMean(value, valid); hint != "" {
		return fmt.Sprintf("unknown %s %q%s", what, value, hint)
	}
	return fmt.Sprintf("unknown %s %q (use %s)", what, value, orList(valid))
}

// orList writes "a, b or c".
func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// editDistance is the Levenshtein distance between a and b, counted in bytes (spec keys
// and enum values are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

package strictyaml

import (
	"fmt"
	"strings"
)

// Suggest returns the candidate closest to word, ignoring case, when it is close enough
// to be a plausible typo: at most a third of the word's length (and at least 1) edits
// away, and fewer edits than the word is long. It returns "" otherwise. An edit inserts,
// deletes or substitutes one character or swaps two neighbours ("evn" → "env").
func Suggest(word string, candidates []string) string {
	best, bestDist := "", -1
	w := strings.ToLower(word)
	for _, c := range candidates {
		d := editDistance(w, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	n := len([]rune(word))
	if bestDist < 0 || bestDist > max(1, n/3) || bestDist >= n {
		return ""
	}
	return best
}

// DidYouMean returns ` (did you mean "x"?)` when Suggest finds x among candidates, else "".
func DidYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Hint returns DidYouMean's hint when there is a plausible typo, else " (otherwise)":
// the alternatives to write instead.
func Hint(word string, candidates []string, otherwise string) string {
	if h := DidYouMean(word, candidates); h != "" {
		return h
	}
	return " (" + otherwise + ")"
}

// OrList writes items as "a, b or c" ("" for none).
func OrList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// editDistance is the optimal-string-alignment distance between a and b in runes:
// insertions, deletions, substitutions and transpositions of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: two back (for transpositions), previous and current.
	back := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], back[j-2]+1)
			}
		}
		back, prev, cur = prev, cur, back
	}
	return prev[len(rb)]
}

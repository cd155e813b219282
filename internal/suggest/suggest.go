// Package suggest names the known word nearest to a mistyped one, for the "did you mean"
// of usage errors and warnings: a config file's unknown key, a Connect property's typo.
package suggest

// Nearest returns the word of words closest to s by Distance, ties going to the first in
// words, or "" when words is empty.
func Nearest(s string, words []string) string {
	best, bestDist := "", -1
	for _, w := range words {
		if d := Distance(s, w); bestDist < 0 || d < bestDist {
			best, bestDist = w, d
		}
	}
	return best
}

// Distance is the optimal string alignment distance between a and b, in bytes (keys and
// flag names are ASCII): insertions, deletions, substitutions and transpositions of adjacent
// bytes each cost one, so "fiel" is one edit from "file" (Levenshtein counts two).
func Distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
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
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

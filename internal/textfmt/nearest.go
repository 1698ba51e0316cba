package textfmt

// Nearest is the candidate closest to word by edit distance, if one is
// within maxDist edits (ties: the first); "" when none is, for a "did you
// mean" suggestion.
func Nearest(word string, candidates []string, maxDist int) string {
	best, dist := "", maxDist+1
	for _, c := range candidates {
		if d := Distance(word, c); d < dist {
			best, dist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance of two strings, in bytes.
func Distance(a, b string) int {
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

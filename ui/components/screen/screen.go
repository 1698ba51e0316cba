// Package screen composes a view's frame of exactly its size from header
// lines, a body and footer lines, and joins key hints for footers.
package screen

import (
	"strings"

	"github.com/lakeops/lakeops/ui/components/table"
)

// Compose returns exactly h lines, each at most w cells: the top lines, a
// body of the remaining height (drawn by body, which gets that height), and
// the bottom lines. When h is too small, the top lines win, then the
// bottom ones. Lines must not hold newlines; the body may.
func Compose(w, h int, top []string, body func(height int) string, bottom []string) string {
	if h <= 0 {
		return ""
	}
	lines := make([]string, 0, h)
	bh := h - len(top) - len(bottom)
	if bh < 0 {
		lines = append(lines, top[:min(len(top), h)]...)
		lines = append(lines, bottom[:min(len(bottom), h-len(lines))]...)
	} else {
		lines = append(lines, top...)
		var b []string
		if bh > 0 && body != nil {
			b = strings.Split(body(bh), "\n")
		}
		for i := 0; i < bh; i++ {
			if i < len(b) {
				lines = append(lines, b[i])
			} else {
				lines = append(lines, "")
			}
		}
		lines = append(lines, bottom...)
	}
	for i, l := range lines {
		lines[i] = table.Clip(l, w)
	}
	return strings.Join(lines, "\n")
}

// Hints joins "key action" pairs for a footer line.
func Hints(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, pairs[i]+" "+pairs[i+1])
	}
	return strings.Join(parts, "  ")
}

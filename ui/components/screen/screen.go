// Package screen composes a view's frame of exactly its size from header
// lines, a body and footer lines, and joins key hints for footers.
package screen

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
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

// Question lays out a question for a footer of w cells: on one line when
// it fits, else on two, cut at a space; whatever is cut off the end goes
// before the answers (such as "y/n"), which always stay in sight.
func Question(text, answers string, w int) []string {
	text = textfmt.Sanitize(text)
	tail := ""
	if answers != "" {
		tail = " " + answers
	}
	if ansi.StringWidth(text+tail) <= w || w < 2*ansi.StringWidth(tail)+8 {
		return []string{table.Truncate(text, max(w-ansi.StringWidth(tail), 1)) + tail}
	}
	cut := strings.LastIndexByte(ansi.Truncate(text, w, ""), ' ')
	if cut <= 0 {
		cut = len(ansi.Truncate(text, w, ""))
	}
	first, rest := text[:cut], strings.TrimLeft(text[cut:], " ")
	return []string{first, table.Truncate(rest, max(w-ansi.StringWidth(tail), 1)) + tail}
}

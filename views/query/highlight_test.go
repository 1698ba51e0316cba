package query

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
)

// The statement is drawn with its keywords, strings and numbers styled,
// numbered like the editor, and sanitized.
func TestHighlight(t *testing.T) {
	th := ui.NewTheme(true, false)
	src := "SELECT order_id, 'x\x1b[31m' AS s\nFROM orders -- all\nWHERE total_amount > 10"
	lines := highlight(src, 80, 10, th)
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), lines)
	}
	plain := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{"   1 SELECT order_id, 'x\\x1b[31m' AS s", "   2 FROM orders -- all", "   3 WHERE total_amount > 10"} {
		if !strings.Contains(plain, want) {
			t.Fatalf("missing %q in:\n%s", want, plain)
		}
	}
	if strings.Contains(strings.Join(lines, ""), "\x1b[31m'") {
		t.Fatal("a raw escape from the statement reached the screen")
	}
	if kw := th.Key.Render("SELECT"); !strings.Contains(lines[0], kw) {
		t.Fatalf("SELECT is not styled as a keyword: %q", lines[0])
	}
	if got := highlight(src, 80, 1, th); len(got) != 1 {
		t.Fatalf("h=1 gave %d lines", len(got))
	}
}

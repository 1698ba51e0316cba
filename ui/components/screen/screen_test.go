package screen

import (
	"strings"
	"testing"
)

func TestCompose(t *testing.T) {
	body := func(h int) string { return strings.Repeat("b\n", h+3) }
	for h := 0; h < 8; h++ {
		out := Compose(5, h, []string{"top1", "top2"}, body, []string{"bottom-long"})
		n := 0
		if h > 0 {
			n = len(strings.Split(out, "\n"))
		}
		if n != h {
			t.Fatalf("h=%d: %d lines: %q", h, n, out)
		}
		if h >= 3 && !strings.HasSuffix(out, "bott…") {
			t.Fatalf("h=%d bottom line: %q", h, out)
		}
	}
}

func TestHints(t *testing.T) {
	if got := Hints("enter", "open", "/", "filter", "odd"); got != "enter open  / filter" {
		t.Fatalf("Hints = %q", got)
	}
}

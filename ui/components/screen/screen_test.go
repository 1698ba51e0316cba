package screen

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
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

// A question that does not fit takes two lines and keeps its answers in
// sight at any width; one that fits stays on one line.
func TestQuestion(t *testing.T) {
	q := "optimize order_items: pack 2,400 small files (40.7 MiB) in 1,200 partitions into 1,200 files near 128 MiB, the content unchanged?"
	if got := Question("vacuum t: delete 3 files?", "y/n", 80); len(got) != 1 || got[0] != "vacuum t: delete 3 files? y/n" {
		t.Errorf("short question: %q", got)
	}
	for _, w := range []int{20, 40, 80, 120} {
		got := Question(q, "y/n", w)
		if len(got) > 2 || !strings.HasSuffix(got[len(got)-1], " y/n") {
			t.Errorf("width %d: %q", w, got)
		}
		for _, l := range got {
			if ansi.StringWidth(l) > w {
				t.Errorf("width %d: line %q is %d wide", w, l, ansi.StringWidth(l))
			}
		}
	}
	if got := Question(q, "y/n", 80); len(got) != 2 || strings.HasSuffix(got[0], " ") || got[0]+" "+strings.TrimSuffix(got[1], " y/n") != q {
		t.Errorf("at 80 the question is cut at a space over two lines: %q", got)
	}
}

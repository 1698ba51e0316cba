package progress

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
)

func TestWidthsAndPercent(t *testing.T) {
	th := ui.NewTheme(true, false)
	for _, frac := range []float64{-1, 0, 0.0001, 0.333, 0.5, 0.999, 1, 7} {
		for w := 0; w <= 30; w++ {
			if got := lipgloss.Width(Render(frac, w, th)); got != w {
				t.Fatalf("Render(%v, %d) is %d cells", frac, w, got)
			}
			if got := lipgloss.Width(Plain(frac, w)); got != w {
				t.Fatalf("Plain(%v, %d) is %d cells: %q", frac, w, got, Plain(frac, w))
			}
		}
	}
	if got := Plain(0.5, 14); got != "████▌░░░░  50%" {
		t.Fatalf("half: %q", got)
	}
	if got := Plain(1, 10); got != "█████ 100%" {
		t.Fatalf("full: %q", got)
	}
	if got := Plain(0, 10); got != "░░░░░   0%" {
		t.Fatalf("empty: %q", got)
	}
	if got := Plain(-1, 10); !strings.HasSuffix(got, "?%") {
		t.Fatalf("unknown: %q", got)
	}
	if got := Plain(0.42, 4); got != "42% " {
		t.Fatalf("narrow: %q", got)
	}
	if got := ansi.Strip(Render(0.25, 12, th)); got != Plain(0.25, 12) {
		t.Fatalf("styled and plain differ: %q", got)
	}
}

func TestFraction(t *testing.T) {
	if Fraction(5, 0) != -1 || Fraction(5, 10) != 0.5 || Fraction(20, 10) != 1 || Fraction(-1, 10) != 0 {
		t.Fatal("Fraction")
	}
}

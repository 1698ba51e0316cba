// Package progress draws text progress bars for the console: a bar and a
// percentage that fit a given width, styled with the theme (Render) or
// plain (Plain, for table cells, which are sanitized and so carry no styles).
package progress

import (
	"fmt"
	"math"
	"strings"

	"github.com/lakeops/lakeops/ui"
)

// partial is the block of n eighths (1..7) for the bar's leading edge:
// U+258F ▏ (one eighth) down to U+2589 ▉ (seven eighths).
func partial(n int) string {
	if n <= 0 {
		return ""
	}
	return string(rune(0x2590 - n))
}

// Fraction is done/total in [0, 1]; -1 (unknown) when total is not positive.
func Fraction(done, total int64) float64 {
	if total <= 0 {
		return -1
	}
	return clamp(float64(done) / float64(total))
}

func clamp(f float64) float64 {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return math.Min(f, 1)
}

// parts splits a frame of width cells into the filled bar, the empty bar
// and the percentage text (together exactly width cells). frac < 0 means
// unknown. Narrow widths drop the bar, then cut the percentage.
func parts(frac float64, width int) (filled, empty, pct string) {
	if width <= 0 {
		return "", "", ""
	}
	pct = "  ?%"
	if frac >= 0 {
		frac = clamp(frac)
		pct = fmt.Sprintf("%3d%%", int(math.Floor(frac*100)))
	}
	if width < 6 {
		pct = strings.TrimLeft(pct, " ")
		if len(pct) > width {
			pct = pct[:width]
		}
		return "", "", pct + strings.Repeat(" ", width-len(pct))
	}
	bar := width - len(pct) - 1
	if frac < 0 {
		return "", strings.Repeat("·", bar), " " + pct
	}
	eighths := int(math.Floor(frac * float64(bar) * 8))
	full, rest := eighths/8, eighths%8
	filled = strings.Repeat("█", full) + partial(rest)
	n := full
	if rest > 0 {
		n++
	}
	return filled, strings.Repeat("░", bar-n), " " + pct
}

// Render draws a bar and its percentage in exactly width cells: the filled
// part in Theme.Bar, the rest in Theme.Dim. frac < 0 draws an unknown bar.
func Render(frac float64, width int, th *ui.Theme) string {
	filled, empty, pct := parts(frac, width)
	var b strings.Builder
	if filled != "" {
		b.WriteString(th.Bar.Render(filled))
	}
	if empty != "" {
		b.WriteString(th.Dim.Render(empty))
	}
	b.WriteString(pct)
	return b.String()
}

// Plain draws the same bar without styles.
func Plain(frac float64, width int) string {
	filled, empty, pct := parts(frac, width)
	return filled + empty + pct
}

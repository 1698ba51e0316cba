// Package screen has the small layout and formatting helpers the views
// share: composing a frame of exactly the view's size from header lines, a
// body and footer lines, and short renderings of sizes, durations and times.
package screen

import (
	"fmt"
	"strings"
	"time"

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

// Bytes renders a size: "812 B", "1.4 KB", "3.0 MB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTP"[exp])
}

// Duration renders a duration briefly: "850ms", "12.3s", "4m05s", "2h03m".
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Time renders a time in local time, "2006-01-02 15:04:05"; "" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// Count renders a count with thousands separators: 1,234,567.
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Rate renders rows per second: "12.3k/s".
func Rate(perSec float64) string {
	switch {
	case perSec <= 0:
		return ""
	case perSec >= 1e6:
		return fmt.Sprintf("%.1fM/s", perSec/1e6)
	case perSec >= 1e3:
		return fmt.Sprintf("%.1fk/s", perSec/1e3)
	}
	return fmt.Sprintf("%.0f/s", perSec)
}

// Hints joins "key action" pairs for a footer line.
func Hints(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, pairs[i]+" "+pairs[i+1])
	}
	return strings.Join(parts, "  ")
}

// Rows renders a row count with its noun: "1 row", "1,234 rows".
func Rows(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return Count(n) + " rows"
}

package table

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
)

// Render draws the table in exactly height lines, each at most width
// cells: a header line, then the rows around the cursor. It remembers the
// page size for paging. Only the rows on screen are looked at.
func (m *Model) Render(width, height int, th *ui.Theme) string {
	if width <= 0 || height <= 0 {
		return strings.Repeat("\n", max(height-1, 0))
	}
	if th == nil {
		th = ui.NewTheme(true, true)
	}
	body := height - 1
	m.page = max(body, 1)
	m.clamp()
	if body > 0 {
		if m.cursor >= m.offset+body {
			m.offset = m.cursor - body + 1
		}
		m.offset = max(0, min(m.offset, m.Len()-body))
	}
	first, last := m.offset, min(m.offset+body, m.Len())

	// Visible cells, sanitized once per frame.
	cells := make([][]string, last-first)
	for i := range cells {
		row := m.rows[m.RowAt(first+i)]
		cells[i] = make([]string, len(m.cols))
		for c := m.colOff; c < len(m.cols) && c < len(row); c++ {
			cells[i][c] = textfmt.Sanitize(row[c])
		}
	}
	widths := m.layout(width, cells)

	lines := make([]string, 0, height)
	lines = append(lines, m.header(widths, th))
	for i := range cells {
		pos := first + i
		lines = append(lines, m.line(m.RowAt(pos), cells[i], widths, pos == m.cursor, width, th))
	}
	if len(cells) == 0 && body > 0 {
		msg := m.Empty
		if m.filter != "" && len(m.rows) > 0 {
			msg = "no rows match " + textfmt.Sanitize(m.filter)
		}
		lines = append(lines, th.Dim.Render(fit(msg, width, false)))
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:height], "\n")
}

// layout returns the width of each column on screen (0 for columns off
// screen), filling the line with the last column.
func (m *Model) layout(width int, cells [][]string) []int {
	widths := make([]int, len(m.cols))
	x := 0
	m.visible = [2]int{m.colOff, m.colOff}
	for c := m.colOff; c < len(m.cols); c++ {
		sep := 0
		if c > m.colOff {
			sep = 1
		}
		avail := width - x - sep
		if avail <= 0 {
			break
		}
		w := m.autoWidth(c, cells)
		if c == len(m.cols)-1 || w > avail {
			w = avail
		}
		widths[c] = w
		x += sep + w
		m.visible[1] = c + 1
	}
	return widths
}

func (m *Model) autoWidth(c int, cells [][]string) int {
	col := m.cols[c]
	if col.Width > 0 {
		return col.Width
	}
	limit := col.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	w := max(ansi.StringWidth(col.Title)+1, m.seen[c]) // +1: room for the sort arrow
	for _, row := range cells {
		w = max(w, ansi.StringWidth(row[c]))
	}
	w = min(w, limit)
	m.seen[c] = w
	return w
}

func (m *Model) header(widths []int, th *ui.Theme) string {
	var b strings.Builder
	for c := m.visible[0]; c < m.visible[1]; c++ {
		if c > m.visible[0] {
			b.WriteByte(' ')
		}
		title := textfmt.Sanitize(m.cols[c].Title)
		if c == m.sortCol {
			if m.desc {
				title += "▼"
			} else {
				title += "▲"
			}
		}
		b.WriteString(fit(title, widths[c], m.cols[c].Right))
	}
	return th.Header.Render(b.String())
}

// line draws one row; the selected row is reversed across the whole width.
func (m *Model) line(row int, cells []string, widths []int, selected bool, width int, th *ui.Theme) string {
	var out, run strings.Builder
	used := 0
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if selected {
			out.WriteString(th.Selected.Render(run.String()))
		} else {
			out.WriteString(run.String())
		}
		run.Reset()
	}
	for c := m.visible[0]; c < m.visible[1]; c++ {
		if c > m.visible[0] {
			run.WriteByte(' ')
			used++
		}
		text := fit(cells[c], widths[c], m.cols[c].Right)
		used += widths[c]
		if m.style != nil {
			if st, ok := m.style(row, c, th); ok {
				flush()
				out.WriteString(st.Render(text))
				continue
			}
		}
		run.WriteString(text)
	}
	if selected && used < width {
		run.WriteString(strings.Repeat(" ", width-used))
	}
	flush()
	return out.String()
}

// fit truncates s (already sanitized) to w cells with "…" and pads it to
// exactly w cells.
func fit(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw >= w {
		return s
	}
	pad := strings.Repeat(" ", w-sw)
	if right {
		return pad + s
	}
	return s + pad
}

// Fit truncates text from data to w cells with "…" and pads it to exactly
// w cells; the text is sanitized first. Views use it for their own lines.
func Fit(s string, w int) string { return fit(textfmt.Sanitize(s), w, false) }

// Truncate sanitizes s and cuts it to at most w cells with "…", without padding.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = textfmt.Sanitize(s)
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Clip cuts an already styled line to at most w cells (ANSI-aware), for
// lines that mix styles and text.
func Clip(line string, w int) string {
	if lipgloss.Width(line) <= w {
		return line
	}
	return ansi.Truncate(line, max(w, 0), "…")
}

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
		for c := 0; c < len(m.cols) && c < len(row); c++ {
			if c >= m.colOff || c < m.pinned {
				cells[i][c] = textfmt.Sanitize(row[c])
			}
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
// screen) and sets onScreen. Every column gets the width it needs when
// the line holds them all, the flexible one the rest; else auto columns
// are capped at their Max and the flexible column gives up width first;
// numbers are never cut; columns that do not fit at all are scrolled to.
func (m *Model) layout(width int, cells [][]string) []int {
	widths := make([]int, len(m.cols))
	var order []int // the columns that may be on screen: the pinned ones, then from colOff
	if m.colOff > 0 {
		for c := 0; c < min(m.pinned, m.colOff); c++ {
			order = append(order, c)
		}
	}
	for c := m.colOff; c < len(m.cols); c++ {
		if !m.cols[c].Optional || !emptyColumn(cells, c) {
			order = append(order, c)
		}
	}
	if len(order) == 0 {
		m.onScreen = nil
		return widths
	}
	need := make([]int, len(m.cols))
	capped := make([]int, len(m.cols))
	for _, c := range order {
		need[c], capped[c] = m.autoWidth(c, cells)
	}
	flex := -1
	for _, c := range order {
		if m.cols[c].Flex && flex < 0 {
			flex = c
		}
	}
	sum := func(ws []int, cols []int) int {
		t := max(len(cols)-1, 0)
		for _, c := range cols {
			t += ws[c]
		}
		return t
	}
	// Which columns fit at their capped width, left to right (the flexible
	// one counted at its least).
	least := func(c int) int {
		if c == flex && !m.cols[c].Right {
			return min(capped[c], max(ansi.StringWidth(m.cols[c].Title)+1, minFlex))
		}
		return capped[c]
	}
	var shown []int
	used := -1
	for _, c := range order {
		w := least(c)
		if used+1+w > width {
			if len(shown) == 0 || (!m.cols[c].Right && width-used-1 >= 4) {
				shown = append(shown, c) // cut to what is left
			}
			break
		}
		shown = append(shown, c)
		used += 1 + w
	}
	explicit := flex >= 0 && contains(shown, flex)
	if !explicit {
		flex = shown[len(shown)-1]
	}
	if sum(need, shown) <= width {
		for _, c := range shown {
			widths[c] = need[c]
		}
	} else {
		for _, c := range shown {
			widths[c] = capped[c]
			col := m.cols[c]
			if explicit && c != flex && !col.Right && col.Width == 0 && col.Max == 0 {
				// A free text column (no Max of its own) gives way to the name.
				widths[c] = min(capped[c], max(ansi.StringWidth(col.Title)+1, 8))
			}
		}
		widths[flex] = least(flex)
		// Spare width goes to the flexible column (when one is marked),
		// then back to the other columns, shared evenly.
		spare := width - sum(widths, shown)
		if explicit {
			add := max(min(spare, need[flex]-widths[flex]), 0)
			widths[flex] += add
			spare -= add
		}
		// The rest is shared evenly by the columns that want more.
		for spare > 0 {
			var want []int
			for _, c := range shown {
				if widths[c] < need[c] && (explicit && c != flex || !explicit) {
					want = append(want, c)
				}
			}
			if len(want) == 0 {
				break
			}
			share := max(spare/len(want), 1)
			for _, c := range want {
				add := min(share, need[c]-widths[c], spare)
				widths[c] += add
				spare -= add
			}
		}
	}
	if rest := width - sum(widths, shown); rest > 0 && (explicit || !m.cols[flex].Right) {
		widths[flex] += rest // the flexible column fills the line (a number is not pushed to the far right)
	} else if rest < 0 {
		widths[shown[len(shown)-1]] = max(widths[shown[len(shown)-1]]+rest, 0)
	}
	m.onScreen = shown
	m.whole = shown[len(shown)-1] == len(m.cols)-1
	for _, c := range shown {
		if widths[c] < need[c] {
			m.whole = false
		}
	}
	return widths
}

func emptyColumn(cells [][]string, c int) bool {
	for _, row := range cells {
		if row[c] != "" {
			return false
		}
	}
	return true
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// autoWidth is the width column c needs (its title and the widest cell
// seen) and the width it may be capped to.
func (m *Model) autoWidth(c int, cells [][]string) (need, capped int) {
	col := m.cols[c]
	w := max(ansi.StringWidth(col.Title)+1, m.seen[c]) // +1: room for the sort arrow
	for _, row := range cells {
		w = max(w, ansi.StringWidth(row[c]))
	}
	m.seen[c] = w
	switch {
	case col.Right:
		w = max(w, col.Width)
		return w, w
	case col.Width > 0:
		return col.Width, col.Width
	}
	limit := col.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	return w, min(w, limit)
}

func (m *Model) header(widths []int, th *ui.Theme) string {
	var b strings.Builder
	for i, c := range m.onScreen {
		if i > 0 {
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
	for i, c := range m.onScreen {
		if i > 0 {
			run.WriteByte(' ')
			used++
		}
		text := fit(cells[c], widths[c], m.cols[c].Right)
		if m.cols[c].Middle {
			text = fitMiddle(cells[c], widths[c])
		}
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

// fitMiddle cuts s (already sanitized) to w cells with "…" in the middle
// and pads it to exactly w cells.
func fitMiddle(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw <= w || w < 8 {
		return fit(s, w, false)
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return ansi.Truncate(s, head, "") + "…" + ansi.TruncateLeft(s, sw-tail, "")
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

// Wrap sanitizes text and breaks it into lines of at most w cells (words
// wrap, longer ones break), keeping its own line breaks.
func Wrap(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, strings.Split(ansi.Wrap(textfmt.Sanitize(line), w, ""), "\n")...)
	}
	return out
}

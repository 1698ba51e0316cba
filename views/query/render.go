package queryview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/views/internal/screen"
)

// noEngineNote explains an absent engine.
const noEngineNote = "no query engine: this console was started without one " +
	"(the local DuckDB engine needs a lake; Athena needs --aws) — SQL cannot run here"

// maxFieldLines caps the lines one value takes in the detail pane.
const maxFieldLines = 200

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w, h := ctx.Theme, ctx.Width, ctx.Height
	m.styleEditor(th)
	if m.detail != nil {
		return m.renderDetail(ctx)
	}
	// The editor grows with its text, up to a third of the view.
	edH := max(3, min(m.editor.LineCount()+1, 10, h/3))
	if h < 10 {
		edH = 1
	}
	m.sizeEditor(w, edH)
	top := []string{m.header(ctx)}
	ed := strings.Split(m.editor.View(), "\n")
	for i := range edH {
		line := ""
		if i < len(ed) {
			line = ed[i]
		}
		top = append(top, line)
	}
	top = append(top, m.statusLine(th, w))
	return screen.Compose(w, h, top, func(bh int) string { return m.body(ctx, bh) }, []string{m.footer(th, w)})
}

func (m *Model) header(ctx *ui.Context) string {
	th := ctx.Theme
	name := "no engine"
	if eng := engine(ctx); eng != nil {
		name = eng.Name() + " engine"
	}
	s := th.Title.Render("SQL") + th.Dim.Render(" · "+ui.Sanitize(name))
	if m.editor.Focused() {
		return s + th.Dim.Render(" · editing (esc: results)")
	}
	return s + th.Dim.Render(" · results (i: edit)")
}

// statusLine describes the result: rows, more, elapsed, bytes and cost.
func (m *Model) statusLine(th *ui.Theme, w int) string {
	r := m.res
	if r == nil {
		return th.Dim.Render(strings.Repeat("─", max(w, 0)))
	}
	now := m.now()
	rows := screen.Rows(int64(len(r.vals)))
	var parts []string
	style := th.OK
	switch {
	case r.running && r.elapsed == 0:
		style = th.Warn
		parts = append(parts, "running "+tenths(now.Sub(r.started)), rows+" so far", "ctrl+x cancels")
	case r.running:
		style = th.Warn
		parts = append(parts, rows, "loading more "+tenths(now.Sub(r.phaseStart)), "ctrl+x cancels")
	case r.cancelled:
		style = th.Warn
		parts = append(parts, "cancelled", rows, shortDuration(r.elapsedNow(now)))
	case r.err != nil:
		style = th.Error
		parts = append(parts, "failed", rows, shortDuration(r.elapsedNow(now)))
	default:
		parts = append(parts, rows)
		switch {
		case !r.done:
			parts = append(parts, "more available (m)")
		case r.partial:
			parts = append(parts, "result closed early")
		}
		parts = append(parts, shortDuration(r.elapsedNow(now)))
	}
	if b := r.stats.BytesScanned; b > 0 {
		parts = append(parts, screen.Bytes(b)+" scanned")
	}
	if c := r.stats.CostUSD; c > 0 {
		parts = append(parts, costText(c))
	}
	left := strings.Join(parts, " · ")
	line := style.Render(left)
	if len(r.cols) > 0 {
		// Where the cursor is, on the right when there is room.
		pos := fmt.Sprintf("row %s · %s (%d/%d)", m.table.Status(), table.Truncate(columnLabel(r.cols, m.col), 24),
			m.col+1, len(r.cols))
		if gap := w - ansi.StringWidth(left) - ansi.StringWidth(pos); gap >= 2 {
			line += strings.Repeat(" ", gap) + th.Dim.Render(pos)
		}
	}
	return line
}

// costText renders a query's cost in US dollars.
func costText(c float64) string {
	if c < 1 {
		return fmt.Sprintf("$%.6f", c)
	}
	return fmt.Sprintf("$%.2f", c)
}

func (m *Model) body(ctx *ui.Context, h int) string {
	th, w := ctx.Theme, ctx.Width
	r := m.res
	var lines []string
	switch {
	case engine(ctx) == nil:
		for _, l := range wrapText(noEngineNote, w) {
			lines = append(lines, th.Warn.Render(l))
		}
		return strings.Join(lines, "\n")
	case r == nil:
		return th.Dim.Render(strings.Join([]string{
			"Write SQL above: ctrl+r runs it all, ctrl+e the statement under the cursor.",
			"Tables: products, orders, order_items, rejected_<dataset>, ingest_log.",
			"tab completes names; ctrl+p/ctrl+n recall earlier statements.",
			"esc leaves the editor: ↑/↓ rows, ←/→ columns, enter a row, y/Y copy,",
			"e export (csv, json lines, parquet), / filter, m more rows, i edit again.",
		}, "\n"))
	}
	if r.err != nil {
		errLines := wrapText(r.err.Error(), w)
		limit := h
		if len(r.vals) > 0 {
			limit = max(h/2, 1)
		}
		if len(errLines) > limit {
			errLines = errLines[:limit]
		}
		for _, l := range errLines {
			lines = append(lines, th.Error.Render(l))
		}
		h -= len(lines)
		if len(r.vals) == 0 || h <= 1 {
			return strings.Join(lines, "\n")
		}
	}
	if len(r.cols) == 0 {
		if r.running {
			lines = append(lines, th.Dim.Render("waiting for the first rows…"))
		} else if r.cancelled {
			lines = append(lines, th.Warn.Render("cancelled before any rows came back"))
		}
		return strings.Join(lines, "\n")
	}
	lines = append(lines, m.renderTable(w, h, th))
	return strings.Join(lines, "\n")
}

// renderTable draws the results, scrolling again when the current column
// ended up off screen.
func (m *Model) renderTable(w, h int, th *ui.Theme) string {
	out := m.table.Render(w, h, th)
	if first, end := m.table.VisibleColumns(); m.col < first || m.col >= end {
		m.table.ScrollColumns(m.col - first)
		out = m.table.Render(w, h, th)
	}
	return out
}

func (m *Model) footer(th *ui.Theme, w int) string {
	switch {
	case m.prompt:
		n := "the shown rows"
		if r := m.res; r != nil && !r.done {
			n = "every row (the rest is read to the end)"
		}
		return th.Warn.Render("export " + n + " as (c)sv, (j)son lines or (p)arquet? any other key cancels")
	case m.filter.Focused():
		return m.filter.View(w, th)
	case m.note != "":
		style := th.OK
		if m.noteErr {
			style = th.Error
		}
		return style.Render(table.Truncate(m.note, w))
	case m.editor.Focused():
		return th.Dim.Render(screen.Hints("ctrl+r", "run", "ctrl+e", "stmt", "ctrl+x", "cancel",
			"tab", "complete", "^p/^n", "history", "esc", "results"))
	}
	hints := th.Dim.Render(screen.Hints("i", "edit", "enter", "row", "←/→", "column", "m", "more", "y/Y", "copy",
		"e", "export", "/", "filter"))
	if f := m.filter.View(w/3, th); f != "" {
		return f + "  " + hints
	}
	return hints
}

// cellStyle marks the current cell and shows nulls dim.
func (m *Model) cellStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if col == m.col && row == m.table.Cursor() && !m.editor.Focused() {
		return th.Key.Underline(true), true
	}
	if r := m.res; r != nil && row < len(r.vals) && col < len(r.vals[row]) && r.vals[row][col] == nil {
		return th.Dim, true
	}
	return lipgloss.Style{}, false
}

// wrapText sanitizes text from an engine or from data and wraps it to w
// cells, keeping its own line breaks.
func wrapText(s string, w int) []string {
	w = max(w, 1)
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		out = append(out, strings.Split(ansi.Wrap(ui.Sanitize(line), w, ""), "\n")...)
	}
	return out
}

// shortDuration renders a finished query's time: "850ms", "12.3s", "4m05s".
func shortDuration(d time.Duration) string { return screen.Duration(d) }

// tenths renders a running query's time as it ticks: "0.3s", "12.3s", "4m05s".
func tenths(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return screen.Duration(d)
}

// detail is the row detail pane: every column of one row.
type detail struct {
	row int // index into the result's rows
	sel int // the selected column
	off int // first line on screen
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k, d := &m.keys, m.detail
	n := len(m.res.cols)
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Enter):
		m.detail = nil
	case key.Matches(msg, k.Up):
		d.sel = max(d.sel-1, 0)
	case key.Matches(msg, k.Down):
		d.sel = min(d.sel+1, n-1)
	case key.Matches(msg, k.Top):
		d.sel = 0
	case key.Matches(msg, k.Bottom):
		d.sel = n - 1
	case key.Matches(msg, k.Left), key.Matches(msg, k.Right):
		if key.Matches(msg, k.Left) {
			m.table.Move(-1)
		} else {
			m.table.Move(1)
		}
		if r := m.table.Cursor(); r >= 0 {
			d.row = r
		}
	case key.Matches(msg, k.Copy):
		if d.sel < len(m.res.vals[d.row]) {
			text := cellText(m.res.vals[d.row][d.sel])
			m.setNote("copied "+columnLabel(m.res.cols, d.sel), false)
			return func() tea.Msg { return ui.Copy{Text: text} }
		}
	case key.Matches(msg, m.bind.copyRow):
		return m.copyRow(d.row)
	}
	return nil
}

func (m *Model) detailWheel(msg tea.MouseWheelMsg) {
	switch msg.Button {
	case tea.MouseWheelUp:
		m.detail.sel = max(m.detail.sel-1, 0)
	case tea.MouseWheelDown:
		m.detail.sel = min(m.detail.sel+1, len(m.res.cols)-1)
	}
}

func (m *Model) renderDetail(ctx *ui.Context) string {
	th, w, d, r := ctx.Theme, ctx.Width, m.detail, m.res
	row := r.vals[d.row]
	nameW := 4
	for _, c := range r.cols {
		nameW = max(nameW, ansi.StringWidth(ui.Sanitize(c.Name)))
	}
	nameW = min(nameW, max(w/3, 4), 32)
	valW := max(w-nameW-1, 8)
	var lines []string
	start := make([]int, len(r.cols)) // first line of each field
	for i, c := range r.cols {
		start[i] = len(lines)
		text := "NULL"
		if i < len(row) && row[i] != nil {
			text = cellText(row[i])
		}
		vl := wrapText(text, valW)
		if len(vl) > maxFieldLines {
			vl = append(vl[:maxFieldLines-1], fmt.Sprintf("… %d more lines (y copies the value)", len(vl)-maxFieldLines+1))
		}
		for j, l := range vl {
			name := strings.Repeat(" ", nameW)
			if j == 0 {
				name = table.Fit(c.Name, nameW)
				if i == d.sel {
					name = th.Selected.Render(name)
				} else {
					name = th.Header.Render(name)
				}
			}
			if i < len(row) && row[i] == nil {
				l = th.Dim.Render(l)
			}
			lines = append(lines, name+" "+l)
		}
	}
	sel := r.cols[d.sel]
	top := []string{th.Title.Render(fmt.Sprintf("row %s of %s", screen.Count(int64(d.row+1)), screen.Count(int64(len(r.vals))))) +
		th.Dim.Render(" · "+table.Truncate(sel.Name+" "+sel.Type, max(w/2, 10)))}
	body := func(h int) string {
		end := len(lines)
		if d.sel+1 < len(start) {
			end = start[d.sel+1]
		}
		if start[d.sel] < d.off {
			d.off = start[d.sel]
		}
		if end > d.off+h {
			d.off = max(min(end-h, start[d.sel]), 0)
		}
		d.off = max(0, min(d.off, len(lines)-h))
		return strings.Join(lines[d.off:min(d.off+h, len(lines))], "\n")
	}
	foot := th.Dim.Render(screen.Hints("esc", "back", "↑/↓", "column", "←/→", "previous/next row", "y", "copy value", "Y", "copy row"))
	if m.note != "" {
		foot = th.OK.Render(table.Truncate(m.note, w))
	}
	return screen.Compose(w, ctx.Height, top, body, []string{foot})
}

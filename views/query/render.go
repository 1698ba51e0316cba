package query

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
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
	if m.list.DetailOpen() {
		return m.renderDetail(ctx)
	}
	if m.histPick != nil {
		return m.renderHistory(ctx)
	}
	// The editor grows with its text, up to a third of the view.
	edH := max(3, min(m.editor.LineCount()+1, 10, h/3))
	if h < 10 {
		edH = 1
	}
	m.edSize.Fit(&m.editor, w, edH)
	top := []string{m.header(ctx)}
	ed := strings.Split(m.editor.View(), "\n")
	if !m.editor.Focused() && strings.TrimSpace(m.editor.Value()) != "" {
		ed = highlight(m.editor.Value(), w, edH, th) // the statement, highlighted, while the results have the keys
	}
	for i := range edH {
		line := ""
		if i < len(ed) {
			line = ed[i]
		}
		top = append(top, line)
	}
	if len(m.tabs) > 1 {
		top = append(top, table.Clip(m.tabsLine(th), w))
	}
	top = append(top, m.statusLine(th, w))
	m.bodyTop = len(top)
	return screen.Compose(w, h, top, func(bh int) string { return m.body(ctx, bh) }, []string{m.footer(th, w)})
}

func (m *Model) header(ctx *ui.Context) string {
	th := ctx.Theme
	name := "no engine"
	if m.eng != nil {
		name = m.engName + " engine"
	}
	s := th.Title.Render("SQL") + th.Dim.Render(" · "+textfmt.Sanitize(name))
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
	rows := textfmt.Rows(int64(len(r.vals)))
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
		parts = append(parts, textfmt.Bytes(b)+" scanned")
	}
	if c := r.stats.CostUSD; c > 0 {
		parts = append(parts, costText(c))
	}
	left := strings.Join(parts, " · ")
	line := style.Render(left)
	if len(r.cols) > 0 {
		// Where the cursor is, on the right when there is room.
		pos := fmt.Sprintf("row %s · %s (%d/%d)", m.list.Status(), table.Truncate(columnLabel(r.cols, m.col), 24),
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
	case m.eng == nil:
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
	m.list.SetBodyTop(m.bodyTop + len(lines)) // for clicks
	lines = append(lines, m.renderTable(w, h, th))
	return strings.Join(lines, "\n")
}

// renderTable draws the results, scrolling again when the current column
// ended up off screen.
func (m *Model) renderTable(w, h int, th *ui.Theme) string {
	out := m.list.Body(w, h, th)
	t := m.list.Table()
	if first, end := t.VisibleColumns(); m.col < first || m.col >= end {
		t.ScrollColumns(m.col - first)
		out = m.list.Body(w, h, th)
	}
	return out
}

// footer is the editor's hints while it has focus (and no note waits),
// else the list's footer: the export prompt, the filter, a note, or the
// result's hints.
func (m *Model) footer(th *ui.Theme, w int) string {
	if m.editor.Focused() && !m.list.Busy() && m.list.Note() == "" {
		return th.Dim.Render(screen.Hints("ctrl+r", "run", "ctrl+e", "stmt", "ctrl+x", "cancel",
			"tab", "complete", "^p/^n", "history", "esc", "results"))
	}
	return m.list.Footer(w, th, "i", "edit", "enter", "row", "←/→", "column", "m", "more", "y/Y", "copy",
		"e", "export", "/", "filter")
}

// cellStyle marks the current cell and shows nulls dim.
func (m *Model) cellStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if col == m.col && row == m.list.Cursor() && !m.editor.Focused() {
		return th.Key.Underline(true), true
	}
	if r := m.res; r != nil && row < len(r.vals) && col < len(r.vals[row]) && r.vals[row][col] == nil {
		return th.Dim, true
	}
	return lipgloss.Style{}, false
}

// wrapText sanitizes text from an engine or from data and wraps it to w
// cells, keeping its own line breaks.
func wrapText(s string, w int) []string { return table.Wrap(s, w) }

// shortDuration renders a finished query's time: "850ms", "12.3s", "4m05s".
func shortDuration(d time.Duration) string { return textfmt.Duration(d) }

// tenths renders a running query's time as it ticks: "0.3s", "12.3s", "4m05s".
func tenths(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return textfmt.Duration(d)
}

// detailKey handles the detail pane's keys: ↑/↓ pick a column, ←/→ the
// previous or next row, y/Y copy the value or the row, enter or esc close.
func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	row, n := m.list.Cursor(), len(m.res.cols)
	switch {
	case key.Matches(msg, k.Enter):
		m.list.CloseDetail()
	case key.Matches(msg, k.Up):
		m.detailCol = max(m.detailCol-1, 0)
	case key.Matches(msg, k.Down):
		m.detailCol = min(m.detailCol+1, n-1)
	case key.Matches(msg, k.Top):
		m.detailCol = 0
	case key.Matches(msg, k.Bottom):
		m.detailCol = n - 1
	case key.Matches(msg, k.Left):
		m.list.Table().Move(-1)
	case key.Matches(msg, k.Right):
		m.list.Table().Move(1)
	case key.Matches(msg, k.Copy):
		if row >= 0 && m.detailCol < len(m.res.vals[row]) {
			m.setNote("copied "+columnLabel(m.res.cols, m.detailCol), false)
			return ui.CopyCmd(cellText(m.res.vals[row][m.detailCol]))
		}
	case key.Matches(msg, m.bind.copyRow):
		return m.copyRow(row)
	default:
		m.list.Update(k, msg) // esc closes; pgup/pgdn scroll
	}
	return nil
}

// detail draws every column of one row for the list's detail pane, the
// selected column kept on screen.
func (m *Model) detail(row, w int, th *ui.Theme) listview.Detail {
	r := m.res
	if r == nil || row < 0 || row >= len(r.vals) {
		return listview.Detail{}
	}
	vals := r.vals[row]
	nameW := 4
	for _, c := range r.cols {
		nameW = max(nameW, ansi.StringWidth(textfmt.Sanitize(c.Name)))
	}
	nameW = min(nameW, max(w/3, 4), 32)
	valW := max(w-nameW-1, 8)
	var d listview.Detail
	for i, c := range r.cols {
		if i == m.detailCol {
			d.Focus[0] = len(d.Lines)
		}
		text := "NULL"
		if i < len(vals) && vals[i] != nil {
			text = cellText(vals[i])
		}
		vl := wrapText(text, valW)
		if len(vl) > maxFieldLines {
			vl = append(vl[:maxFieldLines-1], fmt.Sprintf("… %d more lines (y copies the value)", len(vl)-maxFieldLines+1))
		}
		for j, l := range vl {
			name := strings.Repeat(" ", nameW)
			if j == 0 {
				name = table.Fit(c.Name, nameW)
				if i == m.detailCol {
					name = th.Selected.Render(name)
				} else {
					name = th.Header.Render(name)
				}
			}
			if i < len(vals) && vals[i] == nil {
				l = th.Dim.Render(l)
			}
			d.Lines = append(d.Lines, name+" "+l)
		}
		if i == m.detailCol {
			d.Focus[1] = len(d.Lines)
		}
	}
	return d
}

func (m *Model) renderDetail(ctx *ui.Context) string {
	th, w, r := ctx.Theme, ctx.Width, m.res
	m.detailCol = max(0, min(m.detailCol, len(r.cols)-1))
	sel := r.cols[m.detailCol]
	top := []string{th.Title.Render(fmt.Sprintf("row %s of %s", textfmt.Count(int64(m.list.Cursor()+1)), textfmt.Count(int64(len(r.vals))))) +
		th.Dim.Render(" · "+table.Truncate(sel.Name+" "+sel.Type, max(w/2, 10)))}
	return m.list.View(w, ctx.Height, th, top, "esc", "back", "↑/↓", "column", "←/→", "previous/next row",
		"y", "copy value", "Y", "copy row")
}

package rejects

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// detail draws one rejected row for the list's detail pane: where it
// comes from, its reasons, the raw record, and its fields re-read with
// the file's header and checked again.
func (m *Model) detail(row, w int, th *ui.Theme) listview.Detail {
	if row < 0 || row >= len(m.shown) {
		return listview.Detail{}
	}
	r := m.rows[m.shown[row]]
	lines := []string{
		th.Title.Render("line "+textfmt.Count(r.Line)) + " of " + table.Truncate(m.short(r.File), max(w/2, 10)) +
			th.Dim.Render(" · "+textfmt.Sanitize(r.Status+" · run "+r.RunID)+" · "+textfmt.Time(r.RejectedAt)),
		th.Error.Render("reasons: ") + table.Truncate(strings.Join(r.Reasons, ", "), w),
	}
	for _, note := range ops.RejectNotes(m.dataset(), r) {
		for _, l := range table.Wrap(note, max(w-2, 1)) {
			lines = append(lines, "  "+th.Warn.Render(l))
		}
	}
	lines = append(lines, th.Header.Render("raw record")+th.Dim.Render(" (control characters and invalid bytes shown escaped)"))
	lines = append(lines, strings.Split(ansi.Hardwrap(textfmt.Sanitize(r.Raw), max(w, 1), true), "\n")...)
	lines = append(lines, th.Header.Render("fields")+th.Dim.Render(" re-read with the file's header and checked again"))
	fields, err := ops.InspectReject(m.dataset(), r)
	if err != nil {
		return listview.Detail{Lines: append(lines, th.Error.Render(table.Truncate(err.Error(), w)))}
	}
	t := table.New(listview.Column{Title: "column", Max: 24}, listview.Column{Title: "type", Max: 13},
		listview.Column{Title: "raw cell", Max: 40}, listview.Column{Title: "check"})
	cells := make([][]string, len(fields))
	for i, f := range fields {
		cells[i] = []string{f.Column, f.Type, f.Raw, f.Verdict}
	}
	t.SetRows(cells)
	t.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if row >= len(fields) {
			return lipgloss.Style{}, false
		}
		switch bad := fields[row].Bad; {
		case col == 2 && bad:
			return th.Bad, true
		case col == 3 && bad:
			return th.Error, true
		case col == 3:
			return th.OK, true
		}
		return lipgloss.Style{}, false
	})
	return listview.Detail{Lines: append(lines, strings.Split(t.Render(w, len(fields)+1, th), "\n")...)}
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	if m.list.DetailOpen() {
		return m.list.View(w, ctx.Height, th, nil, "esc", "back", "↑/↓", "previous/next row",
			"pgup/pgdn", "scroll", "y", "copy raw", "p", "reprocess file")
	}
	var tabs []string
	for i, d := range m.datasets {
		if i == m.ds {
			tabs = append(tabs, th.Title.Render("["+d+"]"))
		} else {
			tabs = append(tabs, th.Tab.Render(d))
		}
	}
	open := 0
	for _, r := range m.rows {
		if r.Status == ops.RejectOpen {
			open++
		}
	}
	head := strings.Join(tabs, " ") + th.Dim.Render(" · "+textfmt.Rows(int64(len(m.rows)))+" ("+textfmt.Count(int64(open))+" open) · "+m.list.Status())
	if m.loading {
		head += th.Dim.Render(" · loading…")
	}
	top := []string{head}
	var filters []string
	if m.fileF != "" {
		filters = append(filters, "file: "+th.Warn.Render(table.Truncate(m.short(m.fileF), max(w/2, 10))))
	}
	if m.reasonF != "" {
		filters = append(filters, "reason: "+th.Warn.Render(table.Truncate(m.reasonF, 30)))
	}
	if m.openOnly {
		filters = append(filters, th.Warn.Render("open rows only")+th.Dim.Render(" (o: all)"))
	}
	if len(filters) > 0 {
		top = append(top, strings.Join(filters, " · ")+th.Dim.Render(" · esc clears the file and reason"))
	}
	if m.loadErr != nil {
		top = append(top, th.Error.Render(table.Truncate(m.loadErr.Error(), w)))
	}
	if m.picker != nil {
		top = append(top, th.Title.Render("pick a file")+th.Dim.Render(" · enter choose · esc cancel"))
		m.picker.SetBodyTop(len(top))
		return screen.Compose(w, ctx.Height, top, func(h int) string { return m.picker.Body(w, h, th) },
			[]string{m.picker.Footer(w, th, "enter", "choose", "esc", "cancel", "/", "filter")})
	}
	return m.list.View(w, ctx.Height, th, top, "d", "dataset", "f", "file", "c", "reason", "o", "open only", "/", "text",
		"enter", "detail", "p", "reprocess", "e", "export", "y", "copy")
}

package files

import (
	"fmt"
	"path"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/views/internal/screen"
)

// previewPane is an open preview of one file.
type previewPane struct {
	key     string
	loading bool
	msg     previewMsg
	table   *table.Model
}

func newPreview(key string) *previewPane {
	return &previewPane{key: key, loading: true, table: table.New(table.Column{Title: "line"})}
}

// load shows a preview result.
func (p *previewPane) load(msg previewMsg) {
	p.loading, p.msg = false, msg
	if msg.err != nil {
		return
	}
	cols := make([]table.Column, len(msg.columns))
	for i, c := range msg.columns {
		cols[i] = table.Column{Title: c, Max: 24}
	}
	cols[0].Right = true
	p.table.SetColumns(cols)
	p.table.SetRows(msg.rows)
	p.table.Empty = "the file has a header and no records"
	p.table.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if row < len(msg.bad) && col < len(msg.bad[row]) && msg.bad[row][col] {
			return th.Bad, true
		}
		return lipgloss.Style{}, false
	})
}

func (m *Model) previewKey(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.preview = nil
		m.previewGen++
	case key.Matches(msg, k.Validate):
		return m.validate(ctx, m.preview.key)
	case key.Matches(msg, k.Run):
		return submitCmd(ctx.Services.Jobs, jobs.Spec{Title: "run " + path.Base(m.preview.key), Files: []string{m.preview.key}})
	default:
		m.preview.table.Update(k, msg)
	}
	return nil
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	if m.preview != nil {
		return m.renderPreview(ctx)
	}
	info := fmt.Sprintf("%d entries", len(m.entries))
	if m.more {
		info += "+"
	}
	parts := []string{th.Title.Render(table.Truncate(m.dir, max(w/2, 10))), info, "sort: " + sortLabel(m.sortBy)}
	if n := len(m.selected); n > 0 {
		parts = append(parts, th.Warn.Render(fmt.Sprintf("%d selected", n)))
	}
	if m.loading {
		parts = append(parts, th.Dim.Render("loading…"))
	}
	parts = append(parts, th.Dim.Render(m.table.Status()))
	top := []string{strings.Join(parts, th.Dim.Render(" · "))}
	return screen.Compose(w, ctx.Height, top, func(h int) string { return m.table.Render(w, h, th) },
		[]string{m.footer(ctx)})
}

func (m *Model) footer(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	switch {
	case m.filter.Focused():
		return m.filter.View(w, th)
	case m.listErr != nil:
		return th.Error.Render(table.Truncate(m.listErr.Error(), w))
	case m.result != "":
		style := th.OK
		if m.resultErr {
			style = th.Error
		}
		line := style.Render(table.Truncate(m.result, w))
		if f := m.filter.View(w/3, th); f != "" {
			line = f + "  " + line
		}
		return line
	}
	hint := screen.Hints("enter", "open", "space", "select", "v", "validate", "r", "run", "R", "run all new",
		"s", "sort", "/", "filter")
	if f := m.filter.View(w/3, th); f != "" {
		return f + "  " + th.Dim.Render(hint)
	}
	return th.Dim.Render(hint)
}

func (m *Model) renderPreview(ctx *ui.Context) string {
	th, w, p := ctx.Theme, ctx.Width, m.preview
	title := th.Title.Render("preview "+table.Truncate(path.Base(p.key), max(w/2, 10))) + " "
	var top []string
	switch {
	case p.loading:
		top = []string{title + th.Dim.Render("reading…")}
	case p.msg.err != nil:
		top = []string{title, th.Error.Render(table.Truncate(p.msg.err.Error(), w))}
	default:
		sum := fmt.Sprintf("%s · first %d records · ", p.msg.dataset, len(p.msg.rows))
		if p.msg.problems > 0 {
			sum += th.Error.Render(fmt.Sprintf("%d break a rule", p.msg.problems))
		} else {
			sum += th.OK.Render("none break a row rule")
		}
		note := "row rules only: duplicates and references are not checked here (v validates the whole file)"
		if len(p.msg.warnings) > 0 {
			note = table.Truncate(strings.Join(p.msg.warnings, "; "), w) + " · " + note
		}
		top = []string{title + sum, th.Dim.Render(table.Truncate(note, w))}
	}
	first, end := p.table.VisibleColumns()
	cols := len(p.table.Columns())
	foot := screen.Hints("esc", "close", "←/→", fmt.Sprintf("columns %d-%d of %d", first+1, end, cols),
		"v", "validate", "r", "run")
	if m.result != "" {
		style := th.OK
		if m.resultErr {
			style = th.Error
		}
		foot = style.Render(table.Truncate(m.result, w))
	} else {
		foot = th.Dim.Render(foot)
	}
	body := func(h int) string {
		if p.loading || p.msg.err != nil {
			return ""
		}
		return p.table.Render(w, h, th)
	}
	return screen.Compose(w, ctx.Height, top, body, []string{foot})
}

// row is the table row of an entry.
func (m *Model) row(e *entry) []string {
	mark := ""
	if m.selected[e.info.Key] {
		mark = "●"
	}
	if e.info.IsPrefix {
		return []string{mark, e.name, e.dataset, "", "", ""}
	}
	return []string{mark, e.name, e.dataset, screen.Bytes(e.info.Size), screen.Time(e.info.ModTime), e.status}
}

// cellStyle colours the status column and the selection mark.
func (m *Model) cellStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.entries) {
		return lipgloss.Style{}, false
	}
	e := &m.entries[row]
	switch col {
	case 0:
		return th.Warn, m.selected[e.info.Key]
	case 1:
		return th.Title, e.info.IsPrefix
	case 5:
		switch e.status {
		case StatusIngested:
			return th.OK, true
		case StatusPartial, StatusRunning:
			return th.Warn, true
		case StatusFailed:
			return th.Error, true
		case StatusNew:
			return lipgloss.Style{}, false
		}
		return th.Dim, e.status != ""
	}
	return lipgloss.Style{}, false
}

// validationText summarizes a dry run.
func validationText(msg validatedMsg) (string, bool) {
	name := path.Base(msg.key)
	if msg.err != nil {
		return msg.err.Error(), true
	}
	if msg.sum == nil || len(msg.sum.Files) == 0 {
		return name + ": nothing validated", true
	}
	f := msg.sum.Files[0]
	if f.Error != "" {
		return fmt.Sprintf("%s: %s: %s", name, f.Status, f.Error), true
	}
	text := fmt.Sprintf("%s (dry run): %s rows, %s would be accepted, %s rejected", name,
		screen.Count(f.RowsRead), screen.Count(f.Accepted), screen.Count(f.Rejected))
	if len(f.RejectedByReason) > 0 {
		var parts []string
		codes := jobs.SortedReasons(f.RejectedByReason)
		for _, code := range codes[:min(len(codes), 4)] {
			parts = append(parts, fmt.Sprintf("%s %d", code, f.RejectedByReason[code]))
		}
		text += " (" + strings.Join(parts, ", ") + ")"
	}
	return text, false
}

package files

import (
	"fmt"
	"path"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// previewPane is an open preview of one file.
type previewPane struct {
	key     string
	loading bool
	p       *ops.Preview
	err     error
	list    *listview.Model
}

func newPreview(key string) *previewPane {
	return &previewPane{key: key, loading: true,
		list: listview.New(listview.Options{Columns: []listview.Column{{Title: "line"}}})}
}

// load shows a preview result.
func (p *previewPane) load(msg previewMsg) {
	p.loading, p.p, p.err = false, msg.p, msg.err
	if msg.err != nil {
		return
	}
	cols := make([]listview.Column, len(msg.p.Columns))
	for i, c := range msg.p.Columns {
		cols[i] = listview.Column{Title: c, Max: 24}
	}
	cols[0].Right = true
	p.list.SetColumns(cols)
	p.list.SetRows(msg.p.Rows)
	p.list.SetEmpty("the file has a header and no records")
	bad := msg.p.Bad
	p.list.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if row < len(bad) && col < len(bad[row]) && bad[row][col] {
			return th.Bad, true
		}
		return lipgloss.Style{}, false
	})
}

func (m *Model) previewKey(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k, list := &m.keys, m.preview.list
	if list.Busy() {
		list.Update(k, msg)
		return nil
	}
	switch {
	case key.Matches(msg, k.Validate):
		return m.validate(ctx, m.preview.key)
	case key.Matches(msg, k.Run):
		return m.submit(ops.JobSpec{Title: "run " + path.Base(m.preview.key), Files: []string{m.preview.key}})
	}
	if act, cmd := list.Update(k, msg); act != listview.Pass {
		return cmd
	}
	if key.Matches(msg, k.Back) {
		m.preview = nil
		m.previewGen++
	}
	return nil
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	if m.preview != nil {
		return m.renderPreview(ctx)
	}
	info := textfmt.Counted(int64(len(m.entries)), "entry", "entries")
	if m.more {
		info += "+"
	}
	order := "sort: " + m.list.SortLabel()
	if m.more && m.list.SortLabel() != "name" {
		order += th.Warn.Render(fmt.Sprintf(" (of the first %s only)", textfmt.Count(int64(len(m.entries)))))
	}
	parts := []string{th.Title.Render(table.Truncate(m.dir, max(w/2, 10))), info, order}
	if m.oneDataset != "" { // its column gives the names the room
		parts = append(parts[:2], append([]string{"dataset " + m.oneDataset}, parts[2:]...)...)
	}
	if n := len(m.list.Selected()); n > 0 {
		parts = append(parts, th.Warn.Render(fmt.Sprintf("%d selected", n)))
	}
	switch {
	case m.loadAll && m.more:
		parts = append(parts, th.Warn.Render(fmt.Sprintf("listing the whole folder: %s so far…", textfmt.Count(int64(len(m.entries))))))
	case m.loading:
		parts = append(parts, th.Dim.Render("loading…"))
	}
	parts = append(parts, th.Dim.Render(m.list.Status()))
	top := []string{strings.Join(parts, th.Dim.Render(" · "))}
	if m.listErr != nil {
		top = append(top, th.Error.Render(table.Truncate(m.listErr.Error(), w)))
	}
	if m.ask != nil {
		m.list.SetBodyTop(len(top))
		foot := screen.Question(m.ask.question, m.ask.answers, w)
		for i, l := range foot {
			foot[i] = th.Warn.Render(l)
		}
		return screen.Compose(w, ctx.Height, top, func(h int) string { return m.list.Body(w, h, th) }, foot)
	}
	if m.inArchive() {
		return m.list.View(w, ctx.Height, th, top, "enter", "open", "v", "validate", "a", "raw zone", "s", "sort", "/", "filter")
	}
	return m.list.View(w, ctx.Height, th, top, "enter", "open", "space", "select", "v", "validate", "r", "run",
		"R", "run all new", "F", "force", "a", "archive", "s", "sort", "/", "filter")
}

func (m *Model) renderPreview(ctx *ui.Context) string {
	th, w, p := ctx.Theme, ctx.Width, m.preview
	title := th.Title.Render("preview "+table.Truncate(path.Base(p.key), max(w/2, 10))) + " "
	var top []string
	switch {
	case p.loading:
		top = []string{title + th.Dim.Render("reading…")}
	case p.err != nil:
		top = []string{title, th.Error.Render(table.Truncate(p.err.Error(), w))}
	default:
		sum := fmt.Sprintf("%s · first %d records · ", p.p.Dataset, len(p.p.Rows))
		if p.p.Problems > 0 {
			sum += th.Error.Render(fmt.Sprintf("%d break a rule", p.p.Problems))
		} else {
			sum += th.OK.Render("none break a row rule")
		}
		note := "row rules only: duplicates and references are not checked here (v validates the whole file)"
		if len(p.p.Warnings) > 0 {
			note = table.Truncate(strings.Join(p.p.Warnings, "; "), w) + " · " + note
		}
		top = []string{title + sum, th.Dim.Render(table.Truncate(note, w))}
		if lipgloss.Width(title+sum) > w { // the counts on a line of their own rather than cut
			top = []string{title, sum, top[1]}
		}
	}
	if p.loading || p.err != nil {
		return screen.Compose(w, ctx.Height, top, nil, []string{p.list.Footer(w, th, "esc", "close")})
	}
	// The body first: the columns it shows are this frame's, not the last one's.
	p.list.SetBodyTop(len(top))
	body := p.list.Body(w, max(ctx.Height-len(top)-1, 0), th)
	first, end := p.list.Table().VisibleColumns()
	cols := len(p.list.Table().Columns()) - 1 // the pinned line column aside
	return screen.Compose(w, ctx.Height, top, func(int) string { return body }, []string{p.list.Footer(w, th,
		"esc", "close", "←/→", fmt.Sprintf("columns %d-%d of %d", first, end-1, cols), "v", "validate", "r", "run", "/", "filter")})
}

// row is the table row of entry i.
func (m *Model) row(i int) []string {
	e := &m.entries[i]
	ds := e.Dataset
	if m.oneDataset != "" {
		ds = "" // the title says it once
	}
	if e.Folder {
		return []string{e.Name, ds, "", "", ""}
	}
	return []string{e.Name, ds, textfmt.Bytes(e.Size), textfmt.Time(e.Modified), m.statuses[i]}
}

// cellStyle colours folder names and the status column.
func (m *Model) cellStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.entries) || row >= len(m.statuses) {
		return lipgloss.Style{}, false
	}
	switch col {
	case 0:
		return th.Title, m.entries[row].Folder
	case 4:
		switch st := m.statuses[row]; st {
		case ops.RawIngested:
			return th.OK, true
		case ops.RawPartial, ops.RawRunning:
			return th.Warn, true
		case ops.RawFailed, ops.RawAllRejected:
			return th.Error, true
		case ops.RawNew:
			return lipgloss.Style{}, false
		default:
			return th.Dim, st != ""
		}
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
		textfmt.Count(f.RowsRead), textfmt.Count(f.Accepted), textfmt.Count(f.Rejected))
	if len(f.RejectedByReason) > 0 {
		var parts []string
		codes := ops.SortedReasons(f.RejectedByReason)
		for _, code := range codes[:min(len(codes), 4)] {
			parts = append(parts, fmt.Sprintf("%s %s", code, textfmt.Count(f.RejectedByReason[code])))
		}
		text += " (" + strings.Join(parts, ", ") + ")"
		for _, code := range codes {
			if kind, col, _ := strings.Cut(code, ":"); kind == "reference" {
				table := map[string]string{"order_id": "orders", "product_id": "products"}[col]
				text += fmt.Sprintf("; references are checked against the tables as loaded now: load %s first, or run the files together", table)
				break
			}
		}
	}
	return text, false
}

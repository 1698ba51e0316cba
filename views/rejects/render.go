package rejectsview

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/views/internal/rowcheck"
	"github.com/lakeops/lakeops/views/internal/screen"
)

// detailPane shows one rejected row: raw record, reasons, parsed fields.
type detailPane struct {
	row    rejects.Row
	err    error
	fields *table.Model
}

func typeName(t dataset.Type) string {
	switch t {
	case dataset.Long:
		return "long"
	case dataset.Int:
		return "int"
	case dataset.String:
		return "string"
	case dataset.Timestamp:
		return "timestamp"
	case dataset.Decimal:
		return "decimal(12,2)"
	case dataset.Date:
		return "date"
	case dataset.Bool:
		return "boolean"
	}
	return "?"
}

// newDetail re-reads the row's raw record with its file's header and
// checks each field against the row rules again.
func newDetail(dsName string, r rejects.Row) *detailPane {
	d := &detailPane{row: r, fields: table.New(
		table.Column{Title: "column", Max: 24},
		table.Column{Title: "type", Max: 13},
		table.Column{Title: "raw cell", Max: 40},
		table.Column{Title: "check"},
	)}
	ds, err := dataset.ByName(dsName)
	if err != nil {
		d.err = err
		return d
	}
	chk, err := rowcheck.Recheck(ds, r.Header, r.RawBytes())
	if err != nil {
		d.err = err
		return d
	}
	blame := rowcheck.ColumnReasons(ds, chk.Reasons)
	for _, code := range r.Reasons { // references are only known from the run
		if kind, col, _ := strings.Cut(code, ":"); kind == "reference" {
			if i := ds.Index(col); i >= 0 && !slices.Contains(blame[i], code) {
				blame[i] = append(blame[i], code+" (from the run)")
			}
		}
	}
	rows := make([][]string, len(ds.Columns))
	bad := make([]bool, len(ds.Columns))
	for i, c := range ds.Columns {
		verdict := "ok"
		switch {
		case len(blame[i]) > 0:
			verdict = strings.Join(blame[i], " ")
		case chk.Bad[i]:
			verdict = "not valid UTF-8 (encoding)"
		case chk.Cells[i] == "" && c.Optional:
			verdict = "ok (optional, null)"
		}
		bad[i] = verdict != "ok" && !strings.HasPrefix(verdict, "ok ")
		typ := typeName(c.Type)
		if c.Optional {
			typ += "?"
		}
		rows[i] = []string{c.Name, typ, chk.Cells[i], verdict}
	}
	d.fields.SetRows(rows)
	d.fields.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if row >= len(bad) {
			return lipgloss.Style{}, false
		}
		switch {
		case col == 2 && bad[row]:
			return th.Bad, true
		case col == 3 && bad[row]:
			return th.Error, true
		case col == 3:
			return th.OK, true
		}
		return lipgloss.Style{}, false
	})
	return d
}

func (m *Model) detailKey(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.detail = nil
	case key.Matches(msg, k.Copy):
		return m.copyRaw()
	case key.Matches(msg, k.Reprocess):
		return m.reprocess(ctx)
	case key.Matches(msg, k.Up), key.Matches(msg, k.Down):
		m.table.Update(k, msg) // the previous or next rejected row
		if r := m.current(); r != nil {
			m.detail = newDetail(m.dataset(), *r)
		}
	default:
		m.detail.fields.Update(k, msg)
	}
	return nil
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	if m.detail != nil {
		return m.renderDetail(ctx)
	}
	var tabs []string
	for i, d := range m.datasets {
		if i == m.ds {
			tabs = append(tabs, th.Title.Render("["+d+"]"))
		} else {
			tabs = append(tabs, th.Tab.Render(d))
		}
	}
	head := strings.Join(tabs, " ") + th.Dim.Render(fmt.Sprintf(" · %d rows · %s", len(m.rows), m.table.Status()))
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
	if len(filters) > 0 {
		top = append(top, strings.Join(filters, " · ")+th.Dim.Render(" · esc clears"))
	}
	body := func(h int) string { return m.table.Render(w, h, th) }
	if m.picker != nil {
		body = func(h int) string {
			return th.Title.Render("pick a file") + th.Dim.Render(" · enter choose · esc cancel") + "\n" +
				m.picker.Render(w, h-1, th)
		}
	}
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(th, w)})
}

func (m *Model) footer(th *ui.Theme, w int) string {
	switch {
	case m.prompt:
		return th.Warn.Render(fmt.Sprintf("export %d rows as (c)sv or (j)son? any other key cancels", m.table.Len()))
	case m.filter.Focused():
		return m.filter.View(w, th)
	case m.loadErr != nil:
		return th.Error.Render(table.Truncate(m.loadErr.Error(), w))
	case m.note != "":
		style := th.OK
		if m.noteErr {
			style = th.Error
		}
		return m.withFilter(style.Render(table.Truncate(m.note, w)), th, w)
	}
	return m.withFilter(th.Dim.Render(screen.Hints("d", "dataset", "f", "file", "c", "reason", "/", "text",
		"enter", "detail", "p", "reprocess", "e", "export", "y", "copy")), th, w)
}

func (m *Model) withFilter(line string, th *ui.Theme, w int) string {
	if f := m.filter.View(w/3, th); f != "" {
		return f + "  " + line
	}
	return line
}

func (m *Model) renderDetail(ctx *ui.Context) string {
	th, w, d := ctx.Theme, ctx.Width, m.detail
	r := d.row
	top := []string{
		th.Title.Render(fmt.Sprintf("line %d", r.Line)) + " of " + table.Truncate(m.short(r.File), max(w/2, 10)) +
			th.Dim.Render(" · "+ui.Sanitize(r.Status+" · run "+r.RunID)+" · "+screen.Time(r.RejectedAt)),
		th.Error.Render("reasons: ") + table.Truncate(strings.Join(r.Reasons, ", "), w),
		th.Header.Render("raw record") + th.Dim.Render(" (control characters and invalid bytes shown escaped)"),
	}
	raw := strings.Split(ansi.Hardwrap(ui.Sanitize(r.Raw), max(w, 1), true), "\n")
	limit := max((ctx.Height-8)/3, 1)
	if len(raw) > limit {
		raw = append(raw[:limit-1], th.Dim.Render(fmt.Sprintf("… %d more lines (y copies the whole record)", len(raw)-limit+1)))
	}
	top = append(top, raw...)
	top = append(top, th.Header.Render("fields")+th.Dim.Render(" re-read with the file's header and checked again"))
	body := func(h int) string {
		if d.err != nil {
			return th.Error.Render(table.Truncate(d.err.Error(), w))
		}
		return d.fields.Render(w, h, th)
	}
	foot := th.Dim.Render(screen.Hints("esc", "back", "↑/↓", "previous/next row", "y", "copy raw", "p", "reprocess file"))
	if m.note != "" {
		style := th.OK
		if m.noteErr {
			style = th.Error
		}
		foot = style.Render(table.Truncate(m.note, w))
	}
	return screen.Compose(w, ctx.Height, top, body, []string{foot})
}

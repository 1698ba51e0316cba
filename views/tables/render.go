package tablesview

import (
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/views/internal/screen"
)

// fill rebuilds the list's rows from the entries.
func (m *Model) fill() {
	rows := make([][]string, len(m.entries))
	for i, e := range m.entries {
		version, files, nrows, size, last := fmt.Sprint(e.info.Version), "…", "…", "…", "…"
		parts := strings.Join(e.info.Partitions, ",")
		switch s := e.stats; {
		case e.table == nil:
			files, nrows, size, last = "-", "-", "-", "not in this lake"
		case s == nil:
		case s.err != nil && s.files == 0:
			files, nrows, size, last = "?", "?", "?", "error: "+s.err.Error()
		default:
			version = fmt.Sprint(s.version)
			if s.version != e.info.Version && e.info.Version > 0 {
				version += fmt.Sprintf(" (sql %d)", e.info.Version)
			}
			files, size = screen.Count(int64(s.files)), screen.Bytes(s.size)
			nrows = "?"
			if s.rowsKnown {
				nrows = screen.Count(s.rows)
			}
			if parts == "" {
				parts = strings.Join(s.partitions, ",")
			}
			last = strings.TrimSpace(timeText(s.last) + " " + s.lastOp)
		}
		if parts == "" {
			parts = "-"
		}
		rows[i] = []string{e.info.Name, version, files, nrows, size, parts, last}
	}
	m.list.SetRows(rows)
}

// timeText renders a commit time in local time; "" when unknown.
func timeText(t time.Time) string { return screen.Time(t) }

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	if m.detail != nil {
		return m.renderDetail(ctx)
	}
	th, w := ctx.Theme, ctx.Width
	head := th.Title.Render("Tables") + th.Dim.Render(fmt.Sprintf(" · %d tables", len(m.entries)))
	if m.source != "" {
		head += th.Dim.Render(" · from the " + ui.Sanitize(m.source))
	}
	if m.loading {
		head += th.Dim.Render(" · loading…")
	}
	top := []string{head}
	if m.err != nil {
		top = append(top, th.Error.Render(table.Truncate(m.err.Error(), w)))
	}
	body := func(h int) string { return m.list.Render(w, h, th) }
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(ctx,
		"enter", "schema & history", "s", "SELECT in Query", "r", "refresh", "y", "copy location")})
}

func (m *Model) footer(ctx *ui.Context, hints ...string) string {
	th, w := ctx.Theme, ctx.Width
	if m.note != "" {
		style := th.OK
		if m.noteErr {
			style = th.Error
		}
		return style.Render(table.Truncate(m.note, w))
	}
	return th.Dim.Render(screen.Hints(hints...))
}

func (m *Model) renderDetail(ctx *ui.Context) string {
	th, w, d := ctx.Theme, ctx.Width, m.detail
	if d.open != nil {
		return m.renderEntry(ctx)
	}
	loc := d.entry.info.Location
	if loc == "" {
		loc = "(location unknown)"
	}
	head := th.Title.Render(table.Truncate(d.name, max(w/3, 8))) + th.Dim.Render(fmt.Sprintf(" · version %d · ", d.version)) +
		th.Dim.Render(table.Truncate(loc, max(w/2, 8)))
	parts := "none"
	if len(d.parts) > 0 {
		parts = strings.Join(d.parts, ", ")
	}
	top := []string{head, "partitions: " + table.Truncate(parts, max(w-12, 1))}
	switch {
	case d.loading:
		top = append(top, th.Dim.Render("loading the schema and history…"))
	case d.err != nil:
		top = append(top, th.Error.Render(table.Truncate(d.err.Error(), w)))
	}
	title := func(pane int, text string) string {
		if d.focus == pane {
			return th.Title.Render("▸ " + text)
		}
		return th.Dim.Render("  " + text)
	}
	body := func(h int) string {
		sh := min(d.schema.Len()+1, max((h-2)/2, 2))
		if d.schema.Len() == 0 {
			sh = 2
		}
		hh := h - 2 - sh
		lines := []string{title(0, fmt.Sprintf("schema · %d columns", d.schema.Len())), d.schema.Render(w, sh, th)}
		htitle := fmt.Sprintf("history · newest first, up to %d versions", historyLimit)
		if d.histErr != nil {
			htitle = "history · " + d.histErr.Error()
		}
		lines = append(lines, title(1, table.Truncate(htitle, max(w-2, 1))))
		if hh > 0 {
			lines = append(lines, d.history.Render(w, hh, th))
		}
		return strings.Join(lines, "\n")
	}
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(ctx,
		"esc", "back", "c", "schema/history", "↑/↓", "scroll", "←/→", "columns", "s", "SELECT in Query", "y", "copy location")})
}

// renderEntry shows one version of the history in full: parameters and metrics.
func (m *Model) renderEntry(ctx *ui.Context) string {
	th, w, d := ctx.Theme, ctx.Width, m.detail
	h := d.open
	top := []string{th.Title.Render(fmt.Sprintf("%s · version %d", table.Truncate(d.name, max(w/2, 8)), h.Version)) +
		th.Dim.Render(" · "+timeText(h.Timestamp)+" · ") + table.Truncate(h.Operation, max(w/3, 8))}
	var lines []string
	if h.Engine != "" {
		lines = append(lines, th.Dim.Render("engine: ")+table.Truncate(h.Engine, max(w-8, 1)))
	}
	if h.ReadVersion != nil {
		lines = append(lines, th.Dim.Render(fmt.Sprintf("read version: %d", *h.ReadVersion)))
	}
	section := func(title string, kv map[string]string) {
		lines = append(lines, th.Header.Render(title))
		if len(kv) == 0 {
			lines = append(lines, th.Dim.Render("  none"))
		}
		for _, pair := range strings.Split(metricsText(kv), " ") {
			if pair != "" {
				lines = append(lines, "  "+table.Truncate(pair, max(w-2, 1)))
			}
		}
	}
	params := map[string]string{}
	for k, v := range h.Parameters {
		params[k] = strings.ReplaceAll(fmt.Sprint(v), " ", " ")
	}
	section("parameters", params)
	section("metrics", h.Metrics)
	body := func(bh int) string {
		d.off = max(0, min(d.off, len(lines)-bh))
		return strings.Join(lines[d.off:min(d.off+bh, len(lines))], "\n")
	}
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(ctx, "esc", "back", "↑/↓", "scroll")})
}

package tables

import (
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// fill rebuilds the list's rows from the entries.
func (m *Model) fill() {
	rows := make([][]string, len(m.entries))
	for i, e := range m.entries {
		version, files, nrows, size, last := fmt.Sprint(e.info.Version), "…", "…", "…", "…"
		parts := strings.Join(e.info.Partitions, ",")
		switch s := e.sum; {
		case !e.loaded:
		case s == nil:
			files, nrows, size, last = "-", "-", "-", "not in this lake"
		case s.Err != nil && s.Files == 0:
			files, nrows, size, last = "?", "?", "?", "error: "+s.Err.Error()
		default:
			version = fmt.Sprint(s.Version)
			if s.Version != e.info.Version && e.info.Version > 0 {
				version += fmt.Sprintf(" (sql %d)", e.info.Version)
			}
			files, size = textfmt.Count(int64(s.Files)), textfmt.Bytes(s.SizeBytes)
			nrows = "?"
			if s.RowsKnown {
				nrows = textfmt.Count(s.Rows)
			}
			if parts == "" {
				parts = strings.Join(s.Partitions, ",")
			}
			last = strings.TrimSpace(timeText(s.LastCommit) + " " + s.LastOp)
		}
		if parts == "" {
			parts = "-"
		}
		rows[i] = []string{e.info.Name, version, files, nrows, size, parts, last}
	}
	m.list.SetRows(rows)
}

// timeText renders a commit time in local time; "" when unknown.
func timeText(t time.Time) string { return textfmt.Time(t) }

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	if m.detail != nil {
		return m.renderDetail(ctx)
	}
	th, w := ctx.Theme, ctx.Width
	head := th.Title.Render("Tables") + th.Dim.Render(" · "+textfmt.Counted(int64(len(m.entries)), "table", "tables"))
	if m.source != "" {
		head += th.Dim.Render(" · from the " + textfmt.Sanitize(m.source))
	}
	if m.loading {
		head += th.Dim.Render(" · loading…")
	}
	top := []string{head}
	if m.err != nil {
		top = append(top, th.Error.Render(table.Truncate(m.err.Error(), w)))
	}
	if m.asking != nil {
		return screen.Compose(w, ctx.Height, top, func(h int) string { return m.list.Body(w, h, th) }, m.askLines(th, w))
	}
	return m.list.View(w, ctx.Height, th, top,
		"enter", "schema & history", "s", "SELECT in Query", "V/O/L", "maintain", "ctrl+r", "refresh", "y", "copy location", "/", "filter")
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
	version, parts := d.entry.info.Version, d.entry.info.Partitions
	if d.d != nil {
		version, parts = d.d.Version, d.d.Partitions
	}
	head := th.Title.Render(table.Truncate(d.name, max(w/3, 8))) + th.Dim.Render(fmt.Sprintf(" · version %d · ", version)) +
		th.Dim.Render(table.Truncate(loc, max(w/2, 8)))
	partText := "none"
	if len(parts) > 0 {
		partText = strings.Join(parts, ", ")
	}
	top := []string{head, "partitions: " + table.Truncate(partText, max(w-12, 1))}
	if d.d != nil && d.d.Features != nil {
		top = append(top, table.Truncate("protocol: "+protocolText(*d.d.Features), w))
	}
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
		// Each pane gets what it needs when both fit; else the history
		// keeps a third (at least three lines) and the schema the rest.
		lower := d.history // the history, or the partitions when they have the keys
		if d.focus == 2 {
			lower = d.parts
		}
		avail, needS, needH := max(h-2, 0), max(d.schema.Len()+1, 2), max(lower.Len()+1, 2)
		sh := needS
		if needS+needH > avail {
			sh = max(avail-min(needH, max(avail/3, 3)), min(2, avail))
		}
		sh = min(sh, avail)
		hh := avail - sh
		lines := []string{title(0, fmt.Sprintf("schema · %d columns", d.schema.Len())), d.schema.Body(w, sh, th)}
		htitle := fmt.Sprintf("history · newest first, up to %d versions", ops.HistoryLimit)
		if d.d != nil && d.d.HistErr != nil {
			htitle = "history · " + d.d.HistErr.Error()
		}
		pane := 1
		if d.focus == 2 {
			pane, htitle = 2, "partitions · "+textfmt.Counted(int64(d.parts.Len()), "partition", "partitions")+" with their files, rows and size"
		}
		lines = append(lines, title(pane, table.Truncate(htitle, max(w-2, 1))))
		if hh > 0 {
			lines = append(lines, lower.Body(w, hh, th))
		}
		return strings.Join(lines, "\n")
	}
	foot := m.focused().Footer(w, th,
		"esc", "back", "c", "schema/history/partitions", "↑/↓", "scroll", "←/→", "columns", "s", "SELECT in Query", "V/O/L", "maintain",
		"y", "copy location", "/", "filter")
	if m.asking != nil {
		return screen.Compose(w, ctx.Height, top, body, m.askLines(th, w))
	}
	return screen.Compose(w, ctx.Height, top, body, []string{foot})
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
	section := func(title string, pairs []string) {
		lines = append(lines, th.Header.Render(title))
		if len(pairs) == 0 {
			lines = append(lines, th.Dim.Render("  none"))
		}
		for _, pair := range pairs {
			lines = append(lines, "  "+table.Truncate(pair, max(w-2, 1)))
		}
	}
	section("parameters", ops.Pairs(h.Parameters))
	section("metrics", ops.Pairs(h.Metrics))
	body := func(bh int) string {
		d.off = max(0, min(d.off, len(lines)-bh))
		return strings.Join(lines[d.off:min(d.off+bh, len(lines))], "\n")
	}
	return screen.Compose(w, ctx.Height, top, body, []string{th.Dim.Render(screen.Hints("esc", "back", "↑/↓", "scroll"))})
}

// protocolText says which protocol features a table uses: "reader 3 /
// writer 7 · reader features columnMapping, deletionVectors · column
// mapping name · deletion vectors on 2 files (5 rows deleted)".
func protocolText(f ops.TableFeatures) string {
	parts := []string{fmt.Sprintf("reader %d / writer %d", f.MinReaderVersion, f.MinWriterVersion)}
	if len(f.ReaderFeatures) > 0 {
		parts = append(parts, "reader features "+textfmt.Sanitize(strings.Join(f.ReaderFeatures, ", ")))
	}
	if len(f.WriterFeatures) > 0 {
		parts = append(parts, "writer features "+textfmt.Sanitize(strings.Join(f.WriterFeatures, ", ")))
	}
	if f.ColumnMapping != "" {
		parts = append(parts, "column mapping "+textfmt.Sanitize(f.ColumnMapping))
	}
	if f.DeletionVectors > 0 {
		parts = append(parts, "deletion vectors on "+textfmt.Counted(int64(f.DeletionVectors), "file", "files")+
			" ("+textfmt.Counted(f.DeletedRows, "row", "rows")+" deleted)")
	}
	if len(f.Domains) > 0 {
		parts = append(parts, "domains "+textfmt.Sanitize(strings.Join(f.Domains, ", ")))
	}
	return strings.Join(parts, " · ")
}

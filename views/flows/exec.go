package flows

import (
	"charm.land/lipgloss/v2"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// wideAt is the width from which the graph and the panes sit side by side.
const wideAt = 100

// renderExec draws one execution: a header, then the graph beside (or
// above) the events and the selected state's input and output.
func (m *Model) renderExec(w, h int, th *ui.Theme) string {
	e := m.exec
	rest := ""
	if e.Status != "" {
		st, _ := statusStyle(th, e.Status)
		rest += " · " + st.Render(textfmt.Sanitize(e.Status))
	}
	if !e.Start.IsZero() { // how long before when: a narrow screen cuts the end
		if d := duration(e, m.now()); d != "" {
			rest += th.Dim.Render(" · " + d)
		}
		rest += th.Dim.Render(" · started " + timeText(e.Start))
	}
	rest += th.Dim.Render(" · " + table.Truncate(machineLabel(m.machine), max(w/4, 8)))
	// The name gets what the rest of the line leaves (a third at least).
	head := th.Title.Render("execution ") + table.Truncate(execLabel(e), max(w-10-lipgloss.Width(rest), w/3, 10)) + rest
	top := []string{head}
	if e.Error != "" || e.Cause != "" {
		top = append(top, th.Error.Render(table.Truncate(strings.TrimSpace(e.Error+" "+firstLine(e.Cause)), w)))
	}
	if m.execErr != nil {
		top = append(top, th.Error.Render(table.Truncate(m.execErr.Error(), w)))
	}
	// The actions first: a narrow screen cuts the navigation keys (? has them).
	hints := append([]string{"esc", "back"}, m.actionHints(e)...)
	hints = append(hints, "s", "start", "y", "copy", "/", "filter events",
		"←→/f", "focus", "↑↓", "state", "pgup/pgdn", "detail")
	return screen.Compose(w, h, top, func(bh int) string { return m.execBody(w, bh, th) },
		[]string{m.footer(th, w, hints)})
}

func (m *Model) execBody(w, h int, th *ui.Theme) string {
	if w >= wideAt {
		lw := w / 2
		if m.graph != nil {
			lw = min(lw, max(m.graph.width+2, w*2/5))
		}
		rw := w - lw - 1
		eh := max(min(h*2/5, len(m.events)+2), min(4, h))
		left := m.graphPane(lw, h, th)
		right := append(m.eventsPane(rw, eh, th), m.detailPane(rw, h-eh, th)...)
		sep := th.Border.Render("│")
		lines := make([]string, h)
		for i := range lines {
			lines[i] = pad(left[i], lw) + sep + table.Clip(right[i], rw)
		}
		return strings.Join(lines, "\n")
	}
	gh := (h + 1) / 2
	lines := m.graphPane(w, gh, th)
	if m.focusEvents {
		lines = append(lines, m.eventsPane(w, h-gh, th)...)
	} else {
		lines = append(lines, m.detailPane(w, h-gh, th)...)
	}
	return strings.Join(lines, "\n")
}

// paneTitle styles a pane's title by focus (marked, so it shows without
// colours too).
func paneTitle(th *ui.Theme, text string, focused bool) string {
	if focused {
		return th.Title.Render("▸ " + text)
	}
	return th.Header.Render(text)
}

// fill returns exactly h lines: lines, cut or padded with empty ones.
func fill(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

// graphPane draws the state graph in h lines, scrolled to keep the
// selected state in view.
func (m *Model) graphPane(w, h int, th *ui.Theme) []string {
	if h <= 0 {
		return nil
	}
	g := m.graph
	n := 0
	if g != nil {
		n = len(g.states)
	}
	lines := graphHead(paneTitle(th, "graph", !m.focusEvents), n, w, th)
	switch {
	case g == nil && m.graphErr != nil:
		for _, l := range wrap(m.graphErr.Error(), w) {
			lines = append(lines, th.Error.Render(l))
		}
		return fill(lines, h)
	case g == nil:
		return fill(append(lines, th.Dim.Render("loading the definition…")), h)
	}
	body := h - len(lines)
	m.clampSel()
	if n > 0 && body > 0 {
		at, margin := g.states[m.sel], min(3, (body-1)/4) // keep some context around the selection
		if at-margin < m.gOff {
			m.gOff = at - margin
		}
		if at+margin >= m.gOff+body {
			m.gOff = at + margin - body + 1
		}
	}
	m.gOff = max(0, min(m.gOff, len(g.lines)-body))
	for i := m.gOff; i < len(g.lines) && len(lines) < h; i++ {
		lines = append(lines, m.graphLine(i, w, th))
	}
	return fill(lines, h)
}

// graphHead is the graph pane's title with its state count and the
// legend of every mark, on one line when it fits, else with the legend
// on the lines below (so no mark goes unexplained at any width).
func graphHead(title string, states, w int, th *ui.Theme) []string {
	count, key := fmt.Sprintf(" · %d states", states), strings.Join(legendParts(), " ")
	tw := lipgloss.Width(title)
	switch {
	case tw+lipgloss.Width(count)+3+lipgloss.Width(key) <= w:
		return []string{title + th.Dim.Render(count+" · "+key)}
	case tw+3+lipgloss.Width(key) <= w:
		return []string{title + th.Dim.Render(" · "+key)}
	}
	lines := []string{title + th.Dim.Render(count)}
	for _, l := range packLines(legendParts(), " ", w) { // a mark and its name stay together
		lines = append(lines, th.Dim.Render(l))
	}
	return lines
}

// graphLine draws line i of the graph.
func (m *Model) graphLine(i, w int, th *ui.Theme) string {
	l := m.graph.lines[i]
	prefix := th.Dim.Render(textfmt.Sanitize(l.prefix))
	switch l.kind {
	case lineArrow:
		return prefix + th.Dim.Render("↓")
	case lineEdge:
		return table.Clip(prefix+th.Dim.Render("  ↳ "+textfmt.Sanitize(l.info)), w)
	case lineBranch:
		return table.Clip(prefix+th.Header.Render(textfmt.Sanitize(l.info)), w)
	}
	status := notReached
	r := m.runs[l.state]
	if r != nil {
		status = r.status
	}
	markSt, nameSt := statusLook(th, status)
	box := "[ " + textfmt.Sanitize(l.state) + " ]"
	rest := " " + textfmt.Sanitize(l.typ)
	if l.info != "" {
		rest += " " + textfmt.Sanitize(l.info)
	}
	if l.end {
		rest += " · end"
	}
	if r != nil && r.entries > 1 {
		rest += fmt.Sprintf(" ×%d", r.entries)
	}
	if mr := mapRunOf(m.exec.MapRuns, l.state); mr != nil {
		rest += " · " + mapRunProgress(*mr)
	}
	head := prefix + markSt.Render(status.mark()) + " "
	if m.graph.states[m.sel] == i {
		return pad(head+th.Selected.Render(box+rest), w)
	}
	return table.Clip(head+nameSt.Render(box)+th.Dim.Render(rest), w)
}

// eventsPane draws the history events in h lines.
func (m *Model) eventsPane(w, h int, th *ui.Theme) []string {
	if h <= 0 {
		return nil
	}
	lines := []string{paneTitle(th, "events", m.focusEvents) + th.Dim.Render(fmt.Sprintf(" · %d", len(m.events)))}
	if m.execBusy && m.events == nil {
		return fill(append(lines, th.Dim.Render("loading…")), h)
	}
	if h > 1 {
		lines = append(lines, strings.Split(m.evTable.Body(w, h-1, th), "\n")...)
	}
	return fill(lines, h)
}

// detailPane draws the selected state's status, error, input and output in
// h lines, scrolled by pgup/pgdn.
func (m *Model) detailPane(w, h int, th *ui.Theme) []string {
	if h <= 0 {
		return nil
	}
	name := m.selName()
	title := paneTitle(th, "state", false)
	if name != "" {
		title += " " + table.Truncate(name, max(w-7, 1))
	}
	key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%p\x00%t", m.execID, name, w, m.runsVer, th, m.execBusy)
	if m.dCache.key != key {
		m.dCache.key, m.dCache.lines = key, m.detailLines(name, w, th)
	}
	body := m.dCache.lines
	m.dH = h - 1
	m.dOff = max(0, min(m.dOff, len(body)-m.dH))
	if m.dOff > 0 || len(body) > m.dH {
		title += th.Dim.Render(fmt.Sprintf(" · %d–%d of %d", m.dOff+1, min(m.dOff+m.dH, len(body)), len(body)))
	}
	lines := append([]string{title}, body[m.dOff:]...)
	return fill(lines, h)
}

// detailLines are the selected state's lines: status, error and cause,
// then its input and output as indented JSON, wrapped to w.
func (m *Model) detailLines(name string, w int, th *ui.Theme) []string {
	if name == "" {
		return []string{th.Dim.Render("select a state in the graph (↑/↓)")}
	}
	typ := m.graph.lines[m.graph.states[m.sel]].typ
	r := m.runs[name]
	status := notReached
	if r != nil {
		status = r.status
	}
	markSt, _ := statusLook(th, status)
	first := th.Dim.Render(textfmt.Sanitize(typ)+" · ") + markSt.Render(status.mark()+" "+status.String())
	if r == nil {
		msg := "not reached in this execution"
		if m.execBusy && m.events == nil {
			msg = "loading…"
		}
		return []string{first, th.Dim.Render(msg)}
	}
	if !r.entered.IsZero() {
		first += th.Dim.Render(" · entered " + clock(r.entered))
		if !r.exited.IsZero() {
			first += th.Dim.Render(" · took " + textfmt.Duration(r.exited.Sub(r.entered)))
		}
	}
	if r.entries > 1 {
		first += th.Dim.Render(fmt.Sprintf(" · entered %d times (the last shown)", r.entries))
	}
	lines := []string{table.Clip(first, w)}
	if r.err != "" || r.cause != "" {
		lines = append(lines, th.Error.Render("error ")+table.Truncate(r.err, max(w-6, 1)))
		for _, l := range wrap(prettyJSON(r.cause), w) {
			lines = append(lines, th.Error.Render(l))
		}
	}
	section := func(title, text, none string) {
		lines = append(lines, th.Header.Render(title))
		if text == "" {
			lines = append(lines, th.Dim.Render("  "+none))
			return
		}
		lines = append(lines, wrap(prettyJSON(text), w)...)
	}
	if mr := mapRunOf(m.exec.MapRuns, name); mr != nil {
		lines = append(lines, mapRunLines(*mr, w, th)...)
	}
	section("input", r.input, "(none)")
	if status == running {
		section("output", "", "(the state is running)")
	} else {
		section("output", r.output, "(none)")
	}
	return lines
}

// wrap sanitizes text and breaks it into lines of at most w cells, each
// indented by two spaces.
func wrap(text string, w int) []string {
	if text == "" {
		return nil
	}
	var out []string
	for _, l := range table.Wrap(text, max(w-2, 1)) {
		out = append(out, "  "+l)
	}
	return out
}

// firstLine is the first line of s.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// mapRunProgress is a Map Run in a few words: "12/40 items done".
func mapRunProgress(r MapRun) string {
	done := r.Succeeded + r.Failed // aborted items were not done
	s := textfmt.Count(done) + "/" + textfmt.Counted(r.Total, "item", "items") + " done"
	if r.Failed > 0 {
		s += fmt.Sprintf(", %s failed", textfmt.Count(r.Failed))
	}
	if r.Aborted > 0 {
		s += fmt.Sprintf(", %s aborted", textfmt.Count(r.Aborted))
	}
	return s
}

// mapRunLines describe the Map Run of the selected state: its status,
// concurrency, child executions (when they are batches of items), items
// by status and first failure.
func mapRunLines(r MapRun, w int, th *ui.Theme) []string {
	status := strings.ToLower(textfmt.Sanitize(r.Status))
	if status == "" {
		status = "running"
	}
	head := th.Header.Render("map run") + th.Dim.Render(" · "+status)
	if r.MaxConcurrency > 0 {
		head += th.Dim.Render(" · up to " + textfmt.Counted(int64(r.MaxConcurrency), "child execution", "child executions") + " at once")
	}
	lines := []string{table.Clip(head, w)}
	if c := r.Executions; c.Total > 0 && c.Total != r.Total {
		lines = append(lines, countsLines("child executions "+textfmt.Count(c.Total),
			c.Succeeded, c.Running, c.Pending, c.Failed, c.Aborted, w)...)
	}
	lines = append(lines, countsLines("items "+textfmt.Count(r.Total), r.Succeeded, r.Running, r.Pending, r.Failed, r.Aborted, w)...)
	if r.Error != "" {
		for _, l := range wrap("first failure: "+r.Error, w) {
			lines = append(lines, th.Error.Render(l))
		}
	}
	return lines
}

// countsLines are "  what: ✓ 1 succeeded · ▶ 2 running · 3 pending · ✗ 0
// failed" (and the aborted, when there are), broken between counts to fit
// w cells.
func countsLines(what string, succeeded, running, pending, failed, aborted int64, w int) []string {
	parts := []string{what + ": ✓ " + textfmt.Count(succeeded) + " succeeded", "▶ " + textfmt.Count(running) + " running",
		textfmt.Count(pending) + " pending", "✗ " + textfmt.Count(failed) + " failed"}
	if aborted > 0 {
		parts = append(parts, "■ "+textfmt.Count(aborted)+" aborted")
	}
	lines := packLines(parts, " · ", w-2)
	for i := range lines {
		lines[i] = "  " + lines[i]
	}
	return lines
}

// packLines joins parts with sep into lines of at most w cells, breaking
// only between parts.
func packLines(parts []string, sep string, w int) []string {
	var lines []string
	line := ""
	for _, p := range parts {
		if line != "" && lipgloss.Width(line+sep+p) > w {
			lines, line = append(lines, line), ""
		}
		if line != "" {
			line += sep
		}
		line += p
	}
	return append(lines, line)
}

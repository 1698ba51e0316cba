package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// View draws the frame: exactly height lines, none wider than width —
// tabs, the view (or help), the notification line when present, and the
// status bar (or the command line or the quit question).
func (a *App) View() tea.View {
	v := tea.NewView(a.frame())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeNone
	if a.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "lakeops"
	if a.mode == modeCommand && a.height > 0 {
		if c := a.cmdline.Cursor(); c != nil {
			c.Y = a.height - 1
			c.X = min(c.X, max(a.width-1, 0))
			v.Cursor = c
		}
	}
	return v
}

func (a *App) frame() string {
	w, h := a.width, a.height
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := make([]string, 0, h)
	lines = append(lines, a.tabs(w))
	var body []string
	areaH := a.areaHeight()
	if a.mode == modeHelp || !a.hasViews() {
		body = a.help(w, areaH)
	} else {
		i := a.cur
		body = strings.Split(a.views[i].Render(a.ctxs[i]), "\n")
	}
	for i := range areaH {
		line := ""
		if i < len(body) {
			line = body[i]
		}
		lines = append(lines, fit(line, w))
	}
	if a.note != "" {
		st := a.theme.OK
		if a.noteErr {
			st = a.theme.Error
		}
		for _, l := range a.noteLines(w) {
			lines = append(lines, st.Render(fit(l, w)))
		}
	}
	lines = append(lines, a.bottom(w))
	if len(lines) > h { // too short for everything: keep the top and the bottom line
		lines = append(lines[:h-1], lines[len(lines)-1])
	}
	return strings.Join(lines, "\n")
}

// areaHeight is the height of the view area for the current size.
func (a *App) areaHeight() int {
	return max(a.height-2-len(a.noteLines(a.width)), 0)
}

// maxNoteLines is how many lines a long note may wrap to.
const maxNoteLines = 3

// noteLines is the note wrapped to the width (a long one is read whole,
// up to maxNoteLines lines, the last one cut).
func (a *App) noteLines(w int) []string {
	if a.note == "" {
		return nil
	}
	if w < 20 || lipgloss.Width(a.note)+1 <= w {
		return []string{" " + a.note}
	}
	lines := strings.Split(lipgloss.NewStyle().Width(w-1).Render(a.note), "\n")
	if len(lines) > maxNoteLines {
		lines = lines[:maxNoteLines]
		lines[maxNoteLines-1] = strings.TrimRight(lines[maxNoteLines-1], " ") + "…"
	}
	for i := range lines {
		lines[i] = " " + strings.TrimRight(lines[i], " ")
	}
	return lines
}

// tabs draws the header: one tab per view, the current one highlighted.
// tabLabel is view i's tab as drawn (a click finds its tab by these widths).
func (a *App) tabLabel(i int) string {
	label := textfmt.Sanitize(a.views[i].Title())
	if i < len(a.keys.Views) && a.keys.Views[i].Enabled() {
		label = textfmt.Sanitize(a.keys.Views[i].Help().Key) + " " + label
	}
	return " " + label + " "
}

func (a *App) tabs(w int) string {
	var b strings.Builder
	for i := range a.views {
		label := a.tabLabel(i)
		if i == a.cur && a.mode != modeHelp {
			b.WriteString(a.theme.Title.Reverse(true).Render(label))
		} else {
			b.WriteString(a.theme.Tab.Render(label))
		}
	}
	if a.mode == modeHelp {
		b.WriteString(a.theme.Title.Reverse(true).Render(" ? help "))
	}
	return fit(b.String(), w)
}

// bottom draws the last line: the quit question, the command line, or the
// status bar.
func (a *App) bottom(w int) string {
	switch a.mode {
	case modeConfirm:
		them := "them"
		if a.confirmN == 1 {
			them = "it"
		}
		verb := "quit"
		if a.switching != nil {
			verb = "switch " + a.switching.Setting + " to " + textfmt.Sanitize(a.switching.Value)
		}
		q := fmt.Sprintf(" %s — %s and cancel %s? (y/n)", jobsRunning(a.confirmN), verb, them)
		return a.theme.Warn.Bold(true).Render(fit(q, w))
	case modeCommand:
		// the input pads itself to its width: cut the padding, no "…"
		return ansi.Truncate(a.cmdline.View(), w, "")
	}
	return a.status(w)
}

// jobsRunning says how many jobs are active (queued or running).
func jobsRunning(n int) string {
	if n == 0 {
		return "no jobs running"
	}
	return textfmt.Counted(int64(n), "job", "jobs") + " running"
}

// status draws the status bar: lake, the status segments, jobs, and a
// key hint when there is room.
func (a *App) status(w int) string {
	segs := make([]string, 0, 4)
	if a.label != "" {
		segs = append(segs, fit(textfmt.Sanitize(a.label), max(16, w/3)))
	}
	for _, s := range a.segments {
		if s != "" {
			segs = append(segs, textfmt.Sanitize(s))
		}
	}
	if a.jobs != nil {
		segs = append(segs, jobsRunning(a.active))
	}
	left := " " + strings.Join(segs, " │ ")
	hint := a.hint() + " "
	line := left
	if gap := w - lipgloss.Width(left) - lipgloss.Width(hint); gap >= 2 {
		line = left + strings.Repeat(" ", gap) + hint
	}
	line = fit(line, w)
	if pad := w - lipgloss.Width(line); pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	return a.theme.StatusBar.Render(line)
}

// hint is the short key reminder of the status bar.
func (a *App) hint() string {
	parts := make([]string, 0, 3)
	for _, b := range []key.Binding{a.keys.Help, a.keys.Command, a.keys.Quit} {
		if h := b.Help(); h.Key != "" && b.Enabled() {
			parts = append(parts, h.Key+" "+h.Desc)
		}
	}
	return strings.Join(parts, "  ")
}

// help lays out the global keys, the current view's keys and the commands
// in columns; a section starts a new column when it does not fit below the
// previous one.
func (a *App) help(w, h int) []string {
	if h <= 0 {
		return nil
	}
	type entry struct{ k, d string }
	var secs [][]entry
	bindings := func(title string, bs []key.Binding) []entry {
		sec := []entry{{d: title}}
		for _, b := range bs {
			if hb := b.Help(); b.Enabled() && (hb.Key != "" || hb.Desc != "") {
				sec = append(sec, entry{k: textfmt.Sanitize(hb.Key), d: textfmt.Sanitize(hb.Desc)})
			}
		}
		return sec
	}
	k := a.keys
	global := bindings("Global keys", nil)
	for i, v := range a.views {
		if i < len(k.Views) && k.Views[i].Enabled() {
			global = append(global, entry{k: textfmt.Sanitize(k.Views[i].Help().Key), d: textfmt.Sanitize(strings.ToLower(v.Title()))})
		}
	}
	global = append(global, bindings("", []key.Binding{k.NextView, k.PrevView, k.Command, k.Help, k.Back, k.Quit, k.ForceQuit})[1:]...)
	secs = append(secs, global)
	if a.hasViews() {
		sec := bindings(textfmt.Sanitize(a.views[a.cur].Title())+" keys", a.views[a.cur].Help())
		if len(sec) == 1 {
			sec = append(sec, entry{d: "(no keys of its own)"})
		}
		secs = append(secs, sec)
	}
	secs = append(secs, bindings("Moving in lists", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Left, k.Right, k.Filter}))
	cmds := []entry{{d: "Commands (tab completes)"}, {k: ":q", d: "quit (asks when jobs run)"}, {k: ":q!", d: "quit at once"},
		{k: ":help", d: "this screen"}, {k: ":<view>", d: "switch, e.g. :runs"},
		{k: ":mouse", d: "on/off: off leaves text selection to the terminal"},
		{k: ":export", d: "PATH: Query's result or Rejects' rows to a new file (its extension names the format) or folder"},
		{k: ":open", d: "PATH: a .sql file in the SQL editor"}, {k: ":save", d: "PATH: the SQL editor's text to a .sql file (never another existing one)"}}
	for _, c := range a.commandsFrom {
		cmds = append(cmds, entry{k: ":" + textfmt.Sanitize(c.Name), d: textfmt.Sanitize(c.Help)})
	}
	secs = append(secs, cmds)

	keyW := 0
	for _, sec := range secs {
		for _, e := range sec[1:] {
			keyW = max(keyW, lipgloss.Width(e.k))
		}
	}
	keyW = min(keyW, 14)
	rows := max(h-1, 1)
	var cols [][]string
	descW := max(w-keyW-6, 20) // a description wider than the screen wraps under itself
	for _, sec := range secs {
		for i, e := range sec {
			cells := []string{a.theme.Title.Render(e.d)}
			if i > 0 {
				kk := fit(e.k, keyW)
				pad := strings.Repeat(" ", keyW+2)
				cells = cells[:0]
				for j, part := range strings.Split(lipgloss.NewStyle().Width(descW).Render(e.d), "\n") {
					part = strings.TrimRight(part, " ")
					if j == 0 {
						cells = append(cells, a.theme.Key.Render(kk+strings.Repeat(" ", keyW-lipgloss.Width(kk)))+"  "+part)
					} else {
						cells = append(cells, pad+part)
					}
				}
			}
			for _, cell := range cells {
				n := len(cols)
				switch {
				case n == 0, len(cols[n-1]) >= rows:
					cols = append(cols, []string{cell})
				case i == 0 && len(cols[n-1])+1+min(len(sec), rows) > rows:
					cols = append(cols, []string{cell}) // the section starts a column
				case i == 0:
					cols[n-1] = append(cols[n-1], "", cell)
				default:
					cols[n-1] = append(cols[n-1], cell)
				}
			}
		}
	}
	widths := make([]int, len(cols))
	for i, col := range cols {
		for _, c := range col {
			widths[i] = max(widths[i], lipgloss.Width(c))
		}
	}
	// The columns that fit from the first one shown (←/→ move it).
	a.helpOff = max(0, min(a.helpOff, len(cols)-1))
	end, used := a.helpOff, 0
	for end < len(cols) && (end == a.helpOff || used+widths[end]+4 <= w) {
		used += widths[end] + 4
		end++
	}
	a.helpCols = len(cols)
	head := fmt.Sprintf(" %s or %s closes help", k.Back.Help().Key, k.Help.Help().Key)
	if a.helpOff > 0 || end < len(cols) {
		head += fmt.Sprintf(" · ←/→ more (columns %d–%d of %d)", a.helpOff+1, end, len(cols))
	}
	out := make([]string, 1, h)
	out[0] = a.theme.Dim.Render(fit(head, w))
	for r := range rows {
		var b strings.Builder
		for ci := a.helpOff; ci < end; ci++ {
			cell := ""
			if r < len(cols[ci]) {
				cell = cols[ci][r]
			}
			b.WriteString(" " + cell + strings.Repeat(" ", widths[ci]-lipgloss.Width(cell)+3))
		}
		out = append(out, strings.TrimRight(b.String(), " "))
	}
	return out
}

// fit truncates s (ANSI-aware) to w cells, ending in "…" when cut. Tabs
// and carriage returns a view may have left are made harmless first.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if strings.ContainsAny(s, "\t\r") {
		s = strings.NewReplacer("\t", "    ", "\r", "").Replace(s)
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

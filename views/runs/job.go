package runs

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
	"github.com/lakeops/lakeops/ui/components/progress"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// The job screen has two panes, the files and the log; the keys that move
// (↑↓, g/G, pgup/pgdn) go to the focused one.

// newFileList is the job's file table: sortable (running first by
// default, so the files at work are on top), with the error of a file
// that failed in its row and in the detail pane.
func (m *Model) newFileList() *listview.Model {
	rank := func(f ops.FileProgress) int {
		switch {
		case reading(f):
			return 0 // being read now
		case f.Result == nil && f.Stage != "" && f.Stage != "queued":
			return 1 // read, waiting for its commit
		case f.Result == nil:
			return 2 // waiting
		case f.Result.Status == ops.FileFailed:
			return 3
		}
		return 4
	}
	byRank := func(a, b int) int {
		fa, fb := m.job.Files[a], m.job.Files[b]
		if d := rank(fa) - rank(fb); d != 0 {
			return d
		}
		return a - b
	}
	bySize := func(a, b int) int {
		if d := m.job.Files[b].BytesTotal - m.job.Files[a].BytesTotal; d != 0 {
			return int(max(min(d, 1), -1))
		}
		return a - b
	}
	byName := func(a, b int) int { return strings.Compare(m.job.Files[a].File, m.job.Files[b].File) }
	l := listview.New(listview.Options{Empty: "no file progress yet", SortKey: m.keys.Sort,
		Sorts: []listview.Sort{{Label: "running first", Compare: byRank}, {Label: "size", Compare: bySize},
			{Label: "name", Compare: byName}, {Label: "as started"}},
		Columns: []listview.Column{
			{Title: "file", Flex: true, Middle: true}, {Title: "status", Max: 12}, {Title: "progress", Width: 12, Optional: true},
			{Title: "rows", Width: 8, Right: true}, {Title: "accepted", Width: 8, Right: true},
			{Title: "rejected", Width: 8, Right: true}, {Title: "rows/s", Width: 7, Right: true, Optional: true},
			{Title: "eta", Width: 6, Right: true, Optional: true}, {Title: "dataset", Max: 11}, {Title: "error", Max: 24, Optional: true}}})
	l.SetCellStyle(m.fileStyle)
	return l
}

// fileStatus is a file's status in words that match the facts.
func fileStatus(f ops.FileProgress) string {
	if f.Result == nil {
		return string(f.Stage)
	}
	if r := f.Result; r.Status == ops.FileSucceeded && r.Rejected > 0 {
		return ops.IngestedWord(r.Accepted, r.Rejected) // as Files says it
	}
	return f.Result.Status
}

// reading reports a file whose bytes are being read now (not queued, not
// waiting for its commit, not done).
func reading(f ops.FileProgress) bool {
	return f.Result == nil && (f.Stage == "scan" || f.Stage == "merge") && f.BytesRead < f.BytesTotal
}

func (m *Model) fileRow(f ops.FileProgress) []string {
	eta, rate, errText := "", "", ""
	if reading(f) { // a rate or time left only while the file is read
		rate = textfmt.Rate(f.RowsPerSec)
		if f.ETA > 0 {
			eta = textfmt.Duration(f.ETA)
		}
	}
	if f.Result != nil {
		errText = shortError(f.File, firstLine(f.Result.Error))
	}
	bar := progress.Plain(f.Fraction(), 12)
	if f.Result != nil && f.Result.Status != ops.FileSucceeded {
		bar = ""
	}
	return []string{m.short(f.File), fileStatus(f), bar, textfmt.Count(f.Rows),
		textfmt.Count(f.Accepted), textfmt.Count(f.Rejected), rate, eta, f.Dataset, errText}
}

// shortError is a file's error for its row: without the file's name in
// front (the row names it), "line N:" for a line number.
func shortError(file, msg string) string {
	rest, ok := strings.CutPrefix(msg, file+":")
	if !ok {
		return msg
	}
	if n, after, ok := strings.Cut(rest, ":"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return "line " + n + ":" + after
	}
	return strings.TrimSpace(rest)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func (m *Model) fileStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.job.Files) {
		return lipgloss.Style{}, false
	}
	f := m.job.Files[row]
	switch col {
	case 1:
		if f.Result != nil {
			return stateStyle(th, f.Result.Status)
		}
	case 2:
		return th.Bar, true
	case 5:
		return th.Warn, f.Rejected > 0
	case 9:
		return th.Error, true
	}
	return lipgloss.Style{}, false
}

// fileDetail is the detail pane of one file of the job: what it is, its
// counts and, for a failed file, the whole error.
func (m *Model) fileDetail(row, w int, th *ui.Theme) listview.Detail {
	if row < 0 || row >= len(m.job.Files) {
		return listview.Detail{}
	}
	f := m.job.Files[row]
	lines := []string{th.Title.Render(table.Truncate(f.File, w))}
	add := func(k, v string) { lines = append(lines, table.Truncate(fmt.Sprintf("%-9s %s", k, v), w)) }
	add("dataset", f.Dataset)
	add("status", fileStatus(f))
	add("size", textfmt.Bytes(f.BytesTotal))
	add("rows", textfmt.Count(f.Rows))
	add("accepted", textfmt.Count(f.Accepted))
	add("rejected", textfmt.Count(f.Rejected))
	for _, code := range ops.SortedReasons(f.ByReason) {
		add("", fmt.Sprintf("%s %s", code, textfmt.Count(f.ByReason[code])))
	}
	if f.Result != nil && f.Result.Error != "" {
		lines = append(lines, "", th.Error.Render("error"))
		for _, l := range table.Wrap(f.Result.Error, max(w-2, 1)) {
			lines = append(lines, "  "+th.Error.Render(l))
		}
	}
	return listview.Detail{Lines: lines}
}

// jobKey handles a key of the job screen; ok false: not the job screen's.
func (m *Model) jobKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &m.keys
	if m.files.Busy() || m.files.DetailOpen() && !key.Matches(msg, k.Enter) {
		return nil, false
	}
	switch {
	case key.Matches(msg, m.focus):
		m.focusLog = !m.focusLog
		return nil, true
	case key.Matches(msg, m.detailKey) && !m.focusLog:
		m.files.OpenDetail(m.fileDetail)
		return nil, true
	case !m.focusLog:
		return nil, false
	case key.Matches(msg, k.Up):
		m.scrollLog(-1)
	case key.Matches(msg, k.Down):
		m.scrollLog(1)
	case key.Matches(msg, k.PageUp):
		m.scrollLog(-max(m.logH-1, 1))
	case key.Matches(msg, k.PageDown):
		m.scrollLog(max(m.logH-1, 1))
	case key.Matches(msg, k.Top):
		m.follow, m.logOff = false, 0
	case key.Matches(msg, k.Bottom):
		m.follow = true
	default:
		return nil, false
	}
	return nil, true
}

// clickJob focuses the pane clicked; a click on a file selects it (a
// second one opens it, as enter does).
func (m *Model) clickJob(c ui.Click) tea.Cmd {
	y := c.Y - m.bodyTop
	switch {
	case y < 0:
		return nil
	case y >= m.logTop:
		m.focusLog = true
		return nil
	}
	m.focusLog = false
	m.files.SetBodyTop(m.bodyTop + 1) // under the files' title
	if _, again := m.files.Click(c); again {
		return m.enterFile()
	}
	return nil
}

// enterFile: the rejected rows of a finished file that has some; else the
// file's detail pane (a failed file's error is there).
func (m *Model) enterFile() tea.Cmd {
	r := m.files.Cursor()
	if r < 0 || r >= len(m.job.Files) {
		return nil
	}
	f := m.job.Files[r]
	switch {
	case f.Result != nil && f.Result.Status == ops.FileFailed && !m.files.DetailOpen():
		m.files.OpenDetail(m.fileDetail)
	case f.Rejected > 0 && !m.job.State.Done():
		m.files.SetNote("the job is still running: its rejected rows are written when it ends", true)
	case f.Rejected > 0:
		return ui.GoCmd(ui.ShowRejects{Dataset: f.Dataset, File: f.File})
	case !m.files.DetailOpen():
		m.files.OpenDetail(m.fileDetail)
		m.files.SetNote(path.Base(f.File)+" has no rejected rows", false)
	}
	return nil
}

func (m *Model) renderJob(ctx *ui.Context) string {
	th, w, j := ctx.Theme, ctx.Width, m.job
	state := string(j.State)
	if state == "" {
		state = "waiting for its first report"
	}
	st, _ := stateStyle(th, state)
	prefix := fmt.Sprintf("job %d ", j.ID)
	rest := " · " + state
	if !j.Started.IsZero() {
		rest += " · started " + textfmt.Clock(j.Started) + " · " + textfmt.Duration(m.took(j))
	}
	run := ""
	if j.RunID != "" {
		run = " · run " + textfmt.Sanitize(j.RunID)
	}
	// The title gets what the state and times leave (the run id gives way first).
	titleW := max(w-lipgloss.Width(prefix+rest), 10)
	head := table.Clip(th.Title.Render(prefix)+table.Truncate(j.Spec.Title, titleW)+" · "+st.Render(state)+
		th.Dim.Render(strings.TrimPrefix(rest, " · "+state)+run), w)
	top := []string{head}
	switch {
	case j.Spec.Task != nil && len(j.Files) == 0 && !j.State.Done(): // table maintenance: no rows, no files to count
		how := "queued"
		if !j.Started.IsZero() {
			how = "working, " + textfmt.Duration(m.now().Sub(j.Started)) + " so far"
		}
		top = append(top, th.Dim.Render(table.Truncate(how+": a table action reports what it did when it ends (in the log below)", w)))
	case len(j.Files) > 0 || !j.State.Done() && len(j.Reprocess) == 0:
		top = append(top, m.overallLines(j, j.Overall(m.now()), w, th)...)
	}
	if j.Err != "" {
		top = append(top, th.Error.Render(table.Truncate(j.Err, w)))
	}
	for _, r := range j.Reprocess {
		line := fmt.Sprintf("reprocess %s: %s looked at, %s resolved, %s still open", r.Dataset,
			textfmt.Counted(r.Open, "open row", "open rows"), textfmt.Count(r.Resolved), textfmt.Count(r.StillOpen))
		if r.Skipped > 0 {
			line += ", " + textfmt.Counted(r.Skipped, "duplicate", "duplicates") + " left open"
		}
		top = append(top, table.Clip(line, w))
	}
	hints := []string{"esc", "jobs", "f", "files/log", "d", "file detail", "s", "sort", "x", "cancel"}
	switch {
	case m.files.DetailOpen():
		hints = []string{"esc", "close", "↑↓", "other files", "pgup/pgdn", "scroll", "enter", "rejected rows"}
	case j.State.Done() && len(j.Files) == 0:
		hints = []string{"esc", "jobs", "↑↓ g G", "scroll the log"}
	case j.State.Done():
		hints = []string{"esc", "jobs", "enter", "rejected rows / error", "f", "files/log", "d", "file detail", "s", "sort"}
	}
	m.bodyTop = len(top)
	body := func(h int) string { return m.jobBody(w, h, th) }
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(m.files, w, th, hints)})
}

// jobBody stacks the files (a title with the position and order, the
// table), the rejected counts by reason and the log, wrapped.
func (m *Model) jobBody(w, h int, th *ui.Theme) string {
	t := m.job.Totals()
	paneTitle := func(text string, focused bool) string {
		if focused {
			return th.Key.Render("▸ " + text)
		}
		return th.Dim.Render("  " + text)
	}
	n := m.files.Len()
	filesH := min(n+1, max(h/2, 2), h-1)
	if n == 0 && m.job.State.Done() { // a job that read no file (reprocess, a flow's commit, maintenance): its log
		m.focusLog = true
		return m.logPane(nil, w, h, th, paneTitle)
	}
	switch {
	case m.files.DetailOpen(): // the detail pane gets the room, the log a few lines
		filesH = max(h-1-min(5, h/3), 1)
	case n == 0:
		filesH = min(2, h-1)
	}
	lines := []string{paneTitle(fmt.Sprintf("files · %s · sort: %s", m.files.Status(), m.files.SortLabel()), !m.focusLog)}
	if filesH > 0 {
		lines = append(lines, strings.Split(m.files.Body(w, filesH, th), "\n")...)
	}
	if h-len(lines) >= 2 && len(t.ByReason) > 0 {
		var parts []string
		for _, code := range ops.SortedReasons(t.ByReason) {
			parts = append(parts, fmt.Sprintf("%s %s", code, textfmt.Count(t.ByReason[code])))
		}
		lines = append(lines, th.Warn.Render("rejected by reason: ")+table.Truncate(strings.Join(parts, " · "), w))
	}
	return m.logPane(lines, w, h, th, paneTitle)
}

// logPane puts the job's log, wrapped, under the lines above it.
func (m *Model) logPane(lines []string, w, h int, th *ui.Theme, paneTitle func(string, bool) string) string {
	log := m.wrappedLog(w)
	m.logTop = len(lines)
	if len(lines) < h {
		lines = append(lines, paneTitle(fmt.Sprintf("log · %s", textfmt.Counted(int64(len(m.job.Log)), "line", "lines")), m.focusLog))
	}
	m.logH = max(h-len(lines), 0)
	m.logLines = len(log)
	if m.follow || m.logOff > max(len(log)-m.logH, 0) {
		m.logOff = max(len(log)-m.logH, 0)
	}
	for i := m.logOff; i < len(log) && len(lines) < h; i++ {
		lines = append(lines, log[i])
	}
	return strings.Join(lines, "\n")
}

// wrappedLog is the job's log as screen lines of w cells: a long line
// wraps under its text instead of being cut.
func (m *Model) wrappedLog(w int) []string {
	var out []string
	for _, l := range m.job.Log {
		parts := table.Wrap(l.Text, max(w-9, 1))
		for i, p := range parts {
			prefix := strings.Repeat(" ", 9)
			if i == 0 {
				prefix = textfmt.Clock(l.At) + " "
			}
			out = append(out, prefix+p)
		}
	}
	return out
}

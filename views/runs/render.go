package runs

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
	"github.com/lakeops/lakeops/ui/components/progress"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

func (m *Model) took(j ops.Job) time.Duration {
	switch {
	case j.Started.IsZero():
		return -1
	case j.Ended.IsZero():
		return m.now().Sub(j.Started)
	}
	return j.Ended.Sub(j.Started)
}

// rate is rows per second: live while running, the average when done.
func (m *Model) rate(j ops.Job, t ops.FileProgress) float64 {
	if j.State.Done() {
		if d := m.took(j); d > 0 {
			return float64(t.Rows) / d.Seconds()
		}
		return 0
	}
	return t.RowsPerSec
}

func (m *Model) jobRow(j ops.Job) []string {
	t := j.Totals()
	took := ""
	if d := m.took(j); d >= 0 {
		took = textfmt.Duration(d)
	}
	accepted, rejected := textfmt.Count(t.Accepted), textfmt.Count(t.Rejected)
	if len(j.Files) == 0 { // no file seen (yet): a queued run, a flow's worker action
		accepted, rejected = "", ""
	}
	return []string{fmt.Sprint(j.ID), j.Spec.Title, string(j.State), progress.Plain(j.Fraction(), 14),
		accepted, rejected, textfmt.Rate(m.rate(j, t)), textfmt.Clock(j.Started), took}
}

func (m *Model) fileRow(f ops.FileProgress) []string {
	stage := string(f.Stage)
	if f.Result != nil {
		stage = f.Result.Status
	}
	eta := ""
	if f.ETA > 0 && !f.Done() {
		eta = textfmt.Duration(f.ETA)
	}
	return []string{m.short(f.File), stage, progress.Plain(f.Fraction(), 12), textfmt.Count(f.Rows),
		textfmt.Count(f.Accepted), textfmt.Count(f.Rejected), textfmt.Rate(f.RowsPerSec), eta, f.Dataset}
}

// stateStyle colours a job state or a file status of the ingest log.
func stateStyle(th *ui.Theme, state string) (lipgloss.Style, bool) {
	switch state {
	case string(ops.JobSucceeded): // also ops.FileSucceeded
		return th.OK, true
	case string(ops.JobRunning), string(ops.JobQueued):
		return th.Warn, true
	case string(ops.JobFailed):
		return th.Error, true
	case string(ops.JobCancelled), ops.FileSkipped: // also ops.FileCancelled
		return th.Dim, true
	}
	return lipgloss.Style{}, false
}

func (m *Model) listStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.jobs) {
		return lipgloss.Style{}, false
	}
	j := m.jobs[row]
	switch col {
	case 2:
		return stateStyle(th, string(j.State))
	case 3:
		return th.Bar, true
	case 5:
		return th.Warn, j.Totals().Rejected > 0
	}
	return lipgloss.Style{}, false
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
	}
	return lipgloss.Style{}, false
}

func (m *Model) histStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.runs) {
		return lipgloss.Style{}, false
	}
	if col == 1 {
		return stateStyle(th, m.runs[row].Status)
	}
	return th.Warn, col == 5 && m.runs[row].Rejected > 0
}

func (m *Model) runFileStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if m.runIdx >= len(m.runs) || row < 0 || row >= len(m.runs[m.runIdx].Files) {
		return lipgloss.Style{}, false
	}
	f := m.runs[m.runIdx].Files[row]
	switch col {
	case 1:
		return stateStyle(th, f.Status)
	case 4:
		return th.Warn, f.Rejected > 0
	case 6:
		return th.Error, true
	}
	return lipgloss.Style{}, false
}

func (m *Model) setHistory(runs []ops.PastRun) {
	m.runs = runs
	rows := make([][]string, len(runs))
	for i, r := range runs {
		rows[i] = []string{textfmt.Time(r.Started), r.Status, fmt.Sprint(len(r.Files)), textfmt.Count(r.Read),
			textfmt.Count(r.Accepted), textfmt.Count(r.Rejected), textfmt.Duration(r.Ended.Sub(r.Started)), r.ID}
	}
	m.hist.SetRows(rows)
	m.runIdx = min(m.runIdx, max(len(runs)-1, 0))
	if m.mode == modeRun {
		if len(runs) == 0 {
			m.mode = modeHistory
		} else {
			m.setRunFiles()
		}
	}
}

func (m *Model) setRunFiles() {
	files := m.runs[m.runIdx].Files
	rows := make([][]string, len(files))
	for i, e := range files {
		rows[i] = []string{m.short(e.File), e.Status, textfmt.Count(e.RowsRead), textfmt.Count(e.Accepted),
			textfmt.Count(e.Rejected), e.Dataset, e.Error}
	}
	m.runFiles.SetRows(rows)
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	var title string
	var hints []string
	switch m.mode {
	case modeList:
		active := 0
		for _, j := range m.jobs {
			if !j.State.Done() {
				active++
			}
		}
		title = th.Title.Render("jobs") + th.Dim.Render(fmt.Sprintf(" · %d active · %d total", active, len(m.jobs)))
		hints = []string{"enter", "open", "x", "cancel", "h", "history", "/", "filter"}
	case modeJob:
		return m.renderJob(ctx)
	case modeHistory:
		title = th.Title.Render("history") + th.Dim.Render(" · past runs from the ingest log")
		switch {
		case m.histLoading && m.runs == nil:
			title += th.Dim.Render(" · loading…")
		case m.histErr != nil:
			title += " " + th.Error.Render(table.Truncate(m.histErr.Error(), w))
		}
		hints = []string{"enter", "files of the run", "h/esc", "jobs", "/", "filter"}
	case modeRun:
		r := m.runs[m.runIdx]
		title = th.Title.Render("run "+table.Truncate(r.ID, 40)) + th.Dim.Render(fmt.Sprintf(" · %s · %d files · ",
			textfmt.Time(r.Started), len(r.Files))) + r.Status
		hints = []string{"enter", "rejected rows of the file", "esc", "history", "/", "filter"}
	}
	list := m.active()
	return screen.Compose(w, ctx.Height, []string{title}, func(h int) string { return list.Body(w, h, th) },
		[]string{m.footer(list, w, th, hints)})
}

// footer is the cancel question, or the list's footer.
func (m *Model) footer(list *listview.Model, w int, th *ui.Theme, hints []string) string {
	if m.confirm != 0 {
		return th.Warn.Render(fmt.Sprintf("cancel job %d? y/n", m.confirm))
	}
	return list.Footer(w, th, hints...)
}

func (m *Model) renderJob(ctx *ui.Context) string {
	th, w, j := ctx.Theme, ctx.Width, m.job
	t := j.Totals()
	state := string(j.State)
	if state == "" {
		state = "waiting for its first report"
	}
	st, _ := stateStyle(th, state)
	head := th.Title.Render(fmt.Sprintf("job %d ", j.ID)) + table.Truncate(j.Spec.Title, max(w/3, 10)) + " · " +
		st.Render(state)
	if !j.Started.IsZero() {
		head += th.Dim.Render(" · started " + textfmt.Clock(j.Started) + " · " + textfmt.Duration(m.took(j)))
	}
	if j.RunID != "" {
		head += th.Dim.Render(" · run " + textfmt.Sanitize(j.RunID))
	}
	stats := " " + textfmt.Count(t.Rows) + " rows"
	if r := textfmt.Rate(m.rate(j, t)); r != "" {
		stats += " · " + r
	}
	stats += fmt.Sprintf(" · accepted %s · rejected %s", textfmt.Count(t.Accepted), textfmt.Count(t.Rejected))
	barW := max(min(w-lipgloss.Width(stats), 40), 6)
	top := []string{head, progress.Render(j.Fraction(), barW, th) + stats}
	if j.Err != "" {
		top = append(top, th.Error.Render(table.Truncate(j.Err, w)))
	}
	for _, r := range j.Reprocess {
		top = append(top, fmt.Sprintf("reprocess %s: %d open looked at, %d resolved, %d still open, %d skipped",
			r.Dataset, r.Open, r.Resolved, r.StillOpen, r.Skipped))
	}
	hints := []string{"esc", "jobs", "x", "cancel", "pgup/pgdn", "log", "/", "filter"}
	if j.State.Done() {
		hints = []string{"esc", "jobs", "enter", "rejected rows of the file", "pgup/pgdn", "log", "/", "filter"}
	}
	body := func(h int) string { return m.jobBody(w, h, th, t) }
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(m.files, w, th, hints)})
}

// jobBody stacks the files table, the rejected counts by reason and the log.
func (m *Model) jobBody(w, h int, th *ui.Theme, t ops.FileProgress) string {
	log := m.job.Log
	filesH := min(m.files.Len()+1, max(h/2, 2), h)
	if m.files.Len() == 0 {
		filesH = min(2, h)
	}
	lines := strings.Split(m.files.Body(w, filesH, th), "\n")
	if h-filesH >= 1 && len(t.ByReason) > 0 {
		var parts []string
		for _, code := range ops.SortedReasons(t.ByReason) {
			parts = append(parts, fmt.Sprintf("%s %s", code, textfmt.Count(t.ByReason[code])))
		}
		lines = append(lines, th.Warn.Render("rejected by reason: ")+table.Truncate(strings.Join(parts, " · "), w))
	}
	if len(lines) < h {
		lines = append(lines, th.Header.Render(fmt.Sprintf("log (%d lines)", len(log))))
	}
	m.logH = max(h-len(lines), 0)
	if m.follow || m.logOff > max(len(log)-m.logH, 0) {
		m.logOff = max(len(log)-m.logH, 0)
	}
	for i := m.logOff; i < len(log) && len(lines) < h; i++ {
		l := log[i]
		lines = append(lines, th.Dim.Render(textfmt.Clock(l.At))+" "+table.Truncate(l.Text, max(w-9, 1)))
	}
	return strings.Join(lines, "\n")
}

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

// progressCell is a job's progress in a list cell: the bar while it runs
// or succeeded, the state and how far it got when it was cancelled or failed.
func progressCell(j ops.Job, o ops.Overall, width int) string {
	switch j.State {
	case ops.JobCancelled, ops.JobFailed:
		if o.BytesTotal > 0 { // how far it got, committed or not
			return fmt.Sprintf("%s at %d%%", j.State, int(min(float64(o.Reached.Bytes)/float64(o.BytesTotal), 1)*100))
		}
		if o.Fraction >= 0 && o.Fraction < 1 {
			return fmt.Sprintf("%s at %d%%", j.State, int(o.Fraction*100))
		}
		return string(j.State)
	}
	return progress.Plain(o.Fraction, width)
}

func (m *Model) jobRow(j ops.Job) []string {
	o := j.Overall(m.now())
	took := ""
	if d := m.took(j); d >= 0 {
		took = textfmt.Duration(d)
	}
	accepted, rejected := textfmt.Count(o.Accepted), textfmt.Count(o.Rejected)
	if len(j.Files) == 0 { // no file seen (yet): a queued run, a flow's worker action
		accepted, rejected = "", ""
	}
	cell := progressCell(j, o, 14)
	if len(j.Reprocess) > 0 { // a reprocess: what it resolved, of the open rows it looked at
		var open, resolved, still int64
		for _, r := range j.Reprocess {
			open, resolved, still = open+r.Open, resolved+r.Resolved, still+r.StillOpen
		}
		cell = fmt.Sprintf("resolved %s/%s", textfmt.Count(resolved), textfmt.Count(open))
		accepted, rejected = textfmt.Count(resolved), textfmt.Count(still)
	}
	return []string{fmt.Sprint(j.ID), j.Spec.Title, string(j.State), cell,
		accepted, rejected, textfmt.Rate(o.RowsPerSec), textfmt.Clock(j.Started), took}
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
		rows[i] = []string{textfmt.Time(r.Started), r.Status, textfmt.Count(int64(len(r.Files))), textfmt.Count(r.Read),
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
		active, queued := 0, 0
		var eta time.Duration
		for _, j := range m.jobs {
			switch {
			case j.State == ops.JobQueued:
				queued++
				active++
			case !j.State.Done():
				active++
				eta = max(eta, j.Overall(m.now()).ETA)
			}
		}
		title = th.Title.Render("jobs") + th.Dim.Render(fmt.Sprintf(" · %d active · %d total", active, len(m.jobs)))
		if eta > 0 { // the running jobs end when the slowest does; queued ones are not known yet
			title += th.Dim.Render(" · eta " + textfmt.Duration(eta))
			if queued > 0 {
				title += th.Dim.Render(" + " + textfmt.Counted(int64(queued), "queued job", "queued jobs"))
			}
		}
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
		title = th.Title.Render("run "+table.Truncate(r.ID, 40)) + th.Dim.Render(fmt.Sprintf(" · %s · %s · ",
			textfmt.Time(r.Started), textfmt.Counted(int64(len(r.Files)), "file", "files"))) + r.Status
		hints = []string{"enter", "rejected rows of the file", "esc", "history", "/", "filter"}
	}
	list := m.active()
	list.SetBodyTop(1)
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

// overallLines are the job's progress across its files: a bar (or how
// far a cancelled or failed job got), bytes done of the job's bytes, the
// recent rate and the time left; then rows read, accepted, rejected
// (read: a forced run's files as their load left them are read, not
// checked again).
func (m *Model) overallLines(j ops.Job, o ops.Overall, w int, th *ui.Theme) []string {
	var parts []string
	stopped := j.State == ops.JobCancelled || j.State == ops.JobFailed
	switch {
	case stopped && o.BytesTotal > 0 && o.Reached.Bytes > o.BytesDone: // files it read went uncommitted
		committed := "nothing committed"
		if o.BytesDone > 0 {
			committed = textfmt.Bytes(o.BytesDone) + " of it committed"
		}
		parts = append(parts, textfmt.Bytes(o.Reached.Bytes)+" of "+textfmt.Bytes(o.BytesTotal)+" read, "+committed)
	case o.BytesTotal > 0:
		parts = append(parts, textfmt.Bytes(o.BytesDone)+" of "+textfmt.Bytes(o.BytesTotal))
	}
	if r := textfmt.Rate(o.RowsPerSec); r != "" { // the header says what the rate counts
		parts = append(parts, strings.TrimSuffix(r, "/s")+" rows/s")
	}
	if o.ETA > 0 {
		parts = append(parts, "eta "+textfmt.Duration(o.ETA))
	}
	stats := ""
	if len(parts) > 0 {
		stats = " · " + strings.Join(parts, " · ")
	}
	counts := fmt.Sprintf("%s read · accepted %s · rejected %s", textfmt.Rows(o.Rows), textfmt.Count(o.Accepted), textfmt.Count(o.Rejected))
	if stopped && o.Reached.Rows > o.Rows {
		counts = fmt.Sprintf("%s read before it stopped · committed: accepted %s · rejected %s",
			textfmt.Rows(o.Reached.Rows), textfmt.Count(o.Accepted), textfmt.Count(o.Rejected))
	}
	if !j.State.Done() && o.Rows > 0 { // dedup picks among repeated keys once every file is read
		counts = fmt.Sprintf("%s read · accepted so far %s (before dedup) · rejected %s",
			textfmt.Rows(o.Rows), textfmt.Count(o.Accepted), textfmt.Count(o.Rejected))
	}
	var bar string
	switch j.State {
	case ops.JobCancelled, ops.JobFailed:
		st, _ := stateStyle(th, string(j.State))
		bar = st.Render(progressCell(j, o, 0))
	default:
		bar = progress.Render(o.Fraction, max(min(w-lipgloss.Width(stats), 40), 10), th)
	}
	return []string{table.Clip(bar+stats, w), table.Clip(counts, w)}
}

package runs

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/progress"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/views/internal/screen"
)

// fileFraction is a file's progress: the key scan is the first fifth (it
// reads only keys), the merge pass most of the rest, commits the end (each
// pass reads the file once, so bytes read alone would count it twice).
func fileFraction(f jobs.FileProgress) float64 {
	r := max(progress.Fraction(f.BytesRead, f.BytesTotal), 0)
	switch f.Stage {
	case pipeline.StageScan:
		return 0.2 * r
	case pipeline.StageMerge:
		return 0.2 + 0.75*r
	case pipeline.StageCommit:
		return 0.95
	case pipeline.StageDone:
		return 1
	}
	return 0
}

// jobFraction weighs the files' progress by their size; -1 when unknown.
func jobFraction(j jobs.Info) float64 {
	if j.State == jobs.Succeeded {
		return 1
	}
	if len(j.Files) == 0 {
		if j.State == jobs.Queued {
			return 0
		}
		return -1
	}
	var done, total float64
	for _, f := range j.Files {
		w := float64(max(f.BytesTotal, 1))
		done += w * fileFraction(f)
		total += w
	}
	return done / total
}

func (m *Model) took(j jobs.Info) time.Duration {
	switch {
	case j.Started.IsZero():
		return -1
	case j.Ended.IsZero():
		return m.now().Sub(j.Started)
	}
	return j.Ended.Sub(j.Started)
}

// rate is rows per second: live while running, the average when done.
func (m *Model) rate(j jobs.Info, t jobs.FileProgress) float64 {
	if j.State.Done() {
		if d := m.took(j); d > 0 {
			return float64(t.Rows) / d.Seconds()
		}
		return 0
	}
	return t.RowsPerSec
}

func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("15:04:05")
}

func (m *Model) jobRow(j jobs.Info) []string {
	t := j.Totals()
	took := ""
	if d := m.took(j); d >= 0 {
		took = screen.Duration(d)
	}
	return []string{fmt.Sprint(j.ID), j.Spec.Title, string(j.State), progress.Plain(jobFraction(j), 14),
		screen.Count(t.Accepted), screen.Count(t.Rejected), screen.Rate(m.rate(j, t)), clock(j.Started), took}
}

func (m *Model) fileRow(f jobs.FileProgress) []string {
	stage := string(f.Stage)
	if f.Result != nil {
		stage = f.Result.Status
	}
	eta := ""
	if f.ETA > 0 && f.Stage != pipeline.StageDone {
		eta = screen.Duration(f.ETA)
	}
	return []string{m.short(f.File), stage, progress.Plain(fileFraction(f), 12), screen.Count(f.Rows),
		screen.Count(f.Accepted), screen.Count(f.Rejected), screen.Rate(f.RowsPerSec), eta, f.Dataset}
}

func stateStyle(th *ui.Theme, state string) (lipgloss.Style, bool) {
	switch state {
	case string(jobs.Succeeded): // also ledger.StatusSucceeded
		return th.OK, true
	case string(jobs.Running), string(jobs.Queued):
		return th.Warn, true
	case string(jobs.Failed):
		return th.Error, true
	case string(jobs.Cancelled), ledger.StatusSkipped: // also ledger.StatusCancelled
		return th.Dim, true
	}
	return lipgloss.Style{}, false
}

// short is a file key without the raw zone prefix.
func (m *Model) short(file string) string {
	if s := strings.TrimPrefix(file, m.root); s != "" {
		return s
	}
	return file
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

func (m *Model) setHistory(runs []pastRun) {
	m.runs = runs
	rows := make([][]string, len(runs))
	for i, r := range runs {
		rows[i] = []string{screen.Time(r.started), r.status, fmt.Sprint(len(r.files)), screen.Count(r.read),
			screen.Count(r.acc), screen.Count(r.rej), screen.Duration(r.ended.Sub(r.started)), r.id}
	}
	m.hist.SetRows(rows)
	m.hist.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if col == 1 && row < len(runs) {
			return stateStyle(th, runs[row].status)
		}
		return th.Warn, col == 5 && row < len(runs) && runs[row].rej > 0
	})
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
	files := m.runs[m.runIdx].files
	rows := make([][]string, len(files))
	for i, e := range files {
		rows[i] = []string{m.short(e.File), e.Status, screen.Count(e.RowsRead), screen.Count(e.Accepted),
			screen.Count(e.Rejected), e.Dataset, e.Error}
	}
	m.runFiles.SetRows(rows)
	m.runFiles.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if row >= len(files) {
			return lipgloss.Style{}, false
		}
		switch col {
		case 1:
			return stateStyle(th, files[row].Status)
		case 4:
			return th.Warn, files[row].Rejected > 0
		case 6:
			return th.Error, true
		}
		return lipgloss.Style{}, false
	})
}

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	var title string
	var hints []string
	body := func(h int) string { return m.active().Render(w, h, th) }
	switch m.mode {
	case modeList:
		active := 0
		for _, j := range m.jobs {
			if !j.State.Done() {
				active++
			}
		}
		title = th.Title.Render("jobs") + th.Dim.Render(fmt.Sprintf(" · %d active · %d total", active, len(m.jobs)))
		hints = []string{"enter", "open", "x", "cancel", "h", "history"}
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
		hints = []string{"enter", "files of the run", "h/esc", "jobs"}
	case modeRun:
		r := m.runs[m.runIdx]
		title = th.Title.Render("run "+table.Truncate(r.id, 40)) + th.Dim.Render(fmt.Sprintf(" · %s · %d files · ",
			screen.Time(r.started), len(r.files))) + r.status
		hints = []string{"enter", "rejected rows of the file", "esc", "history"}
	}
	return screen.Compose(w, ctx.Height, []string{title}, body, []string{m.footer(th, hints)})
}

func (m *Model) footer(th *ui.Theme, hints []string) string {
	switch {
	case m.confirm != 0:
		return th.Warn.Render(fmt.Sprintf("cancel job %d? y/n", m.confirm))
	case m.note != "":
		if m.noteErr {
			return th.Error.Render(ui.Sanitize(m.note))
		}
		return th.OK.Render(ui.Sanitize(m.note))
	}
	return th.Dim.Render(screen.Hints(hints...))
}

func (m *Model) renderJob(ctx *ui.Context) string {
	th, w, j := ctx.Theme, ctx.Width, m.job
	t := j.Totals()
	st, _ := stateStyle(th, string(j.State))
	head := th.Title.Render(fmt.Sprintf("job %d ", j.ID)) + table.Truncate(j.Spec.Title, max(w/3, 10)) + " · " +
		st.Render(string(j.State))
	if !j.Started.IsZero() {
		head += th.Dim.Render(" · started " + clock(j.Started) + " · " + screen.Duration(m.took(j)))
	}
	if j.RunID != "" {
		head += th.Dim.Render(" · run " + ui.Sanitize(j.RunID))
	}
	stats := " " + screen.Count(t.Rows) + " rows"
	if r := screen.Rate(m.rate(j, t)); r != "" {
		stats += " · " + r
	}
	stats += fmt.Sprintf(" · accepted %s · rejected %s", screen.Count(t.Accepted), screen.Count(t.Rejected))
	barW := max(min(w-lipgloss.Width(stats), 40), 6)
	top := []string{head, progress.Render(jobFraction(j), barW, th) + stats}
	if j.Err != "" {
		top = append(top, th.Error.Render(table.Truncate(j.Err, w)))
	}
	for _, r := range j.Reprocess {
		top = append(top, fmt.Sprintf("reprocess %s: %d open looked at, %d resolved, %d still open, %d skipped",
			r.Dataset, r.Open, r.Resolved, r.StillOpen, r.Skipped))
	}
	hints := []string{"esc", "jobs", "x", "cancel", "pgup/pgdn", "log"}
	if j.State.Done() {
		hints = []string{"esc", "jobs", "enter", "rejected rows of the file", "pgup/pgdn", "log"}
	}
	body := func(h int) string { return m.jobBody(w, h, th, t) }
	return screen.Compose(w, ctx.Height, top, body, []string{m.footer(th, hints)})
}

// jobBody stacks the files table, the rejected counts by reason and the log.
func (m *Model) jobBody(w, h int, th *ui.Theme, t jobs.FileProgress) string {
	filesH := min(len(m.job.Files)+1, max(h/2, 2), h)
	if len(m.job.Files) == 0 {
		filesH = min(2, h)
	}
	lines := strings.Split(m.files.Render(w, filesH, th), "\n")
	if h-filesH >= 1 && len(t.ByReason) > 0 {
		var parts []string
		for _, code := range jobs.SortedReasons(t.ByReason) {
			parts = append(parts, fmt.Sprintf("%s %s", code, screen.Count(t.ByReason[code])))
		}
		lines = append(lines, th.Warn.Render("rejected by reason: ")+table.Truncate(strings.Join(parts, " · "), w))
	}
	if len(lines) < h {
		lines = append(lines, th.Header.Render(fmt.Sprintf("log (%d lines)", len(m.log))))
	}
	m.logH = max(h-len(lines), 0)
	if m.follow || m.logOff > max(len(m.log)-m.logH, 0) {
		m.logOff = max(len(m.log)-m.logH, 0)
	}
	for i := m.logOff; i < len(m.log) && len(lines) < h; i++ {
		l := m.log[i]
		lines = append(lines, th.Dim.Render(clock(l.At))+" "+table.Truncate(l.Text, max(w-9, 1)))
	}
	return strings.Join(lines, "\n")
}

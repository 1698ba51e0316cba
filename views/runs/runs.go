// Package runs is the Runs view: the background jobs with their live
// progress (state, duration, a progress bar, rows/s, accepted and rejected
// so far), one job in detail (per-file progress, rejected counts by reason
// and the job's replayable log in a scrollable pane), cancelling a job
// after a confirmation, and the history of past runs from the ingest log.
package runs

import (
	"context"
	"fmt"
	"path"
	"sort"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	rejectsview "github.com/lakeops/lakeops/views/rejects"
)

// ShowJob asks the Runs view to open one job (sent by other views through
// ui.SwitchTo{Title: "Runs", Then: ShowJob{ID: id}} after submitting it).
type ShowJob struct{ ID int }

type mode int

const (
	modeList mode = iota
	modeJob
	modeHistory
	modeRun // one past run's files
)

// cancelledMsg reports a cancel request.
type cancelledMsg struct {
	id int
	ok bool
}

// historyMsg carries past runs from the ingest log.
type historyMsg struct {
	gen  int
	runs []pastRun
	err  error
}

// pastRun is one run of the ingest log.
type pastRun struct {
	id             string
	started, ended time.Time
	status         string
	files          []ledger.Entry
	read, acc, rej int64
}

// Model is the Runs view.
type Model struct {
	keys    ui.KeyMap
	root    string // the raw zone prefix, left off file names
	history key.Binding
	now     func() time.Time

	mode    mode
	jobs    []jobs.Info
	list    *table.Model
	confirm int // job awaiting a cancel confirmation; 0 for none
	note    string
	noteErr bool

	jobID  int
	job    jobs.Info
	files  *table.Model
	log    []jobs.LogLine
	logOff int // first log line shown
	follow bool
	logH   int // log pane height of the last frame

	runs        []pastRun
	histGen     int
	histLoading bool
	histErr     error
	hist        *table.Model
	runFiles    *table.Model
	runIdx      int
	doneJobs    map[int]bool
}

// New returns the Runs view.
func New() *Model {
	m := &Model{keys: ui.DefaultKeyMap(), now: time.Now, follow: true, doneJobs: map[int]bool{},
		history: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history of past runs"))}
	m.list = table.New(
		table.Column{Title: "id", Width: 4, Right: true},
		table.Column{Title: "title", Max: 24},
		table.Column{Title: "state", Width: 9},
		table.Column{Title: "progress", Width: 14},
		table.Column{Title: "accepted", Width: 9, Right: true},
		table.Column{Title: "rejected", Width: 9, Right: true},
		table.Column{Title: "rows/s", Width: 8, Right: true},
		table.Column{Title: "started", Width: 8},
		table.Column{Title: "took"},
	)
	m.list.Empty = "no jobs yet: run files from the Files view (r, R)"
	m.list.SetCellStyle(m.listStyle)
	m.files = table.New(
		table.Column{Title: "file", Max: 28},
		table.Column{Title: "stage", Width: 9},
		table.Column{Title: "progress", Width: 12},
		table.Column{Title: "rows", Width: 8, Right: true},
		table.Column{Title: "accepted", Width: 8, Right: true},
		table.Column{Title: "rejected", Width: 8, Right: true},
		table.Column{Title: "rows/s", Width: 8, Right: true},
		table.Column{Title: "eta", Width: 6, Right: true},
		table.Column{Title: "dataset"},
	)
	m.files.Empty = "no file progress yet"
	m.files.SetCellStyle(m.fileStyle)
	m.hist = table.New(
		table.Column{Title: "started", Width: 19},
		table.Column{Title: "status", Width: 9},
		table.Column{Title: "files", Width: 5, Right: true},
		table.Column{Title: "read", Width: 9, Right: true},
		table.Column{Title: "accepted", Width: 9, Right: true},
		table.Column{Title: "rejected", Width: 9, Right: true},
		table.Column{Title: "took", Width: 7, Right: true},
		table.Column{Title: "run"},
	)
	m.hist.Empty = "no runs in the ingest log yet"
	m.runFiles = table.New(
		table.Column{Title: "file", Max: 30},
		table.Column{Title: "status", Width: 9},
		table.Column{Title: "read", Width: 8, Right: true},
		table.Column{Title: "accepted", Width: 8, Right: true},
		table.Column{Title: "rejected", Width: 8, Right: true},
		table.Column{Title: "dataset", Max: 11},
		table.Column{Title: "error"},
	)
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Runs" }

// InputFocused is always false: the view has no text input.
func (m *Model) InputFocused() bool { return false }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	logKeys := key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn/g/G", "scroll the job log"))
	return []key.Binding{k.Enter, k.Back, k.Cancel, m.history, logKeys, k.Up, k.Down}
}

// Init reads the jobs.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	m.root = ctx.Services.Lake.Layout.Bronze
	m.refresh(ctx)
	return nil
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case ui.JobsChanged:
		if m.refresh(ctx) && (m.mode == modeHistory || m.mode == modeRun || m.runs != nil) {
			return m, m.loadHistory(ctx)
		}
	case ShowJob:
		m.refresh(ctx)
		m.open(ctx, msg.ID)
	case cancelledMsg:
		m.refresh(ctx)
		if msg.ok {
			return m, ui.NotifyCmd(fmt.Sprintf("job %d: cancel requested", msg.id), false)
		}
		return m, ui.NotifyCmd(fmt.Sprintf("job %d is not queued or running", msg.id), true)
	case historyMsg:
		if msg.gen != m.histGen {
			return m, nil
		}
		m.histLoading, m.histErr = false, msg.err
		if msg.err == nil {
			m.setHistory(msg.runs)
		}
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		if m.mode == modeJob {
			switch msg.Button {
			case tea.MouseWheelUp:
				m.scrollLog(-3)
			case tea.MouseWheelDown:
				m.scrollLog(3)
			}
			return m, nil
		}
		m.active().Update(&m.keys, msg)
	}
	return m, nil
}

// active is the table of the current mode.
func (m *Model) active() *table.Model {
	switch m.mode {
	case modeJob:
		return m.files
	case modeHistory:
		return m.hist
	case modeRun:
		return m.runFiles
	}
	return m.list
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.confirm != 0 {
		id := m.confirm
		switch {
		case key.Matches(msg, k.Confirm):
			m.confirm = 0
			return cancelCmd(ctx.Services.Jobs, id)
		case key.Matches(msg, k.Deny):
			m.confirm = 0
		}
		return nil
	}
	m.note = ""
	switch {
	case key.Matches(msg, m.history) && (m.mode == modeList || m.mode == modeHistory):
		if m.mode == modeHistory {
			m.mode = modeList
			return nil
		}
		m.mode = modeHistory
		return m.loadHistory(ctx)
	case key.Matches(msg, k.Back):
		switch m.mode {
		case modeJob, modeHistory:
			m.mode = modeList
		case modeRun:
			m.mode = modeHistory
		}
	case key.Matches(msg, k.Cancel) && (m.mode == modeList || m.mode == modeJob):
		id := m.jobID
		if m.mode == modeList {
			id = m.selectedJob()
		}
		if info, ok := ctx.Services.Jobs.Job(id); ok && !info.State.Done() {
			m.confirm = id
		} else if id != 0 {
			m.setNote(fmt.Sprintf("job %d is not queued or running", id), true)
		}
	case key.Matches(msg, k.Enter):
		return m.enter(ctx)
	case key.Matches(msg, k.Refresh):
		m.refresh(ctx)
		if m.mode == modeHistory || m.mode == modeRun {
			return m.loadHistory(ctx)
		}
	case m.mode == modeJob && key.Matches(msg, k.PageUp):
		m.scrollLog(-max(m.logH-1, 1))
	case m.mode == modeJob && key.Matches(msg, k.PageDown):
		m.scrollLog(max(m.logH-1, 1))
	case m.mode == modeJob && key.Matches(msg, k.Top):
		m.follow, m.logOff = false, 0
	case m.mode == modeJob && key.Matches(msg, k.Bottom):
		m.follow = true
	default:
		m.active().Update(k, msg)
	}
	return nil
}

func (m *Model) enter(ctx *ui.Context) tea.Cmd {
	switch m.mode {
	case modeList:
		if id := m.selectedJob(); id != 0 {
			m.open(ctx, id)
		}
	case modeJob:
		r := m.files.Cursor()
		if r < 0 || r >= len(m.job.Files) {
			return nil
		}
		f := m.job.Files[r]
		switch {
		case !m.job.State.Done():
			m.setNote("the job is still running: its rejected rows are written when it ends", true)
		case f.Rejected == 0:
			m.setNote(path.Base(f.File)+" has no rejected rows", false)
		default:
			return showRejects(f.Dataset, f.File)
		}
	case modeHistory:
		if r := m.hist.Cursor(); r >= 0 && r < len(m.runs) {
			m.runIdx = r
			m.mode = modeRun
			m.setRunFiles()
		}
	case modeRun:
		files := m.runs[m.runIdx].files
		if r := m.runFiles.Cursor(); r >= 0 && r < len(files) {
			if files[r].Rejected == 0 {
				m.setNote(path.Base(files[r].File)+" has no rejected rows in this run", false)
				return nil
			}
			return showRejects(files[r].Dataset, files[r].File)
		}
	}
	return nil
}

func showRejects(ds, file string) tea.Cmd {
	return func() tea.Msg {
		return ui.SwitchTo{Title: "Rejects", Then: rejectsview.ShowFile{Dataset: ds, File: file}}
	}
}

func (m *Model) setNote(s string, isErr bool) { m.note, m.noteErr = s, isErr }

func (m *Model) selectedJob() int {
	if r := m.list.Cursor(); r >= 0 && r < len(m.jobs) {
		return m.jobs[r].ID
	}
	return 0
}

// open shows one job in detail.
func (m *Model) open(ctx *ui.Context, id int) {
	if m.jobID != id {
		m.files.SetPosition(0)
	}
	m.jobID, m.mode, m.follow = id, modeJob, true
	for i, j := range m.jobs {
		if j.ID == id {
			m.list.SetPosition(i)
		}
	}
	m.refreshJob(ctx)
}

// refresh reads fresh job snapshots; it reports whether a job finished
// since the last look.
func (m *Model) refresh(ctx *ui.Context) bool {
	sel := m.selectedJob()
	m.jobs = ctx.Services.Jobs.Jobs()
	finished := false
	rows := make([][]string, len(m.jobs))
	for i, j := range m.jobs {
		rows[i] = m.jobRow(j)
		if j.State.Done() && !m.doneJobs[j.ID] {
			m.doneJobs[j.ID] = true
			finished = true
		}
	}
	m.list.SetRows(rows)
	for i, j := range m.jobs {
		if j.ID == sel {
			m.list.SetPosition(i)
		}
	}
	if m.jobID != 0 {
		m.refreshJob(ctx)
	}
	return finished
}

func (m *Model) refreshJob(ctx *ui.Context) {
	info, ok := ctx.Services.Jobs.Job(m.jobID)
	if !ok {
		m.job = jobs.Info{ID: m.jobID}
		m.log = nil
		m.files.SetRows(nil)
		return
	}
	m.job = info
	m.log = ctx.Services.Jobs.Log(m.jobID)
	rows := make([][]string, len(info.Files))
	for i, f := range info.Files {
		rows[i] = m.fileRow(f)
	}
	m.files.SetRows(rows)
}

func (m *Model) scrollLog(n int) {
	if m.follow {
		m.logOff = max(len(m.log)-m.logH, 0)
	}
	m.follow = false
	m.logOff = max(0, m.logOff+n)
	if m.logOff >= len(m.log)-m.logH {
		m.follow = true
	}
}

func cancelCmd(jm *jobs.Manager, id int) tea.Cmd {
	return func() tea.Msg { return cancelledMsg{id: id, ok: jm.Cancel(id)} }
}

func (m *Model) loadHistory(ctx *ui.Context) tea.Cmd {
	m.histGen++
	m.histLoading = true
	return historyCmd(ctx.Services.Lake, m.histGen)
}

// historyCmd reads the ingest log and groups it by run.
func historyCmd(lk *lake.Lake, gen int) tea.Cmd {
	return func() tea.Msg {
		entries, err := ledger.Open(lk).Entries(context.Background())
		if err != nil {
			return historyMsg{gen: gen, err: fmt.Errorf("read the ingest log: %w", err)}
		}
		return historyMsg{gen: gen, runs: groupRuns(entries)}
	}
}

func groupRuns(entries []ledger.Entry) []pastRun {
	byID := map[string]*pastRun{}
	var out []*pastRun
	for _, e := range entries {
		r := byID[e.RunID]
		if r == nil {
			r = &pastRun{id: e.RunID, started: e.StartedAt, ended: e.EndedAt, status: ledger.StatusSucceeded}
			byID[e.RunID] = r
			out = append(out, r)
		}
		r.files = append(r.files, e)
		r.read += e.RowsRead
		r.acc += e.Accepted
		r.rej += e.Rejected
		if e.StartedAt.Before(r.started) {
			r.started = e.StartedAt
		}
		if e.EndedAt.After(r.ended) {
			r.ended = e.EndedAt
		}
		switch {
		case e.Status == ledger.StatusFailed:
			r.status = ledger.StatusFailed
		case e.Status == ledger.StatusCancelled && r.status != ledger.StatusFailed:
			r.status = ledger.StatusCancelled
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].started.After(out[j].started) })
	runs := make([]pastRun, len(out))
	for i, r := range out {
		runs[i] = *r
	}
	return runs
}

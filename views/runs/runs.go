// Package runs is the Runs view: the background jobs with their live
// progress (state, duration, a progress bar, rows/s, accepted and rejected
// so far), one job in detail (per-file progress, rejected counts by reason
// and the job's replayable log in a scrollable pane), cancelling a job
// after a confirmation, and the history of past runs from the ingest log.
//
// The jobs come in the job snapshots the relay sends (ops.JobSnapshot);
// the view asks its Service only for the run history and to cancel.
package runs

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Service gives the Runs view the run history and cancels jobs (the jobs
// themselves come in the relay's snapshots); ops.Ops has it.
type Service interface {
	// RawRoot is the raw zone's prefix, left off file names.
	RawRoot() string
	// RunHistory reads past runs from the ingest log, newest first.
	RunHistory(ctx context.Context) ([]ops.PastRun, error)
	// Cancel cancels a queued or running job.
	Cancel(id int) bool
}

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
	runs []ops.PastRun
	err  error
}

// Model is the Runs view.
type Model struct {
	svc     Service
	keys    ui.KeyMap
	root    string
	history key.Binding
	now     func() time.Time

	mode    mode
	jobs    []ops.Job
	ended   int // jobs ended, as the last snapshot said
	list    *listview.Model
	confirm int // job awaiting a cancel confirmation; 0 for none

	jobID     int
	job       ops.Job
	files     *listview.Model
	logOff    int // first log screen line shown
	follow    bool
	logH      int // log pane height of the last frame
	logLines  int // log screen lines of the last frame (wrapped)
	focusLog  bool
	bodyTop   int // the job screen's first body line, and its log's title line within the body (for clicks)
	logTop    int
	focus     key.Binding
	detailKey key.Binding

	runs        []ops.PastRun
	histGen     int
	histLoading bool
	histErr     error
	hist        *listview.Model
	runFiles    *listview.Model
	runIdx      int
}

// New returns the Runs view over svc.
func New(svc Service) *Model {
	m := &Model{svc: svc, keys: ui.DefaultKeyMap(), root: svc.RawRoot(), now: time.Now, follow: true,
		history:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history of past runs")),
		focus:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "job: move between the files and the log")),
		detailKey: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "job: the file's detail (a failed file's whole error)"))}
	m.list = listview.New(listview.Options{Empty: "no jobs yet: run files from the Files view (r, R)", Columns: []listview.Column{
		{Title: "id", Width: 4, Right: true}, {Title: "title", Flex: true}, {Title: "state", Width: 9},
		{Title: "progress", Max: 28}, {Title: "accepted", Width: 9, Right: true}, {Title: "rejected", Width: 9, Right: true},
		{Title: "rows/s", Width: 8, Right: true}, {Title: "started", Width: 8}, {Title: "took"}}})
	m.list.SetCellStyle(m.listStyle)
	m.files = m.newFileList()
	m.hist = listview.New(listview.Options{Empty: "no runs in the ingest log yet", Columns: []listview.Column{
		{Title: "started", Width: 19}, {Title: "status", Width: 9}, {Title: "files", Width: 5, Right: true},
		{Title: "read", Width: 9, Right: true}, {Title: "accepted", Width: 9, Right: true},
		{Title: "rejected", Width: 9, Right: true}, {Title: "took", Width: 7, Right: true}, {Title: "run"}}})
	m.hist.SetCellStyle(m.histStyle)
	m.runFiles = listview.New(listview.Options{Columns: []listview.Column{
		{Title: "file", Flex: true, Middle: true, Max: 30}, {Title: "status", Width: 9}, {Title: "read", Width: 8, Right: true},
		{Title: "accepted", Width: 8, Right: true}, {Title: "rejected", Width: 8, Right: true},
		{Title: "dataset", Max: 11}, {Title: "error"}}})
	m.runFiles.SetCellStyle(m.runFileStyle)
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Runs" }

// InputFocused reports whether a filter is being typed.
func (m *Model) InputFocused() bool { return m.active().Filtering() }

// Takes ShowJob.
func (m *Model) Takes(i ui.Intent) bool { _, ok := i.(ui.ShowJob); return ok }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	logKeys := key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("↑↓ pgup/pgdn g/G", "move in the focused pane (files or log)"))
	sort := key.NewBinding(key.WithKeys(k.Sort.Keys()...), key.WithHelp(k.Sort.Help().Key, "job: sort the files (running first, size, name, as started)"))
	return []key.Binding{k.Enter, k.Back, k.Cancel, m.history, k.Filter, m.focus, m.detailKey, sort, logKeys}
}

// Init has nothing to load: the jobs come with the relay's snapshots.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	return nil
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case ops.JobSnapshot:
		ended := msg.Ended > m.ended
		m.ended = msg.Ended
		m.setJobs(msg.Jobs)
		if ended && (m.mode == modeHistory || m.mode == modeRun || m.runs != nil) {
			return m, m.loadHistory(ctx)
		}
	case ui.ShowJob:
		m.open(msg.ID)
	case cancelledMsg:
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
	case ui.Click:
		if m.mode == modeJob {
			return m, m.clickJob(msg)
		}
		if _, again := m.active().Click(msg); again {
			return m, m.key(ctx, tea.KeyPressMsg{Code: tea.KeyEnter})
		}
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

// active is the list of the current mode.
func (m *Model) active() *listview.Model {
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
			return m.cancelCmd(id)
		case key.Matches(msg, k.Deny):
			m.confirm = 0
		}
		return nil
	}
	list := m.active()
	if list.Busy() {
		list.Update(k, msg)
		return nil
	}
	if m.mode == modeJob {
		if cmd, ok := m.jobKey(msg); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(msg, m.history) && (m.mode == modeList || m.mode == modeHistory):
		if m.mode == modeHistory {
			m.mode = modeList
			return nil
		}
		m.mode = modeHistory
		return m.loadHistory(ctx)
	case key.Matches(msg, k.Cancel) && (m.mode == modeList || m.mode == modeJob):
		m.askCancel()
		return nil
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, k.Refresh) && (m.mode == modeHistory || m.mode == modeRun):
		return m.loadHistory(ctx)
	}
	if act, cmd := list.Update(k, msg); act != listview.Pass {
		return cmd // esc clears the list's filter first
	}
	if key.Matches(msg, k.Back) {
		switch m.mode {
		case modeJob, modeHistory:
			m.mode = modeList
		case modeRun:
			m.mode = modeHistory
		}
	}
	return nil
}

// askCancel asks before cancelling the job under the cursor (or the one shown).
func (m *Model) askCancel() {
	id := m.jobID
	if m.mode == modeList {
		id = m.selectedJob()
	}
	if id == 0 {
		return
	}
	for _, j := range m.jobs {
		if j.ID == id && !j.State.Done() {
			m.confirm = id
			return
		}
	}
	m.active().SetNote(fmt.Sprintf("job %d is not queued or running", id), true)
}

func (m *Model) enter() tea.Cmd {
	switch m.mode {
	case modeList:
		if id := m.selectedJob(); id != 0 {
			m.open(id)
		}
	case modeJob:
		return m.enterFile()
	case modeHistory:
		if r := m.hist.Cursor(); r >= 0 && r < len(m.runs) {
			m.runIdx = r
			m.mode = modeRun
			m.setRunFiles()
		}
	case modeRun:
		files := m.runs[m.runIdx].Files
		if r := m.runFiles.Cursor(); r >= 0 && r < len(files) {
			if files[r].Rejected == 0 {
				m.runFiles.SetNote(path.Base(files[r].File)+" has no rejected rows in this run", false)
				return nil
			}
			return ui.GoCmd(ui.ShowRejects{Dataset: files[r].Dataset, File: files[r].File})
		}
	}
	return nil
}

func (m *Model) selectedJob() int {
	if r := m.list.Cursor(); r >= 0 && r < len(m.jobs) {
		return m.jobs[r].ID
	}
	return 0
}

// open shows one job in detail.
func (m *Model) open(id int) {
	if m.jobID != id {
		m.files.Table().SetPosition(0)
		m.files.CloseDetail()
	}
	m.jobID, m.mode, m.follow, m.focusLog = id, modeJob, true, false
	for i, j := range m.jobs {
		if j.ID == id {
			m.list.SelectRow(i)
		}
	}
	m.showJob()
}

// setJobs shows a snapshot's jobs, keeping the cursor on its job.
func (m *Model) setJobs(jobs []ops.Job) {
	sel := m.selectedJob()
	m.jobs = jobs
	rows := make([][]string, len(jobs))
	for i, j := range jobs {
		rows[i] = m.jobRow(j)
	}
	m.list.SetRows(rows)
	for i, j := range jobs {
		if j.ID == sel {
			m.list.SelectRow(i)
		}
	}
	if m.jobID != 0 {
		m.showJob()
	}
}

// showJob fills the job screen from the last snapshot.
func (m *Model) showJob() {
	m.job = ops.Job{ID: m.jobID}
	for _, j := range m.jobs {
		if j.ID == m.jobID {
			m.job = j
		}
	}
	rows := make([][]string, len(m.job.Files))
	for i, f := range m.job.Files {
		rows[i] = m.fileRow(f)
	}
	m.files.SetRows(rows)
}

func (m *Model) scrollLog(n int) {
	if m.follow {
		m.logOff = max(m.logLines-m.logH, 0)
	}
	m.follow = false
	m.logOff = max(0, m.logOff+n)
	if m.logOff >= m.logLines-m.logH {
		m.follow = true
	}
}

func (m *Model) cancelCmd(id int) tea.Cmd {
	svc := m.svc
	return func() tea.Msg { return cancelledMsg{id: id, ok: svc.Cancel(id)} }
}

func (m *Model) loadHistory(ctx *ui.Context) tea.Cmd {
	m.histGen++
	m.histLoading = true
	gen, svc, app := m.histGen, m.svc, ctx.App
	return func() tea.Msg {
		runs, err := svc.RunHistory(app)
		return historyMsg{gen: gen, runs: runs, err: err}
	}
}

// short is a file key without the raw zone prefix.
func (m *Model) short(file string) string {
	if s := strings.TrimPrefix(file, m.root); s != "" {
		return s
	}
	return file
}

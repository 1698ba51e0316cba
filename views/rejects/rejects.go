// Package rejects is the Rejects view: the rejected rows of one dataset at
// a time, filtered by file, by reason code and by free text; a detail pane
// with the raw record, its reasons and its fields re-read with the file's
// header; reprocessing a file's rejects as a job; exporting the filtered
// rows to CSV (formula-guarded) or JSON; and copying a raw record.
package rejects

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Service reads rejected rows and queues their reprocessing for the
// Rejects view; ops.Ops has it.
type Service interface {
	// RawRoot is the raw zone's prefix, left off file names.
	RawRoot() string
	// Rejects reads the rejected rows of a dataset.
	Rejects(ctx context.Context, dataset string, f ops.RejectFilter) ([]ops.RejectRow, error)
	// Submit queues a background job (a reprocess).
	Submit(spec ops.JobSpec) (int, error)
}

type (
	// loadedMsg carries the rejected rows of a dataset.
	loadedMsg struct {
		gen  int
		ds   string
		rows []ops.RejectRow
		err  error
	}
	// submittedMsg reports a queued reprocess job.
	submittedMsg struct {
		id    int
		title string
		err   error
	}
	// exportedMsg reports an export.
	exportedMsg struct {
		path string
		rows int
		err  error
	}
)

// Option configures the view.
type Option func(*Model)

// ExportDir sets the folder exports are written to (default: the current directory).
func ExportDir(dir string) Option { return func(m *Model) { m.exportDir = dir } }

// Model is the Rejects view.
type Model struct {
	svc       Service
	keys      ui.KeyMap
	exportDir string
	now       func() time.Time
	root      string
	bind      struct{ dataset, file, reason, open key.Binding }
	openOnly  bool // show only the open rejected rows (not those a reprocess resolved)

	datasets []string
	ds       int
	chosen   bool // the user picked the dataset (d, or ShowRejects); until then an empty one gives way to the next
	skipped  int  // datasets skipped for being empty since the last load the user asked for
	rows     []ops.RejectRow
	loadGen  int
	loading  bool
	loadErr  error
	ended    int // jobs ended, as the last snapshot said
	watch    int // reprocess job whose end is noted

	fileF, reasonF string
	shown          []int // rows after the file and reason filters; the list's rows align with it
	list           *listview.Model

	picker *listview.Model // file picker, when open
	files  []string        // files in the picker, after "(all files)"
}

// New returns the Rejects view over svc.
func New(svc Service, opts ...Option) *Model {
	m := &Model{svc: svc, keys: ui.DefaultKeyMap(), exportDir: ".", now: time.Now, root: svc.RawRoot(),
		datasets: ops.Datasets()}
	m.bind.dataset = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "next dataset"))
	m.bind.file = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter by file"))
	m.bind.reason = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cycle reason code filter"))
	m.bind.open = key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open rows only / all rows"))
	m.list = listview.New(listview.Options{Exports: []listview.Format{
		{Key: "c", Name: "csv", Label: "(c)sv"}, {Key: "j", Name: "json", Label: "(j)son"}}})
	m.list.SetCellStyle(m.cellStyle)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Rejects" }

// InputFocused reports whether a filter is being typed or the file picker
// is open (it takes every key, digits too, until enter or esc).
func (m *Model) InputFocused() bool { return m.list.Filtering() || m.picker != nil }

// Takes ShowRejects.
func (m *Model) Takes(i ui.Intent) bool { _, ok := i.(ui.ShowRejects); return ok }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	return []key.Binding{m.bind.dataset, m.bind.file, m.bind.reason, m.bind.open, k.Filter, k.Enter, k.Back, k.Reprocess,
		k.Export, k.Copy, k.Refresh, k.Up, k.Down, k.Left, k.Right}
}

func (m *Model) dataset() string { return m.datasets[m.ds] }

// Init loads the first dataset's rejected rows.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	return m.load(ctx)
}

func (m *Model) load(ctx *ui.Context) tea.Cmd {
	m.loadGen++
	m.loading = true
	gen, svc, app, ds := m.loadGen, m.svc, ctx.App, m.dataset()
	return func() tea.Msg {
		rows, err := svc.Rejects(app, ds, ops.RejectFilter{})
		return loadedMsg{gen: gen, ds: ds, rows: rows, err: err}
	}
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case ui.ShowRejects:
		m.chosen = true
		for i, d := range m.datasets {
			if d == msg.Dataset {
				m.ds = i
			}
		}
		m.fileF, m.reasonF, m.picker = msg.File, "", nil
		m.list.CloseDetail()
		m.rows, m.shown = nil, nil
		m.list.SetRows(nil)
		return m, m.load(ctx)
	case loadedMsg:
		if msg.gen != m.loadGen {
			return m, nil
		}
		m.loading, m.loadErr = false, msg.err
		if msg.err == nil && len(msg.rows) == 0 && !m.chosen && m.fileF == "" && m.skipped < len(m.datasets)-1 {
			// Show the first dataset that has rejected rows.
			m.skipped++
			m.ds = (m.ds + 1) % len(m.datasets)
			return m, m.load(ctx)
		}
		m.skipped = 0
		m.rows = msg.rows
		m.applyFilters()
	case ops.JobSnapshot:
		return m, m.jobsChanged(ctx, msg)
	case submittedMsg:
		if msg.err != nil {
			return m, ui.NotifyCmd(msg.err.Error(), true)
		}
		m.watch = msg.id
		text := fmt.Sprintf("job %d queued: %s (see Runs); the list reloads when it ends", msg.id, msg.title)
		return m, ui.NotifyCmd(text, false) // the shell shows it; no second copy in the view
	case ui.ExportTo:
		return m, m.exportTo(msg.Path)
	case exportedMsg:
		m.list.SetNote("", false) // "exporting…" is over: the shell's line says how it went
		if msg.err != nil {
			return m, ui.NotifyCmd(msg.err.Error(), true)
		}
		return m, ui.NotifyCmd(fmt.Sprintf("exported %s to %s", textfmt.Rows(int64(msg.rows)), msg.path), false)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		if m.picker != nil {
			m.picker.Update(&m.keys, msg)
		} else {
			m.list.Update(&m.keys, msg)
		}
	case ui.Click: // a row (or a file in the picker); a second click opens it
		list := m.list
		if m.picker != nil {
			list = m.picker
		}
		if _, again := list.Click(msg); again {
			return m, m.key(ctx, tea.KeyPressMsg{Code: tea.KeyEnter})
		}
	}
	return m, nil
}

// jobsChanged reloads the rows when a job ended (a run or a reprocess adds
// or resolves rejected rows) and notes the end of a reprocess it queued.
func (m *Model) jobsChanged(ctx *ui.Context, s ops.JobSnapshot) tea.Cmd {
	if s.Ended <= m.ended {
		return nil
	}
	m.ended = s.Ended
	if j, ok := s.Job(m.watch); ok && j.State.Done() {
		m.watch = 0
		text := fmt.Sprintf("job %d %s", j.ID, j.State)
		var resolved, open int64
		for _, r := range j.Reprocess {
			resolved, open = resolved+r.Resolved, open+r.Open
		}
		if len(j.Reprocess) > 0 {
			text += fmt.Sprintf(": %s of %s resolved", textfmt.Count(resolved), textfmt.Counted(open, "open row", "open rows"))
		}
		// The shell's line, replacing its "queued" note: one line says how it went.
		return tea.Batch(ui.NotifyCmd(text, j.State != ops.JobSucceeded), m.load(ctx))
	}
	return m.load(ctx)
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case m.picker != nil:
		m.pickerKey(msg)
		return nil
	case m.list.Busy():
		act, cmd := m.list.Update(k, msg)
		if act == listview.Export {
			return m.export(m.list.ExportFormat())
		}
		return cmd
	case m.list.DetailOpen():
		return m.detailKey(ctx, msg)
	}
	switch {
	case key.Matches(msg, m.bind.dataset):
		m.ds = (m.ds + 1) % len(m.datasets)
		m.chosen = true
		m.fileF, m.reasonF, m.rows, m.shown = "", "", nil, nil
		m.list.SetRows(nil)
		return m.load(ctx)
	case key.Matches(msg, m.bind.file):
		m.openPicker()
		return nil
	case key.Matches(msg, m.bind.reason):
		m.cycleReason()
		return nil
	case key.Matches(msg, m.bind.open):
		m.openOnly = !m.openOnly
		m.applyFilters()
		return nil
	case key.Matches(msg, k.Enter):
		if m.current() != nil {
			m.list.OpenDetail(m.detail)
		}
		return nil
	case key.Matches(msg, k.Reprocess):
		return m.reprocess()
	case key.Matches(msg, k.Copy):
		return m.copyRaw()
	case key.Matches(msg, k.Refresh):
		return m.load(ctx)
	}
	switch act, cmd := m.list.Update(k, msg); act {
	case listview.Export:
		return m.export(m.list.ExportFormat())
	case listview.Used:
		return cmd
	}
	if key.Matches(msg, k.Back) && (m.fileF != "" || m.reasonF != "") {
		m.fileF, m.reasonF = "", ""
		m.applyFilters()
	}
	return nil
}

func (m *Model) detailKey(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Copy):
		return m.copyRaw()
	case key.Matches(msg, m.keys.Reprocess):
		return m.reprocess()
	}
	m.list.Update(&m.keys, msg)
	return nil
}

// current is the row under the cursor.
func (m *Model) current() *ops.RejectRow {
	if r := m.list.Cursor(); r >= 0 && r < len(m.shown) {
		return &m.rows[m.shown[r]]
	}
	return nil
}

// reprocess queues a reprocess of the current file's rejects.
func (m *Model) reprocess() tea.Cmd {
	file := m.fileF
	if file == "" {
		if r := m.current(); r != nil {
			file = r.File
		}
	}
	if file == "" {
		m.list.SetNote("no file to reprocess: pick one with f or put the cursor on a row", true)
		return nil
	}
	spec := ops.JobSpec{Title: "reprocess " + path.Base(file),
		Reprocess: &ops.ReprocessOptions{Dataset: m.dataset(), File: file}}
	svc := m.svc
	return func() tea.Msg {
		id, err := svc.Submit(spec)
		return submittedMsg{id: id, title: spec.Title, err: err}
	}
}

// applyFilters rebuilds the list from the rows, the file and the reason filters.
func (m *Model) applyFilters() {
	m.shown = m.shown[:0]
	var cells [][]string
	for i, r := range m.rows {
		if m.fileF != "" && r.File != m.fileF {
			continue
		}
		if m.reasonF != "" && !slices.Contains(r.Reasons, m.reasonF) {
			continue
		}
		if m.openOnly && r.Status != ops.RejectOpen {
			continue
		}
		m.shown = append(m.shown, i)
		row := []string{textfmt.Count(r.Line), strings.Join(r.Reasons, " "), r.Status, r.Raw}
		if m.fileF == "" {
			row = append([]string{path.Base(r.File)}, row...) // the full path is in the detail pane
		}
		cells = append(cells, row)
	}
	// With a file filter, the file column would repeat one name: leave it out.
	cols := []listview.Column{{Title: "line", Width: 6, Right: true}, {Title: "reasons", Max: 30},
		{Title: "status", Width: 8}, {Title: "raw"}}
	if m.fileF == "" {
		cols = append([]listview.Column{{Title: "file", Max: 20, Middle: true}}, cols...)
	}
	if len(cols) != len(m.list.Table().Columns()) {
		m.list.SetColumns(cols)
	}
	m.list.SetEmpty("no rejected rows in " + m.dataset())
	if m.fileF != "" || m.reasonF != "" || m.openOnly {
		m.list.SetEmpty("no rejected rows match the file/reason/open filter (esc clears the file and reason, o shows all)")
	}
	m.list.SetRows(cells)
}

// short is a file key without the raw zone prefix.
func (m *Model) short(file string) string {
	if s := strings.TrimPrefix(file, m.root); s != "" {
		return s
	}
	return file
}

// cycleReason moves the reason filter to the next code present in the
// rows of the current file filter, by count, then back to none.
func (m *Model) cycleReason() {
	counts := map[string]int64{}
	for _, r := range m.rows {
		if m.fileF != "" && r.File != m.fileF {
			continue
		}
		for _, c := range r.Reasons {
			counts[c]++
		}
	}
	codes := ops.SortedReasons(counts)
	next := ""
	if m.reasonF == "" {
		if len(codes) > 0 {
			next = codes[0]
		}
	} else if i := slices.Index(codes, m.reasonF); i >= 0 && i+1 < len(codes) {
		next = codes[i+1]
	}
	m.reasonF = next
	m.applyFilters()
}

func (m *Model) openPicker() {
	counts := map[string]int{}
	for _, r := range m.rows {
		counts[r.File]++
	}
	m.files = m.files[:0]
	for f := range counts {
		m.files = append(m.files, f)
	}
	sort.Strings(m.files)
	rows := [][]string{{"(all files)", fmt.Sprint(len(m.rows))}}
	for _, f := range m.files {
		rows = append(rows, []string{m.short(f), fmt.Sprint(counts[f])})
	}
	m.picker = listview.New(listview.Options{Columns: []listview.Column{{Title: "file", Flex: true, Middle: true, Max: 60},
		{Title: "rejected rows", Right: true}}})
	m.picker.SetRows(rows)
	for i, f := range m.files {
		if f == m.fileF {
			m.picker.SelectRow(i + 1)
		}
	}
}

func (m *Model) pickerKey(msg tea.KeyPressMsg) {
	if !m.picker.Filtering() && key.Matches(msg, m.keys.Enter) {
		if r := m.picker.Cursor(); r == 0 {
			m.fileF = ""
		} else if r > 0 {
			m.fileF = m.files[r-1]
		}
		m.picker, m.reasonF = nil, ""
		m.applyFilters()
		return
	}
	if act, _ := m.picker.Update(&m.keys, msg); act == listview.Pass && key.Matches(msg, m.keys.Back) {
		m.picker = nil
	}
}

func (m *Model) cellStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if row < 0 || row >= len(m.shown) {
		return lipgloss.Style{}, false
	}
	if m.fileF != "" {
		col++ // no file column
	}
	switch col {
	case 2:
		return th.Error, true
	case 3:
		if m.rows[m.shown[row]].Status != ops.RejectOpen { // resolved or replaced
			return th.OK, true
		}
		return th.Warn, true
	}
	return lipgloss.Style{}, false
}

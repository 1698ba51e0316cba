// Package rejectsview is the Rejects view (folder views/rejects; named
// rejectsview to keep etl/rejects unshadowed): the rejected rows of one
// dataset at a time, filtered by file, by reason code and by free text; a
// detail pane with the raw record, its reasons and its fields re-read with
// the file's header; reprocessing a file's rejects as a job; exporting the
// filtered rows to CSV (with a formula-injection guard) or JSON; and
// copying a raw record.
package rejectsview

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

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/lineinput"
	"github.com/lakeops/lakeops/ui/components/table"
)

// loadedMsg carries the rejected rows of a dataset.
type loadedMsg struct {
	gen  int
	ds   string
	rows []rejects.Row
	err  error
}

// submittedMsg reports a queued reprocess job.
type submittedMsg struct {
	id    int
	title string
}

// exportedMsg reports an export.
type exportedMsg struct {
	path string
	rows int
	err  error
}

// Option configures the view.
type Option func(*Model)

// ExportDir sets the folder exports are written to (default: the current directory).
func ExportDir(dir string) Option { return func(m *Model) { m.exportDir = dir } }

// Model is the Rejects view.
type Model struct {
	keys      ui.KeyMap
	exportDir string
	now       func() time.Time
	root      string // the raw zone prefix, left off file names
	bind      struct{ dataset, file, reason key.Binding }

	datasets []string
	ds       int
	chosen   bool // the user picked the dataset (d, or a ShowFile); until then an empty one gives way to the next
	skipped  int  // datasets skipped for being empty since the last load the user asked for
	rows     []rejects.Row
	loadGen  int
	loading  bool
	loadErr  error
	doneJobs map[int]bool
	watch    int // reprocess job whose end reloads the rows

	fileF, reasonF string
	shown          []int // rows after the file and reason filters; table rows align with it
	table          *table.Model
	filter         lineinput.Model

	detail *detailPane
	picker *table.Model // file picker, when open
	files  []string     // files in the picker, after "(all files)"
	prompt bool         // export format prompt

	note    string
	noteErr bool
}

// New returns the Rejects view.
func New(opts ...Option) *Model {
	m := &Model{keys: ui.DefaultKeyMap(), exportDir: ".", now: time.Now, doneJobs: map[int]bool{},
		filter: lineinput.New("/")}
	for _, d := range dataset.All() {
		m.datasets = append(m.datasets, d.Name)
	}
	m.bind.dataset = key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "next dataset"))
	m.bind.file = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter by file"))
	m.bind.reason = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cycle reason code filter"))
	m.table = table.New()
	m.table.SetCellStyle(m.cellStyle)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Rejects" }

// InputFocused reports whether the free-text filter has focus.
func (m *Model) InputFocused() bool { return m.filter.Focused() }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	return []key.Binding{m.bind.dataset, m.bind.file, m.bind.reason, k.Filter, k.Enter, k.Back, k.Reprocess,
		k.Export, k.Copy, k.Refresh, k.Up, k.Down, k.Left, k.Right}
}

func (m *Model) dataset() string { return m.datasets[m.ds] }

// Init loads the first dataset's rejected rows.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	m.root = ctx.Services.Lake.Layout.Bronze
	for _, j := range ctx.Services.Jobs.Jobs() {
		if j.State.Done() {
			m.doneJobs[j.ID] = true
		}
	}
	return m.load(ctx)
}

func (m *Model) load(ctx *ui.Context) tea.Cmd {
	m.loadGen++
	m.loading = true
	return loadCmd(ctx.Services.Lake, m.dataset(), m.loadGen)
}

func loadCmd(lk *lake.Lake, ds string, gen int) tea.Cmd {
	return func() tea.Msg {
		rows, err := rejects.Read(context.Background(), lk, ds, rejects.Filter{})
		if err != nil {
			err = fmt.Errorf("read rejected rows of %s: %w", ds, err)
		}
		return loadedMsg{gen: gen, ds: ds, rows: rows, err: err}
	}
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case ShowFile:
		m.chosen = true
		for i, d := range m.datasets {
			if d == msg.Dataset {
				m.ds = i
			}
		}
		m.fileF, m.reasonF, m.detail, m.picker, m.prompt = msg.File, "", nil, nil, false
		m.rows, m.shown = nil, nil
		m.table.SetRows(nil)
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
	case ui.JobsChanged:
		return m, m.jobsChanged(ctx)
	case submittedMsg:
		m.watch = msg.id
		text := fmt.Sprintf("job %d queued: %s (see Runs); the list reloads when it ends", msg.id, msg.title)
		return m, ui.NotifyCmd(text, false) // the shell shows it; no second copy in the view
	case exportedMsg:
		if msg.err != nil {
			return m, ui.NotifyCmd(msg.err.Error(), true)
		}
		return m, ui.NotifyCmd(fmt.Sprintf("exported %d rows to %s", msg.rows, msg.path), false)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		switch {
		case m.picker != nil:
			m.picker.Update(&m.keys, msg)
		case m.detail != nil:
			m.detail.fields.Update(&m.keys, msg)
		default:
			m.table.Update(&m.keys, msg)
		}
	}
	return m, nil
}

// jobsChanged reloads the rows when a job ended (a run or a reprocess adds
// or resolves rejected rows).
func (m *Model) jobsChanged(ctx *ui.Context) tea.Cmd {
	ended := false
	for _, j := range ctx.Services.Jobs.Jobs() {
		if j.State.Done() && !m.doneJobs[j.ID] {
			m.doneJobs[j.ID] = true
			ended = true
			if j.ID == m.watch {
				m.watch = 0
				m.setNote(fmt.Sprintf("job %d %s", j.ID, j.State), j.State != jobs.Succeeded)
			}
		}
	}
	if !ended {
		return nil
	}
	return m.load(ctx)
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.filter.Focused() {
		res, cmd := m.filter.Update(msg)
		if res != lineinput.Ignored {
			m.table.SetFilter(m.filter.Value())
		}
		return cmd
	}
	switch {
	case m.prompt:
		return m.promptKey(msg)
	case m.picker != nil:
		m.pickerKey(msg)
		return nil
	case m.detail != nil:
		return m.detailKey(ctx, msg)
	}
	m.note = ""
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.Focus()
	case key.Matches(msg, k.Back):
		switch {
		case m.filter.Value() != "":
			m.filter.Reset()
			m.table.SetFilter("")
		case m.fileF != "" || m.reasonF != "":
			m.fileF, m.reasonF = "", ""
			m.applyFilters()
		}
	case key.Matches(msg, m.bind.dataset):
		m.ds = (m.ds + 1) % len(m.datasets)
		m.chosen = true
		m.fileF, m.reasonF, m.rows, m.shown = "", "", nil, nil
		m.table.SetRows(nil)
		return m.load(ctx)
	case key.Matches(msg, m.bind.file):
		m.openPicker()
	case key.Matches(msg, m.bind.reason):
		m.cycleReason()
	case key.Matches(msg, k.Enter):
		if r := m.current(); r != nil {
			m.detail = newDetail(m.dataset(), *r)
		}
	case key.Matches(msg, k.Reprocess):
		return m.reprocess(ctx)
	case key.Matches(msg, k.Export):
		if m.table.Len() == 0 {
			m.setNote("nothing to export", true)
			return nil
		}
		m.prompt = true
	case key.Matches(msg, k.Copy):
		return m.copyRaw()
	case key.Matches(msg, k.Refresh):
		return m.load(ctx)
	default:
		m.table.Update(k, msg)
	}
	return nil
}

func (m *Model) setNote(s string, isErr bool) { m.note, m.noteErr = s, isErr }

// current is the row under the cursor.
func (m *Model) current() *rejects.Row {
	if r := m.table.Cursor(); r >= 0 && r < len(m.shown) {
		return &m.rows[m.shown[r]]
	}
	return nil
}

func (m *Model) copyRaw() tea.Cmd {
	r := m.current()
	if r == nil {
		return nil
	}
	m.setNote(fmt.Sprintf("copied the raw record of line %d", r.Line), false)
	text := string(r.RawBytes())
	return func() tea.Msg { return ui.Copy{Text: text} }
}

// reprocess queues a reprocess of the current file's rejects.
func (m *Model) reprocess(ctx *ui.Context) tea.Cmd {
	file := m.fileF
	if file == "" {
		if r := m.current(); r != nil {
			file = r.File
		}
	}
	if file == "" {
		m.setNote("no file to reprocess: pick one with f or put the cursor on a row", true)
		return nil
	}
	spec := jobs.Spec{Title: "reprocess " + path.Base(file),
		Reprocess: &pipeline.ReprocessOptions{Dataset: m.dataset(), File: file}}
	jm := ctx.Services.Jobs
	return func() tea.Msg { return submittedMsg{id: jm.Submit(spec), title: spec.Title} }
}

// applyFilters rebuilds the table from the rows, the file and the reason filters.
func (m *Model) applyFilters() {
	m.shown = m.shown[:0]
	var cells [][]string
	for i, r := range m.rows {
		if m.fileF != "" && r.File != m.fileF {
			continue
		}
		if m.reasonF != "" && !hasReason(r.Reasons, m.reasonF) {
			continue
		}
		m.shown = append(m.shown, i)
		row := []string{fmt.Sprint(r.Line), strings.Join(r.Reasons, " "), r.Status, r.Raw}
		if m.fileF == "" {
			row = append([]string{path.Base(r.File)}, row...) // the full path is in the detail pane
		}
		cells = append(cells, row)
	}
	// With a file filter, the file column would repeat one name: leave it out.
	cols := []table.Column{{Title: "line", Width: 6, Right: true}, {Title: "reasons", Max: 30},
		{Title: "status", Width: 8}, {Title: "raw"}}
	if m.fileF == "" {
		cols = append([]table.Column{{Title: "file", Max: 30}}, cols...)
	}
	if len(cols) != len(m.table.Columns()) {
		m.table.SetColumns(cols)
	}
	m.table.Empty = "no rejected rows in " + m.dataset()
	if m.fileF != "" || m.reasonF != "" {
		m.table.Empty = "no rejected rows match the file/reason filter (esc clears it)"
	}
	m.table.SetRows(cells)
}

func hasReason(reasons []string, code string) bool { return slices.Contains(reasons, code) }

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
	codes := jobs.SortedReasons(counts)
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
	m.picker = table.New(table.Column{Title: "file", Max: 60}, table.Column{Title: "rejected rows", Right: true})
	m.picker.SetRows(rows)
	for i, f := range m.files {
		if f == m.fileF {
			m.picker.SetPosition(i + 1)
		}
	}
}

func (m *Model) pickerKey(msg tea.KeyPressMsg) {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.picker = nil
	case key.Matches(msg, m.keys.Enter):
		if r := m.picker.Cursor(); r == 0 {
			m.fileF = ""
		} else if r > 0 {
			m.fileF = m.files[r-1]
		}
		m.picker, m.reasonF = nil, ""
		m.applyFilters()
	default:
		m.picker.Update(&m.keys, msg)
	}
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	m.prompt = false
	var format string
	switch msg.String() {
	case "c":
		format = "csv"
	case "j":
		format = "json"
	default:
		m.setNote("export cancelled", false)
		return nil
	}
	var rows []rejects.Row
	for pos := 0; pos < m.table.Len(); pos++ {
		rows = append(rows, m.rows[m.shown[m.table.RowAt(pos)]])
	}
	m.setNote("exporting…", false)
	return exportCmd(m.exportDir, m.dataset(), format, m.now(), rows)
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
		if m.rows[m.shown[row]].Status == rejects.StatusResolved {
			return th.OK, true
		}
		return th.Warn, true
	}
	return lipgloss.Style{}, false
}

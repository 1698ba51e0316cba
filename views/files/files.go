// Package files is the Files view: it browses the raw zone (the lake's
// bronze prefix) folder by folder with a lazily paged, delimited listing,
// shows each file's dataset, size, modification time and ingest status (from
// the ingest log and the running jobs), validates a file with a dry run,
// previews a file's first records with the cells that break a rule
// highlighted, and runs files as background jobs.
package files

import (
	"fmt"
	"maps"
	"path"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/lineinput"
	"github.com/lakeops/lakeops/ui/components/table"
)

// Ingest statuses of a raw file.
const (
	StatusNew      = "new"
	StatusIngested = "ingested"
	StatusPartial  = "partially rejected"
	StatusFailed   = "failed"
	StatusRunning  = "running"
)

// Sort orders, cycled with the sort key.
const (
	sortName = iota
	sortSize
	sortModified
	sortStatus
	numSorts
)

func sortLabel(by int) string {
	switch by {
	case sortSize:
		return "size"
	case sortModified:
		return "modified"
	case sortStatus:
		return "status"
	}
	return "name"
}

// before orders two entries of the same kind by the sort order.
func before(by int, a, b *entry) bool {
	switch by {
	case sortSize:
		if a.info.Size != b.info.Size {
			return a.info.Size > b.info.Size
		}
	case sortModified:
		if !a.info.ModTime.Equal(b.info.ModTime) {
			return a.info.ModTime.After(b.info.ModTime)
		}
	case sortStatus:
		if a.status != b.status {
			return a.status < b.status
		}
	}
	return a.seq < b.seq
}

// entry is one listed object or folder.
type entry struct {
	info    storage.ObjectInfo
	seq     int    // position in listing order
	name    string // relative to the folder shown
	dataset string
	status  string
}

// Model is the Files view.
type Model struct {
	keys ui.KeyMap

	root, dir string
	entries   []entry
	after     string // last key listed, to resume the listing
	more      bool
	loading   bool
	listGen   int
	listErr   error

	ledger    map[string][]ledger.Entry
	ledgerGen int
	running   map[string]bool
	doneJobs  map[int]bool
	selected  map[string]bool

	sortBy int
	table  *table.Model
	filter lineinput.Model

	result    string
	resultErr bool
	valGen    int

	preview    *previewPane
	previewGen int
}

// New returns the Files view; it starts listing when Init runs.
func New() *Model {
	m := &Model{keys: ui.DefaultKeyMap(), running: map[string]bool{}, doneJobs: map[int]bool{},
		selected: map[string]bool{}, filter: lineinput.New("/")}
	m.table = table.New(
		table.Column{Title: " ", Width: 1},
		table.Column{Title: "name", Max: 48},
		table.Column{Title: "dataset", Max: 11},
		table.Column{Title: "size", Width: 9, Right: true},
		table.Column{Title: "modified", Width: 19},
		table.Column{Title: "status"},
	)
	m.table.Empty = "no files here"
	m.table.SetCellStyle(m.cellStyle)
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Files" }

// InputFocused reports whether the filter input has focus.
func (m *Model) InputFocused() bool { return m.filter.Focused() }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	open := key.NewBinding(key.WithKeys("enter", "o"), key.WithHelp("enter/o", "open folder / preview file"))
	return []key.Binding{open, k.Back, k.Select, k.Validate, k.Run, k.RunAll, k.Sort, k.Filter, k.Refresh,
		k.Up, k.Down, k.PageUp, k.PageDown, k.Left, k.Right}
}

// Init starts listing the raw zone and reading the ingest log.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	m.root = ctx.Services.Lake.Layout.Bronze
	if m.root != "" && !strings.HasSuffix(m.root, "/") {
		m.root += "/"
	}
	m.dir = m.root
	m.refreshRunning(ctx)
	return tea.Batch(m.openDir(ctx, m.dir), m.loadLedger(ctx))
}

func (m *Model) loadLedger(ctx *ui.Context) tea.Cmd {
	m.ledgerGen++
	return ledgerCmd(ctx.Services.Lake, m.ledgerGen)
}

// openDir starts a fresh listing of dir.
func (m *Model) openDir(ctx *ui.Context, dir string) tea.Cmd {
	m.dir = dir
	m.entries, m.after, m.more, m.listErr = nil, "", false, nil
	m.table.SetRows(nil)
	m.table.SetPosition(0)
	m.listGen++
	m.loading = true
	return listCmd(ctx.Services.Lake.Store, dir, "", m.listGen)
}

// loadMore lists the next page when the cursor nears the end.
func (m *Model) loadMore(ctx *ui.Context) tea.Cmd {
	if !m.more || m.loading || !m.table.NearEnd(loadAhead) {
		return nil
	}
	m.loading = true
	return listCmd(ctx.Services.Lake.Store, m.dir, m.after, m.listGen)
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case listedMsg:
		if msg.gen != m.listGen {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			m.listErr = msg.err
			return m, nil
		}
		for _, info := range msg.infos {
			m.entries = append(m.entries, m.newEntry(info, len(m.entries)))
			m.after = info.Key
		}
		m.more = msg.more
		m.rebuild()
		return m, m.loadMore(ctx)
	case ledgerMsg:
		if msg.gen != m.ledgerGen {
			return m, nil
		}
		if msg.err != nil {
			m.setResult(msg.err.Error(), true)
			return m, nil
		}
		m.ledger = msg.entries
		m.rebuild()
		return m, nil
	case ui.JobsChanged:
		before := m.running
		finished := m.refreshRunning(ctx)
		if !maps.Equal(before, m.running) {
			m.rebuild()
		}
		if finished {
			return m, m.loadLedger(ctx)
		}
		return m, nil
	case validatedMsg:
		if msg.gen != m.valGen {
			return m, nil
		}
		text, isErr := validationText(msg)
		m.setResult(text, isErr)
		return m, ui.NotifyCmd(text, isErr)
	case previewMsg:
		if m.preview == nil || msg.gen != m.previewGen {
			return m, nil
		}
		m.preview.load(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		if m.preview != nil {
			m.preview.table.Update(&m.keys, msg)
			return m, nil
		}
		m.table.Update(&m.keys, msg)
		return m, m.loadMore(ctx)
	}
	return m, nil
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.filter.Focused() {
		res, cmd := m.filter.Update(msg)
		if res != lineinput.Ignored {
			m.table.SetFilter(m.filter.Value())
		}
		return tea.Batch(cmd, m.loadMore(ctx))
	}
	if m.preview != nil {
		return m.previewKey(ctx, msg)
	}
	switch {
	case key.Matches(msg, k.Filter):
		m.filter.Focus()
	case key.Matches(msg, k.Back):
		if m.filter.Value() != "" {
			m.filter.Reset()
			m.table.SetFilter("")
			return nil
		}
		if m.dir != m.root {
			parent := path.Dir(strings.TrimSuffix(m.dir, "/")) + "/"
			if !strings.HasPrefix(parent, m.root) || parent == "./" {
				parent = m.root
			}
			return m.openDir(ctx, parent)
		}
	case key.Matches(msg, k.Enter), msg.String() == "o":
		e := m.current()
		switch {
		case e == nil:
		case e.info.IsPrefix:
			m.filter.Reset()
			m.table.SetFilter("")
			return m.openDir(ctx, e.info.Key)
		default:
			m.previewGen++
			m.preview = newPreview(e.info.Key)
			m.setResult("", false)
			return previewCmd(ctx.Services.Lake.Store, e.info.Key, m.previewGen)
		}
	case key.Matches(msg, k.Select):
		if e := m.current(); e != nil && !e.info.IsPrefix {
			if m.selected[e.info.Key] {
				delete(m.selected, e.info.Key)
			} else {
				m.selected[e.info.Key] = true
			}
			m.rebuild()
			m.table.Move(1)
		}
	case key.Matches(msg, k.Validate):
		if e := m.current(); e != nil && !e.info.IsPrefix {
			return m.validate(ctx, e.info.Key)
		}
	case key.Matches(msg, k.Run):
		return m.run(ctx)
	case key.Matches(msg, k.RunAll):
		return submitCmd(ctx.Services.Jobs, jobs.Spec{Title: "run all new files"})
	case key.Matches(msg, k.Sort):
		m.sortBy = (m.sortBy + 1) % numSorts
		m.rebuild()
	case key.Matches(msg, k.Refresh):
		return tea.Batch(m.openDir(ctx, m.dir), m.loadLedger(ctx))
	default:
		m.table.Update(k, msg)
	}
	return m.loadMore(ctx)
}

func (m *Model) validate(ctx *ui.Context, file string) tea.Cmd {
	m.valGen++
	m.setResult("validating "+path.Base(file)+"…", false)
	return validateCmd(ctx.Services.Lake, file, m.valGen)
}

// run submits the selected files (or the file under the cursor) as a job.
func (m *Model) run(ctx *ui.Context) tea.Cmd {
	var files []string
	for _, e := range m.entries {
		if m.selected[e.info.Key] {
			files = append(files, e.info.Key)
		}
	}
	if len(files) == 0 {
		if e := m.current(); e != nil && !e.info.IsPrefix {
			files = []string{e.info.Key}
		}
	}
	if len(files) == 0 {
		m.setResult("nothing to run: select files with space, or put the cursor on a file (R runs all new files)", true)
		return nil
	}
	title := "run " + path.Base(files[0])
	if len(files) > 1 {
		title = fmt.Sprintf("run %d files", len(files))
	}
	m.selected = map[string]bool{}
	for _, f := range files {
		m.running[f] = true
	}
	m.rebuild()
	return submitCmd(ctx.Services.Jobs, jobs.Spec{Title: title, Files: files})
}

func (m *Model) setResult(text string, isErr bool) { m.result, m.resultErr = text, isErr }

// current is the entry under the cursor.
func (m *Model) current() *entry {
	if r := m.table.Cursor(); r >= 0 && r < len(m.entries) {
		return &m.entries[r]
	}
	return nil
}

// refreshRunning reads the jobs' files and reports whether a job finished
// since the last look (then the ingest log must be read again).
func (m *Model) refreshRunning(ctx *ui.Context) bool {
	m.running = map[string]bool{}
	finished := false
	for _, j := range ctx.Services.Jobs.Jobs() {
		if j.State.Done() {
			if !m.doneJobs[j.ID] {
				m.doneJobs[j.ID] = true
				finished = true
			}
			continue
		}
		for _, f := range j.Spec.Files {
			m.running[f] = true
		}
		for _, f := range j.Files {
			if f.Stage != pipeline.StageDone {
				m.running[f.File] = true
			}
		}
	}
	return finished
}

func (m *Model) newEntry(info storage.ObjectInfo, seq int) entry {
	e := entry{info: info, seq: seq, name: strings.TrimPrefix(info.Key, m.dir)}
	if ds, ok := dataset.Detect(strings.TrimSuffix(info.Key, "/")); ok {
		e.dataset = ds.Name
	} else if !info.IsPrefix && dataset.IsRawFile(info.Key) {
		e.dataset = "?"
	}
	return e
}

// statusOf is a file's ingest status.
func (m *Model) statusOf(e *entry) string {
	if e.info.IsPrefix {
		return ""
	}
	if !dataset.IsRawFile(e.info.Key) {
		return "not a raw file"
	}
	if m.running[e.info.Key] {
		return StatusRunning
	}
	id := ledger.Identity{Key: e.info.Key, Size: e.info.Size, ETag: e.info.ETag, ModTime: e.info.ModTime}
	var last *ledger.Entry
	for i, le := range m.ledger[e.info.Key] {
		if !ledger.Same(le.Identity(), id) {
			continue
		}
		if le.Status == ledger.StatusSucceeded {
			if le.Rejected > 0 {
				return StatusPartial
			}
			return StatusIngested
		}
		if last == nil || le.EndedAt.After(last.EndedAt) {
			last = &m.ledger[e.info.Key][i]
		}
	}
	if last != nil && last.Status == ledger.StatusFailed {
		return StatusFailed
	}
	return StatusNew
}

// rebuild recomputes statuses, sorts and refreshes the table, keeping the
// cursor on the same entry.
func (m *Model) rebuild() {
	cur := ""
	if e := m.current(); e != nil {
		cur = e.info.Key
	}
	for i := range m.entries {
		m.entries[i].status = m.statusOf(&m.entries[i])
	}
	sort.SliceStable(m.entries, func(i, j int) bool {
		a, b := &m.entries[i], &m.entries[j]
		if a.info.IsPrefix != b.info.IsPrefix {
			return a.info.IsPrefix
		}
		return before(m.sortBy, a, b)
	})
	rows := make([][]string, len(m.entries))
	for i := range m.entries {
		rows[i] = m.row(&m.entries[i])
	}
	m.table.SetRows(rows)
	for i := range m.entries {
		if m.entries[i].info.Key == cur {
			m.table.SelectRow(i)
			break
		}
	}
}

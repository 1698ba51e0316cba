// Package files is the Files view: it browses the raw zone (the lake's
// bronze prefix) folder by folder with a lazily paged, delimited listing,
// shows each file's dataset, size, modification time and ingest status
// (from the ingest log and the job snapshots), validates a file with a dry
// run, previews a file's first records with the cells that break a rule
// highlighted, and runs files as background jobs.
package files

import (
	"cmp"
	"context"
	"maps"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Service browses the raw zone, previews, validates and runs files for
// the Files view; ops.Ops has it.
type Service interface {
	// RawRoot is the raw zone's prefix: the folder the view starts in.
	RawRoot() string
	// ListRaw lists one page of a folder after a key.
	ListRaw(ctx context.Context, dir, after string, limit int) (ops.RawPage, error)
	// IngestIndex reads the ingest log, to tell each file's status.
	IngestIndex(ctx context.Context) (ops.IngestIndex, error)
	// Preview reads a file's first records, checked against the row rules.
	Preview(ctx context.Context, key string, records int) (*ops.Preview, error)
	// Validate dry-runs the pipeline on files.
	Validate(ctx context.Context, keys ...string) (*ops.Summary, error)
	// Submit queues a background job.
	Submit(spec ops.JobSpec) (int, error)
	// RawFilesUnder lists the raw files under a folder, every level.
	RawFilesUnder(ctx context.Context, dir string) ([]string, error)
	// ArchiveRoot is the archive's prefix (browsable, not runnable).
	ArchiveRoot() string
	// PlanLoad says what a run of files (none: every new one) would take.
	PlanLoad(ctx context.Context, files []string, force bool, now time.Time) (ops.LoadPlan, error)
}

// Sizes of the lazy listing and the preview.
const (
	pageSize       = 500 // entries per listing page
	loadAhead      = 50  // load the next page when the cursor is this close to the end
	previewRecords = 200 // records shown in a preview
)

type (
	// listedMsg is one page of a folder listing.
	listedMsg struct {
		gen  int
		page ops.RawPage
		err  error
	}
	// indexMsg carries the ingest log.
	indexMsg struct {
		gen int
		ix  ops.IngestIndex
		err error
	}
	// validatedMsg is the outcome of a dry run on one file.
	validatedMsg struct {
		gen int
		key string
		sum *ops.Summary
		err error
	}
	// previewMsg is the first records of a file.
	previewMsg struct {
		gen int
		p   *ops.Preview
		err error
	}
)

// Model is the Files view.
type Model struct {
	svc  Service
	keys ui.KeyMap

	root, dir  string
	entries    []ops.RawEntry // in listing order; the list's rows align with them
	statuses   []string
	oneDataset string // the dataset of every entry of the folder (its column goes), or ""
	more       bool
	loading    bool
	listGen    int
	listErr    error
	loadAll    bool   // keep listing pages until the folder is whole (a sort, G, a refresh)
	toBottom   bool   // then put the cursor on the last entry (G)
	keepKey    string // then put the cursor back on this entry (a refresh)

	index    ops.IngestIndex
	indexGen int
	running  map[string]bool // files a job works on, from the last snapshot (and the runs just submitted)
	ended    int             // jobs ended, as the last snapshot said

	list   *listview.Model
	valGen int

	preview    *previewPane
	previewGen int

	archive string  // the archive's prefix
	ask     *askRun // a run waiting for y/n
	force   key.Binding
	recheck key.Binding // answers a forced re-run's question: check every row
	toArch  key.Binding
}

// New returns the Files view over svc; it starts listing when Init runs.
func New(svc Service) *Model {
	m := &Model{svc: svc, keys: ui.DefaultKeyMap(), running: map[string]bool{},
		force:   key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "force a re-run of the selection or file (asks)")),
		recheck: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check every row of the forced run")),
		toArch:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "the archive / back to the raw zone"))}
	m.root, m.archive = svc.RawRoot(), svc.ArchiveRoot()
	m.dir = m.root
	m.list = listview.New(listview.Options{
		Empty:   "no files here",
		Select:  true,
		SortKey: m.keys.Sort,
		Sorts: []listview.Sort{{Label: "name", Compare: m.by(nil)},
			{Label: "size", Compare: m.by(func(a, b int) int { return cmp.Compare(m.entries[b].Size, m.entries[a].Size) })},
			{Label: "modified", Compare: m.by(func(a, b int) int { return m.entries[b].Modified.Compare(m.entries[a].Modified) })},
			{Label: "status", Compare: m.by(func(a, b int) int { return cmp.Compare(m.statuses[a], m.statuses[b]) })}},
		Columns: []listview.Column{{Title: "name", Flex: true, Middle: true, Max: 48}, {Title: "dataset", Max: 11, Optional: true},
			{Title: "size", Width: 9, Right: true}, {Title: "modified", Width: 19}, {Title: "status", Max: 18}},
	})
	m.list.SetCellStyle(m.cellStyle)
	return m
}

// by orders entries (by index): folders first, then files by less (when
// it tells them apart), then in listing order.
func (m *Model) by(less func(a, b int) int) func(a, b int) int {
	return func(a, b int) int {
		fa, fb := m.entries[a].Folder, m.entries[b].Folder
		if fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		if less != nil && !fa {
			if c := less(a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	}
}

// Title is the tab name.
func (m *Model) Title() string { return "Files" }

// InputFocused reports whether a filter is being typed.
func (m *Model) InputFocused() bool { return m.current().Filtering() }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	open := key.NewBinding(key.WithKeys("enter", "o"), key.WithHelp("enter/o", "open folder / preview file"))
	run := key.NewBinding(key.WithKeys(k.Run.Keys()...), key.WithHelp(k.Run.Help().Key, "run the selection, the file, or a whole folder (asks)"))
	return []key.Binding{open, k.Back, k.Select, k.Validate, run, k.RunAll, m.force, m.toArch, k.Sort, k.Filter, k.Refresh,
		k.Up, k.Down, k.PageUp, k.PageDown, k.Left, k.Right}
}

// Init starts listing the raw zone and reading the ingest log.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	return tea.Batch(m.openDir(ctx, m.dir), m.loadIndex(ctx))
}

// current is the list the keys go to: the preview's or the folder's.
func (m *Model) current() *listview.Model {
	if m.preview != nil {
		return m.preview.list
	}
	return m.list
}

func (m *Model) loadIndex(ctx *ui.Context) tea.Cmd {
	m.indexGen++
	gen, svc, app := m.indexGen, m.svc, ctx.App
	return func() tea.Msg {
		ix, err := svc.IngestIndex(app)
		return indexMsg{gen: gen, ix: ix, err: err}
	}
}

// openDir starts a fresh listing of dir.
func (m *Model) openDir(ctx *ui.Context, dir string) tea.Cmd {
	m.dir, m.loadAll, m.toBottom, m.keepKey = dir, false, false, ""
	m.entries, m.statuses, m.more, m.listErr = nil, nil, false, nil
	m.list.SetRows(nil) // before the filter goes: its order reads the entries
	m.list.ClearFilter()
	m.list.Table().SetPosition(0)
	m.listGen++
	return m.listPage(ctx, "")
}

func (m *Model) listPage(ctx *ui.Context, after string) tea.Cmd {
	m.loading = true
	gen, svc, app, dir := m.listGen, m.svc, ctx.App, m.dir
	return func() tea.Msg {
		page, err := svc.ListRaw(app, dir, after, pageSize)
		return listedMsg{gen: gen, page: page, err: err}
	}
}

// loadMore lists the next page when the cursor nears the end.
func (m *Model) loadMore(ctx *ui.Context) tea.Cmd {
	if !m.more || m.loading || !m.list.Table().NearEnd(loadAhead) || len(m.entries) == 0 {
		return nil
	}
	return m.listPage(ctx, m.entries[len(m.entries)-1].Key)
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
		m.entries = append(m.entries, msg.page.Entries...)
		m.more = msg.page.More
		m.rebuild()
		if m.loadAll && m.more {
			return m, m.listPage(ctx, m.entries[len(m.entries)-1].Key)
		}
		m.wholeLoaded()
		return m, m.loadMore(ctx)
	case indexMsg:
		if msg.gen != m.indexGen {
			return m, nil
		}
		if msg.err != nil {
			m.list.SetNote(msg.err.Error(), true)
			return m, nil
		}
		m.index = msg.ix
		m.rebuild()
	case ops.JobSnapshot:
		running := msg.RunningFiles()
		if !maps.Equal(running, m.running) {
			m.running = running
			m.rebuild()
		}
		if msg.Ended > m.ended { // a run may have archived, loaded or failed files: list again
			m.ended = msg.Ended
			return m, tea.Batch(m.relist(ctx), m.loadIndex(ctx))
		}
	case expandedMsg:
		return m, m.expanded(msg)
	case validatedMsg:
		if msg.gen != m.valGen {
			return m, nil
		}
		text, isErr := validationText(msg)
		return m, ui.NotifyCmd(text, isErr) // the shell's line, wrapped when long: said once
	case previewMsg:
		if m.preview == nil || msg.gen != m.previewGen {
			return m, nil
		}
		m.preview.load(msg)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		m.current().Update(&m.keys, msg)
		return m, m.loadMore(ctx)
	case ui.Click: // a row; a second click opens it
		if _, again := m.current().Click(msg); again {
			return m, m.key(ctx, tea.KeyPressMsg{Code: tea.KeyEnter})
		}
		return m, m.loadMore(ctx)
	}
	return m, nil
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.preview != nil {
		return m.previewKey(ctx, msg)
	}
	if m.list.Busy() {
		m.list.Update(k, msg)
		return m.loadMore(ctx)
	}
	if m.ask != nil {
		return m.answer(msg)
	}
	switch {
	case key.Matches(msg, m.toArch):
		if strings.HasPrefix(m.dir, m.archive) {
			return m.openDir(ctx, m.root)
		}
		return m.openDir(ctx, m.archive)
	case key.Matches(msg, m.force):
		return m.run(ctx, true)
	case key.Matches(msg, k.Enter), msg.String() == "o":
		return m.open(ctx)
	case key.Matches(msg, k.Validate):
		if e := m.entry(); e != nil && !e.Folder {
			return m.validate(ctx, e.Key)
		}
		return nil
	case key.Matches(msg, k.Run):
		return m.run(ctx, false)
	case key.Matches(msg, k.RunAll):
		return m.runAll(ctx)
	case key.Matches(msg, k.Refresh):
		return tea.Batch(m.relist(ctx), m.loadIndex(ctx))
	case m.more && (key.Matches(msg, k.Sort) || key.Matches(msg, k.Bottom)):
		// Sort and jump over the whole folder: list the rest first.
		m.loadAll, m.toBottom = true, key.Matches(msg, k.Bottom)
		m.list.Update(k, msg)
		if m.loading {
			return nil
		}
		return m.listPage(ctx, m.entries[len(m.entries)-1].Key)
	}
	if act, cmd := m.list.Update(k, msg); act != listview.Pass {
		return tea.Batch(cmd, m.loadMore(ctx))
	}
	if key.Matches(msg, k.Back) && m.dir != m.root && m.dir != m.archive {
		top := m.root
		if strings.HasPrefix(m.dir, m.archive) {
			top = m.archive
		}
		parent := path.Dir(strings.TrimSuffix(m.dir, "/")) + "/"
		if !strings.HasPrefix(parent, top) || parent == "./" {
			parent = top
		}
		return m.openDir(ctx, parent)
	}
	return nil
}

// relist lists the folder again, keeping the cursor on its entry (all
// pages are listed again when more than the first were).
func (m *Model) relist(ctx *ui.Context) tea.Cmd {
	keep, all := "", len(m.entries) > pageSize
	if e := m.entry(); e != nil {
		keep = e.Key
	}
	pos := m.list.Table().Position()
	cmd := m.openDir(ctx, m.dir)
	m.keepKey, m.loadAll = keep, all
	m.list.Table().SetPosition(pos)
	return cmd
}

// wholeLoaded ends a listing of the whole folder: the cursor goes to the
// end (G) or back to its entry (a refresh).
func (m *Model) wholeLoaded() {
	if m.more {
		return
	}
	m.loadAll = false
	if m.toBottom {
		m.toBottom = false
		m.list.Table().SetPosition(m.list.Len() - 1)
	}
	if m.keepKey != "" {
		for i, e := range m.entries {
			if e.Key == m.keepKey {
				m.list.SelectRow(i)
			}
		}
		m.keepKey = ""
	}
}

// open enters a folder or previews a file.
func (m *Model) open(ctx *ui.Context) tea.Cmd {
	e := m.entry()
	switch {
	case e == nil:
		return nil
	case e.Folder:
		return m.openDir(ctx, e.Key)
	}
	m.previewGen++
	m.preview = newPreview(e.Key)
	gen, svc, app, key := m.previewGen, m.svc, ctx.App, e.Key
	return func() tea.Msg {
		p, err := svc.Preview(app, key, previewRecords)
		return previewMsg{gen: gen, p: p, err: err}
	}
}

func (m *Model) validate(ctx *ui.Context, file string) tea.Cmd {
	m.valGen++
	m.current().SetNote("validating "+path.Base(file)+"…", false)
	gen, svc, app := m.valGen, m.svc, ctx.App
	return func() tea.Msg {
		sum, err := svc.Validate(app, file)
		return validatedMsg{gen: gen, key: file, sum: sum, err: err}
	}
}

// entry is the entry under the cursor.
func (m *Model) entry() *ops.RawEntry {
	if r := m.list.Cursor(); r >= 0 && r < len(m.entries) {
		return &m.entries[r]
	}
	return nil
}

// rebuild recomputes statuses and refreshes the rows.
func (m *Model) rebuild() {
	m.oneDataset = sharedDataset(m.entries)
	m.statuses = make([]string, len(m.entries))
	rows := make([][]string, len(m.entries))
	keys := make([]string, len(m.entries))
	for i := range m.entries {
		e := &m.entries[i]
		m.statuses[i] = m.index.Status(*e, m.running)
		if m.inArchive() && !e.Folder {
			m.statuses[i] = "archived"
		}
		rows[i] = m.row(i)
		keys[i] = e.Key // a folder is selected as a whole

	}
	m.list.SetRows(rows)
	m.list.SetKeys(keys)
}

// sharedDataset is the dataset every entry of a folder (of two or more)
// belongs to, or "" when they differ or one has none.
func sharedDataset(entries []ops.RawEntry) string {
	if len(entries) < 2 {
		return ""
	}
	ds := entries[0].Dataset
	for _, e := range entries {
		if e.Dataset != ds || e.Folder {
			return ""
		}
	}
	if ds == "?" {
		return ""
	}
	return ds
}

// Package query is the Query view: a multi-line SQL editor with history
// kept across sessions and completion of table and column names;
// statements run on the console's SQL engine in commands, and their rows
// stream into the shared list (filter, detail pane, export prompt) with a
// row cap and "load more"; a running query shows its elapsed time and can
// be cancelled; the detail pane shows one row's every column; cells and
// rows copy via OSC52; a result exports (all of it) to CSV, JSON lines or
// Parquet.
//
// Keys while the editor has focus go to the editor (ctrl+r run all,
// ctrl+e run the statement under the cursor, ctrl+x cancel, ctrl+p/ctrl+n
// history, tab complete, esc to the results). On the results: i edits,
// enter opens the row (or edits when there is none), m loads more, y/Y
// copy, e exports, / filters.
package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/editor"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Engine is what the Query view needs of an SQL engine (the local DuckDB
// engine and Athena have it).
type Engine interface {
	// Name is "local" or "athena".
	Name() string
	// Query starts a statement; cancelling ctx cancels it.
	Query(ctx context.Context, sql string) (ops.Rows, error)
	// Tables lists the tables, for completion.
	Tables(ctx context.Context) ([]ops.TableInfo, error)
}

const (
	// DefaultRowCap is how many rows a query shows at first and how many
	// more each "load more" reads.
	DefaultRowCap = 1000
	// tickEvery is how often the elapsed time of a running query is redrawn.
	tickEvery = 100 * time.Millisecond
	// chunkSlice bounds how long one read command collects rows before
	// handing them to the view, so slow results stream in.
	chunkSlice = 100 * time.Millisecond
	// maxHistory is how many history entries are kept in memory.
	maxHistory = 1000
	// maxKeep caps the rows an export adds to the view after it drained the
	// result (the file gets every row).
	maxKeep = 1_000_000
)

// Option configures the view.
type Option func(*Model)

// HistoryFile sets the file statements are appended to (created on the
// first save; "" keeps history for the session only).
func HistoryFile(path string) Option { return func(m *Model) { m.histPath = path } }

// ExportDir sets the folder exports are written to (default: the current directory).
func ExportDir(dir string) Option { return func(m *Model) { m.exportDir = dir } }

// RowCap sets how many rows a query shows at first and each "load more"
// adds (default DefaultRowCap).
func RowCap(n int) Option {
	return func(m *Model) {
		if n > 0 {
			m.rowCap = n
		}
	}
}

// DefaultHistoryFile is $XDG_STATE_HOME/lakeops/history.sql, else
// ~/.local/state/lakeops/history.sql; "" when neither is known.
func DefaultHistoryFile() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "lakeops", "history.sql")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "lakeops", "history.sql")
}

// bindings are the view's own keys.
type bindings struct {
	run, runStmt, cancel, more, copyRow, edit key.Binding
	histPrev, histNext, complete, results     key.Binding
	histSearch                                key.Binding
}

// Model is the Query view.
type Model struct {
	eng       Engine // nil: no engine (SQL cannot run)
	engName   string // its name, read once at construction
	keys      ui.KeyMap
	bind      bindings
	now       func() time.Time
	histPath  string
	histLog   *historyLog // orders the history file's appends
	sqlPath   string      // the .sql file the editor opened or saved last (:save may replace it)
	exportDir string
	rowCap    int

	editor    textarea.Model
	styled    *ui.Theme // the theme the editor was styled for
	edSize    editor.Size
	comp      *completion
	list      *listview.Model // the results
	col       int             // the current column of the results
	detailCol int             // the selected column of the detail pane

	tables    []ops.TableInfo
	tablesGen int
	tablesErr error
	tablesOK  bool
	app       context.Context // the application's context (for reloading the tables)
	bodyTop   int             // the view's line where the results area starts
	histPick  *listview.Model // the history search, when open
	tabs      []*result       // a script's results, one per statement (nil for one statement)
	tab       int
	queue     []string // the script's statements still to run
	ended     int      // jobs ended, as the last snapshot said

	history    []string
	histLoaded bool
	histPos    int    // index into history while recalling; len(history) when not
	draft      string // the editor text before recalling

	seq          int // generation of the read command in flight; older chunks are stale
	tickGen      int // generation of the running elapsed-time ticker
	res          *result
	exporting    bool
	exportCancel context.CancelFunc
}

// New returns the Query view on eng (nil: no engine) with the editor focused.
func New(eng Engine, opts ...Option) *Model {
	m := &Model{eng: eng, keys: ui.DefaultKeyMap(), now: time.Now, exportDir: ".", rowCap: DefaultRowCap,
		histPath: DefaultHistoryFile()}
	b := func(k, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(k), key.WithHelp(help, desc))
	}
	m.bind = bindings{
		run:        b("ctrl+r", "ctrl+r", "run the editor"),
		runStmt:    b("ctrl+e", "ctrl+e", "run the statement under the cursor"),
		cancel:     b("ctrl+x", "ctrl+x", "cancel the running query or export"),
		more:       b("m", "m", "load more rows"),
		copyRow:    b("Y", "Y", "copy the row (tab-separated)"),
		edit:       b("i", "i", "edit the SQL"),
		histPrev:   b("ctrl+p", "ctrl+p", "previous statement (editor)"),
		histNext:   b("ctrl+n", "ctrl+n", "next statement (editor)"),
		histSearch: b("ctrl+o", "ctrl+o", "search the history (type to filter, enter edits)"),
		complete:   b("tab", "tab", "complete a table/column name (editor)"),
		results:    b("esc", "esc", "leave the editor for the results"),
	}
	if eng != nil {
		m.engName = eng.Name()
	}
	m.editor = newEditor()
	m.list = listview.New(listview.Options{Empty: "the query returned no rows", Exports: []listview.Format{
		{Key: "c", Name: "csv", Label: "(c)sv"}, {Key: "j", Name: "jsonl", Label: "(j)son lines"},
		{Key: "p", Name: "parquet", Label: "(p)arquet"}}})
	m.list.SetCellStyle(m.cellStyle)
	for _, o := range opts {
		o(m)
	}
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Query" }

// InputFocused reports whether the SQL editor or the filter has focus.
func (m *Model) InputFocused() bool {
	return m.editor.Focused() || m.list.Filtering() || m.histPick != nil
}

// Takes OpenSQL.
func (m *Model) Takes(i ui.Intent) bool {
	switch i.(type) {
	case ui.OpenSQL, ui.LoadSQL, ui.SaveSQL:
		return true
	}
	return false
}

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k, b := m.keys, m.bind
	tabs := key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "results: the previous/next statement's result (ctrl+r runs each statement)"))
	return []key.Binding{b.run, b.runStmt, b.cancel, b.histPrev, b.histNext, b.histSearch, b.complete, b.results, b.edit, tabs,
		k.Enter, b.more, k.Copy, b.copyRow, k.Export, k.Filter, k.Up, k.Down, k.Left, k.Right}
}

// Init loads the history and the table names for completion.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	cmds := []tea.Cmd{loadHistoryCmd(m.histPath)}
	if m.eng != nil {
		cmds = append(cmds, m.loadTables(ctx))
	}
	return tea.Batch(cmds...)
}

func (m *Model) loadTables(ctx *ui.Context) tea.Cmd {
	m.app = ctx.App
	return m.reloadTables()
}

// reloadTables asks the engine for the tables again (a run committed, a
// statement created or dropped one): completion knows what is there now.
func (m *Model) reloadTables() tea.Cmd {
	if m.eng == nil || m.app == nil {
		return nil
	}
	m.tablesGen++
	return tablesCmd(m.app, m.eng, m.tablesGen)
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case ui.OpenSQL:
		m.editor.SetValue(msg.SQL)
		m.editor.Blur()
		m.list.Dismiss()
		return m, m.run(ctx, msg.SQL)
	case ops.JobSnapshot:
		ended := msg.Ended > m.ended
		m.ended = msg.Ended
		if ended {
			return m, m.reloadTables()
		}
	case tablesMsg:
		if msg.gen == m.tablesGen {
			m.tables, m.tablesErr, m.tablesOK = msg.tables, msg.err, msg.err == nil
		}
	case historyMsg:
		m.historyLoaded(msg)
	case historySavedMsg:
		if msg.err != nil {
			m.setNote(msg.err.Error(), true)
		}
	case chunkMsg:
		return m, m.chunk(msg)
	case tickMsg:
		if msg.gen == m.tickGen && m.busy() {
			return m, tick(msg.gen)
		}
	case exportedMsg:
		return m, m.exported(msg)
	case ui.ExportTo:
		return m, m.exportTo(ctx, msg.Path)
	case ui.LoadSQL:
		return m, loadSQL(msg.Path)
	case ui.SaveSQL:
		return m, saveSQL(msg.Path, m.sqlPath, m.editor.Value())
	case sqlFileMsg:
		return m, m.sqlFile(msg)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.PasteMsg:
		if m.editor.Focused() {
			m.comp = nil
			var cmd tea.Cmd
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd
		}
	case tea.MouseWheelMsg:
		if !m.editor.Focused() {
			m.list.Update(&m.keys, msg)
		}
	case ui.Click: // a result row; a second click opens it
		if !m.editor.Focused() {
			if _, again := m.list.Click(msg); again {
				return m, m.key(ctx, tea.KeyPressMsg{Code: tea.KeyEnter})
			}
		}
	}
	return m, nil
}

func (m *Model) setNote(s string, isErr bool) { m.list.SetNote(s, isErr) }

// busy reports whether a read is under way (the ticker runs).
func (m *Model) busy() bool { return m.res != nil && m.res.running }

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	b := &m.bind
	if m.histPick != nil {
		return m.historyKey(msg)
	}
	if key.Matches(msg, b.histSearch) {
		m.openHistory()
		return nil
	}
	if m.list.Filtering() {
		_, cmd := m.list.Update(&m.keys, msg)
		return cmd
	}
	// Run and cancel work everywhere.
	switch {
	case key.Matches(msg, b.run):
		m.comp = nil
		return m.runScript(ctx, m.editor.Value())
	case key.Matches(msg, b.runStmt):
		m.comp = nil
		return m.run(ctx, ops.StatementAt(m.editor.Value(), m.cursorOffset()))
	case key.Matches(msg, b.cancel):
		m.cancel()
		return nil
	}
	switch {
	case m.editor.Focused():
		return m.editorKey(ctx, msg)
	case m.list.Busy():
		if act, _ := m.list.Update(&m.keys, msg); act == listview.Export {
			return m.export(ctx, m.list.ExportFormat())
		}
		return nil
	case m.list.DetailOpen():
		return m.detailKey(msg)
	}
	return m.resultsKey(msg)
}

func (m *Model) editorKey(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	b := &m.bind
	if !key.Matches(msg, b.complete) {
		m.comp = nil
	}
	switch {
	case key.Matches(msg, b.results):
		m.editor.Blur()
		return nil
	case key.Matches(msg, b.histPrev):
		m.recall(-1)
		return nil
	case key.Matches(msg, b.histNext):
		m.recall(1)
		return nil
	case key.Matches(msg, b.complete):
		return m.complete(ctx)
	}
	m.setNote("", false)
	var cmd tea.Cmd
	m.editor, cmd = m.editor.Update(msg)
	return cmd
}

func (m *Model) resultsKey(msg tea.KeyPressMsg) tea.Cmd {
	k, b := &m.keys, &m.bind
	m.setNote("", false)
	switch {
	case msg.String() == "[":
		m.showTab(m.tabIndex() - 1)
		return nil
	case msg.String() == "]":
		m.showTab(m.tabIndex() + 1)
		return nil
	case key.Matches(msg, b.edit):
		return m.editor.Focus()
	case key.Matches(msg, k.Enter):
		if r := m.list.Cursor(); r >= 0 && m.res != nil && r < len(m.res.vals) {
			m.detailCol = 0
			m.list.OpenDetail(m.detail)
			return nil
		}
		return m.editor.Focus()
	case key.Matches(msg, k.Filter) && (m.res == nil || len(m.res.vals) == 0):
		return nil
	case key.Matches(msg, b.more):
		return m.loadMore()
	case key.Matches(msg, k.Copy):
		return m.copyCell()
	case key.Matches(msg, b.copyRow):
		return m.copyRow(m.list.Cursor())
	case key.Matches(msg, k.Export):
		m.askExport()
		return nil
	case key.Matches(msg, k.Left):
		m.moveColumn(-1)
		return nil
	case key.Matches(msg, k.Right):
		m.moveColumn(1)
		return nil
	}
	_, cmd := m.list.Update(k, msg) // navigation, the filter, esc clearing it
	return cmd
}

// moveColumn moves the current column and scrolls it into view.
func (m *Model) moveColumn(n int) {
	cols := len(m.list.Table().Columns())
	if cols == 0 {
		return
	}
	m.col = max(0, min(m.col+n, cols-1))
	m.showColumn()
}

// showColumn scrolls the table so the current column is on screen (as of
// the last frame).
func (m *Model) showColumn() {
	t := m.list.Table()
	first, end := t.VisibleColumns()
	switch {
	case m.col < first:
		t.ScrollColumns(m.col - first)
	case end > first && m.col >= end:
		t.ScrollColumns(m.col - end + 1)
	}
}

func (m *Model) copyCell() tea.Cmd {
	r := m.list.Cursor()
	if m.res == nil || r < 0 || r >= len(m.res.vals) || m.col >= len(m.res.vals[r]) {
		m.setNote("no cell to copy", true)
		return nil
	}
	text := cellText(m.res.vals[r][m.col])
	m.setNote(fmt.Sprintf("copied %s of row %d", columnLabel(m.res.cols, m.col), r+1), false)
	return ui.CopyCmd(text)
}

func (m *Model) copyRow(r int) tea.Cmd {
	if m.res == nil || r < 0 || r >= len(m.res.vals) {
		m.setNote("no row to copy", true)
		return nil
	}
	text := rowText(m.res.vals[r])
	m.setNote(fmt.Sprintf("copied row %d (tab-separated)", r+1), false)
	return ui.CopyCmd(text)
}

func columnLabel(cols []ops.Column, i int) string {
	if i >= 0 && i < len(cols) {
		return cols[i].Name
	}
	return fmt.Sprintf("column %d", i+1)
}

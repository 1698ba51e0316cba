// Package tablesview is the Tables view (folder views/tables): the tables
// the query engine sees (or, without an engine, the lake's Delta tables)
// with version, file count, row count, size, partitions and last commit,
// read from each table's Delta snapshot; a detail with the schema (name,
// type, nullable), the partitions and the history (version, time,
// operation, metrics); and a jump to the Query view with a prepared SELECT.
package tablesview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	queryview "github.com/lakeops/lakeops/views/query"
)

// entry is one listed table.
type entry struct {
	info  query.TableInfo
	table *delta.Table // nil when the table is not in this lake
	stats *tableStats  // nil until read
}

// detailPane is one table's schema and history.
type detailPane struct {
	name    string
	entry   *entry
	loading bool
	err     error
	histErr error
	version int64
	parts   []string
	schema  *table.Model
	history *table.Model
	hist    []delta.HistoryEntry
	focus   int                 // 0: schema, 1: history
	open    *delta.HistoryEntry // the history entry shown in full, if any
	off     int                 // first line of the open entry on screen
}

// Model is the Tables view.
type Model struct {
	keys ui.KeyMap
	bind struct{ query, pane, refresh key.Binding }

	gen      int
	loading  bool
	source   string
	err      error
	entries  []*entry
	list     *table.Model
	detail   *detailPane
	doneJobs map[int]bool
	note     string
	noteErr  bool
}

// New returns the Tables view.
func New() *Model {
	m := &Model{keys: ui.DefaultKeyMap(), doneJobs: map[int]bool{}}
	m.bind.query = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "SELECT it in the Query view"))
	m.bind.pane = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "switch schema/history (detail)"))
	m.bind.refresh = key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("r", "refresh"))
	m.list = table.New(
		table.Column{Title: "name", Max: 28},
		table.Column{Title: "version", Right: true},
		table.Column{Title: "files", Right: true},
		table.Column{Title: "rows", Right: true},
		table.Column{Title: "size", Right: true},
		table.Column{Title: "partitions", Max: 16},
		table.Column{Title: "last commit"},
	)
	m.list.Empty = "no tables"
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Tables" }

// InputFocused is false: the view has no text input.
func (m *Model) InputFocused() bool { return false }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	return []key.Binding{k.Enter, k.Back, m.bind.query, m.bind.pane, m.bind.refresh, k.Copy, k.Up, k.Down, k.Left, k.Right}
}

// Init lists the tables.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	if jm := ctx.Services.Jobs; jm != nil {
		for _, j := range jm.Jobs() {
			if j.State.Done() {
				m.doneJobs[j.ID] = true
			}
		}
	}
	return m.load(ctx)
}

func (m *Model) load(ctx *ui.Context) tea.Cmd {
	m.gen++
	m.loading = true
	return listCmd(ctx.Services.Query, ctx.Services.Lake, m.gen)
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys = ctx.Keys
	switch msg := msg.(type) {
	case listedMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		return m, m.listed(ctx, msg)
	case statsMsg:
		if msg.gen == m.gen && len(msg.stats) == len(m.entries) {
			m.loading = false
			for i, s := range msg.stats {
				m.entries[i].stats = s
			}
			m.fill()
		}
	case detailMsg:
		if d := m.detail; d != nil && msg.gen == m.gen && msg.name == d.name {
			d.fill(msg)
		}
	case ui.JobsChanged:
		return m, m.jobsChanged(ctx)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		if d := m.detail; d != nil {
			d.focused().Update(&m.keys, msg)
		} else {
			m.list.Update(&m.keys, msg)
		}
	}
	return m, nil
}

func (m *Model) listed(ctx *ui.Context, msg listedMsg) tea.Cmd {
	m.err, m.source = msg.err, msg.source
	cur := ""
	if e := m.current(); e != nil {
		cur = e.info.Name
	}
	m.entries = m.entries[:0]
	tables := make([]*delta.Table, len(msg.infos))
	for i, info := range msg.infos {
		e := &entry{info: info, table: resolve(ctx.Services.Lake, info)}
		tables[i] = e.table
		m.entries = append(m.entries, e)
	}
	m.fill()
	for i, e := range m.entries {
		if e.info.Name == cur {
			m.list.SelectRow(i)
		}
	}
	if len(m.entries) == 0 {
		m.loading = false
		return nil
	}
	return statsCmd(tables, m.gen)
}

// jobsChanged reloads when a job ended (a run changes the tables).
func (m *Model) jobsChanged(ctx *ui.Context) tea.Cmd {
	jm := ctx.Services.Jobs
	if jm == nil {
		return nil
	}
	ended := false
	for _, j := range jm.Jobs() {
		if j.State.Done() && !m.doneJobs[j.ID] {
			m.doneJobs[j.ID] = true
			ended = true
		}
	}
	if !ended {
		return nil
	}
	cmds := []tea.Cmd{m.load(ctx)}
	if d := m.detail; d != nil {
		cmds = append(cmds, m.openDetail(d.entry))
	}
	return tea.Batch(cmds...)
}

func (m *Model) setNote(s string, isErr bool) { m.note, m.noteErr = s, isErr }

func (m *Model) current() *entry {
	if r := m.list.Cursor(); r >= 0 && r < len(m.entries) {
		return m.entries[r]
	}
	return nil
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	m.note = ""
	if d := m.detail; d != nil && d.open != nil {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Enter):
			d.open = nil
		case key.Matches(msg, k.Up):
			d.off = max(d.off-1, 0)
		case key.Matches(msg, k.Down):
			d.off++
		}
		return nil
	}
	if d := m.detail; d != nil {
		switch {
		case key.Matches(msg, k.Back):
			m.detail = nil
		case key.Matches(msg, k.Enter):
			if r := d.history.Cursor(); d.focus == 1 && r >= 0 && r < len(d.hist) {
				d.open, d.off = &d.hist[r], 0
			}
		case key.Matches(msg, m.bind.query):
			return m.selectIn(d.entry)
		case key.Matches(msg, m.bind.pane):
			d.focus = 1 - d.focus
		case key.Matches(msg, m.bind.refresh):
			return tea.Batch(m.load(ctx), m.openDetail(d.entry))
		case key.Matches(msg, k.Copy):
			return m.copyLocation(d.entry)
		default:
			d.focused().Update(k, msg)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		if e := m.current(); e != nil {
			return m.openDetail(e)
		}
	case key.Matches(msg, m.bind.query):
		if e := m.current(); e != nil {
			return m.selectIn(e)
		}
	case key.Matches(msg, m.bind.refresh):
		return m.load(ctx)
	case key.Matches(msg, k.Copy):
		if e := m.current(); e != nil {
			return m.copyLocation(e)
		}
	default:
		m.list.Update(k, msg)
	}
	return nil
}

func (m *Model) openDetail(e *entry) tea.Cmd {
	d := &detailPane{name: e.info.Name, entry: e, loading: true,
		schema: table.New(table.Column{Title: "column", Max: 32}, table.Column{Title: "type", Max: 24},
			table.Column{Title: "nullable"}, table.Column{Title: "partition"}),
		history: table.New(table.Column{Title: "version", Right: true}, table.Column{Title: "time"},
			table.Column{Title: "operation", Max: 20}, table.Column{Title: "metrics"})}
	if m.detail != nil && m.detail.name == e.info.Name {
		d.focus = m.detail.focus
	}
	d.schema.Empty, d.history.Empty = "loading…", "loading…"
	m.detail = d
	return detailCmd(e.table, e.info, m.gen)
}

// selectIn jumps to the Query view with a prepared SELECT of the table.
func (m *Model) selectIn(e *entry) tea.Cmd {
	sql := fmt.Sprintf("SELECT * FROM %s LIMIT 100", quoteIdent(e.info.Name))
	return func() tea.Msg { return ui.SwitchTo{Title: "Query", Then: queryview.Prepare{SQL: sql}} }
}

func (m *Model) copyLocation(e *entry) tea.Cmd {
	text := e.info.Location
	if text == "" {
		text = e.info.Name
	}
	m.setNote("copied the location of "+e.info.Name, false)
	return func() tea.Msg { return ui.Copy{Text: text} }
}

// quoteIdent quotes a table name for SQL unless it is a plain identifier.
func quoteIdent(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
		}
	}
	if plain {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (d *detailPane) focused() *table.Model {
	if d.focus == 0 {
		return d.schema
	}
	return d.history
}

func (d *detailPane) fill(msg detailMsg) {
	d.loading, d.err, d.histErr = false, msg.err, msg.histErr
	d.version, d.parts, d.hist = msg.version, msg.partitions, msg.history
	rows := make([][]string, len(msg.fields))
	for i, f := range msg.fields {
		p := ""
		if f.partition {
			p = "partition"
		}
		rows[i] = []string{f.name, f.typ, f.nullable, p}
	}
	d.schema.Empty = "no columns"
	d.schema.SetRows(rows)
	hrows := make([][]string, len(msg.history))
	for i, h := range msg.history {
		hrows[i] = []string{fmt.Sprint(h.Version), timeText(h.Timestamp), h.Operation, metricsText(h.Metrics)}
	}
	d.history.Empty = "no history"
	d.history.SetRows(hrows)
	if len(msg.history) > 0 && d.focus == 0 && len(msg.fields) == 0 {
		d.focus = 1
	}
}

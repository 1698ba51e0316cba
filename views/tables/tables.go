// Package tables is the Tables view: the tables the query engine sees (or,
// without an engine, the lake's Delta tables) with version, file count, row
// count, size, partitions and last commit, read from each table's Delta
// snapshot; a detail with the schema (name, type, nullable), the
// partitions and the history (version, time, operation, metrics); and a
// jump to the Query view with a prepared SELECT.
package tables

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Service lists the tables and reads their snapshots and history for the
// Tables view; ops.Ops has it.
type Service interface {
	// ListTables lists the tables: the engine's, or the lake's.
	ListTables(ctx context.Context) (ops.TableList, error)
	// Summaries reads the listed tables' snapshots (nil: not in the lake).
	Summaries(ctx context.Context, infos []ops.TableInfo) []*ops.TableSummary
	// TableDetail reads a table's schema and newest versions.
	TableDetail(ctx context.Context, info ops.TableInfo) (*ops.TableDetail, error)
}

// loadTimeout bounds one load (listing, summaries or a table's detail).
const loadTimeout = 2 * time.Minute

type (
	// listedMsg carries the tables.
	listedMsg struct {
		gen  int
		list ops.TableList
		err  error
	}
	// summariesMsg carries the listed tables' summaries, in list order.
	summariesMsg struct {
		gen  int
		sums []*ops.TableSummary
	}
	// detailMsg carries one table's schema and history.
	detailMsg struct {
		gen    int
		name   string
		detail *ops.TableDetail
		err    error
	}
)

// entry is one listed table.
type entry struct {
	info   ops.TableInfo
	sum    *ops.TableSummary
	loaded bool // the summary was read (nil then: the table is not in this lake)
}

// detailPane is one table's schema and history.
type detailPane struct {
	name    string
	entry   *entry
	loading bool
	err     error
	d       *ops.TableDetail
	schema  *listview.Model
	history *listview.Model
	focus   int // 0: schema, 1: history, 2: partitions
	parts   *listview.Model
	open    *ops.TableVersion // the history entry shown in full, if any
	off     int               // first line of the open entry on screen
}

// Model is the Tables view.
type Model struct {
	svc  Service
	keys ui.KeyMap
	bind struct{ query, pane, refresh, vacuum, optimize, cleanLog key.Binding }

	gen     int
	loading bool
	source  string
	err     error
	entries []*entry
	list    *listview.Model
	detail  *detailPane
	ended   int  // jobs ended, as the last snapshot said
	asking  *ask // a maintenance action waiting for y/n
}

// New returns the Tables view over svc.
func New(svc Service) *Model {
	m := &Model{svc: svc, keys: ui.DefaultKeyMap()}
	m.bind.query = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "SELECT it in the Query view"))
	m.bind.pane = key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "detail: schema, history, partitions (files, rows, size)"))
	m.bind.refresh = key.NewBinding(key.WithKeys("r", "ctrl+r"), key.WithHelp("ctrl+r", "refresh"))
	m.bindMaintenance()
	m.list = listview.New(listview.Options{Empty: "no tables", Columns: []listview.Column{
		{Title: "name", Max: 28}, {Title: "version", Right: true}, {Title: "files", Right: true},
		{Title: "rows", Right: true}, {Title: "size", Right: true}, {Title: "partitions", Max: 16},
		{Title: "last commit"}}})
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Tables" }

// InputFocused reports whether a filter is being typed.
func (m *Model) InputFocused() bool { return m.focused().Filtering() }

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k := m.keys
	return []key.Binding{k.Enter, k.Back, m.bind.query, m.bind.pane, m.bind.refresh, m.bind.vacuum, m.bind.optimize,
		m.bind.cleanLog, k.Copy, k.Filter, k.Up, k.Down, k.Left, k.Right}
}

// Init lists the tables.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys = ctx.Keys
	return m.load(ctx)
}

func (m *Model) load(ctx *ui.Context) tea.Cmd {
	m.gen++
	m.loading = true
	gen, svc, app := m.gen, m.svc, ctx.App
	return func() tea.Msg {
		c, cancel := context.WithTimeout(app, loadTimeout)
		defer cancel()
		list, err := svc.ListTables(c)
		return listedMsg{gen: gen, list: list, err: err}
	}
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
	case summariesMsg:
		if msg.gen == m.gen && len(msg.sums) == len(m.entries) {
			m.loading = false
			for i, s := range msg.sums {
				m.entries[i].sum, m.entries[i].loaded = s, true
			}
			m.fill()
		}
	case detailMsg:
		if d := m.detail; d != nil && msg.gen == m.gen && msg.name == d.name {
			d.fill(msg)
		}
	case ops.JobSnapshot:
		if msg.Ended > m.ended { // a run changes the tables
			m.ended = msg.Ended
			cmds := []tea.Cmd{m.load(ctx)}
			if d := m.detail; d != nil {
				cmds = append(cmds, m.openDetail(ctx, d.entry))
			}
			return m, tea.Batch(cmds...)
		}
	case planMsg:
		m.planned(msg)
	case submittedMsg:
		m.submitted(msg)
	case tea.KeyPressMsg:
		return m, m.key(ctx, msg)
	case tea.MouseWheelMsg:
		m.focused().Update(&m.keys, msg)
	case ui.Click: // a row; a second click opens it
		if _, again := m.focused().Click(msg); again && m.detail == nil {
			return m, m.key(ctx, tea.KeyPressMsg{Code: tea.KeyEnter})
		}
	}
	return m, nil
}

func (m *Model) listed(ctx *ui.Context, msg listedMsg) tea.Cmd {
	m.err, m.source = msg.err, msg.list.Source
	cur := ""
	if e := m.current(); e != nil {
		cur = e.info.Name
	}
	m.entries = m.entries[:0]
	for _, info := range msg.list.Tables {
		m.entries = append(m.entries, &entry{info: info})
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
	gen, svc, app, infos := m.gen, m.svc, ctx.App, msg.list.Tables
	return func() tea.Msg {
		c, cancel := context.WithTimeout(app, loadTimeout)
		defer cancel()
		return summariesMsg{gen: gen, sums: svc.Summaries(c, infos)}
	}
}

func (m *Model) current() *entry {
	if r := m.list.Cursor(); r >= 0 && r < len(m.entries) {
		return m.entries[r]
	}
	return nil
}

// focused is the list the keys go to.
func (m *Model) focused() *listview.Model {
	if d := m.detail; d != nil {
		switch d.focus {
		case 0:
			return d.schema
		case 2:
			return d.parts
		}
		return d.history
	}
	return m.list
}

func (m *Model) key(ctx *ui.Context, msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.asking != nil {
		return m.answer(msg)
	}
	list := m.focused()
	if list.Busy() {
		list.Update(k, msg)
		return nil
	}
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
	e := m.current()
	if d := m.detail; d != nil {
		e = d.entry
	}
	if cmd, ok := m.maintenanceKey(ctx, msg, e); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Enter):
		if d := m.detail; d != nil {
			if r := d.history.Cursor(); d.focus == 1 && d.d != nil && r >= 0 && r < len(d.d.History) {
				d.open, d.off = &d.d.History[r], 0
			}
			return nil
		}
		if e != nil {
			return m.openDetail(ctx, e)
		}
		return nil
	case key.Matches(msg, m.bind.query):
		if e != nil {
			return ui.GoCmd(ui.OpenSQL{SQL: ops.SelectSQL(e.info.Name)})
		}
		return nil
	case m.detail != nil && key.Matches(msg, m.bind.pane):
		m.detail.focus = (m.detail.focus + 1) % 3
		return nil
	case key.Matches(msg, m.bind.refresh):
		if d := m.detail; d != nil {
			return tea.Batch(m.load(ctx), m.openDetail(ctx, d.entry))
		}
		return m.load(ctx)
	case key.Matches(msg, k.Copy):
		if e != nil {
			return m.copyLocation(e)
		}
		return nil
	}
	if act, cmd := list.Update(k, msg); act != listview.Pass {
		return cmd
	}
	if key.Matches(msg, k.Back) {
		m.detail = nil
	}
	return nil
}

func (m *Model) openDetail(ctx *ui.Context, e *entry) tea.Cmd {
	d := &detailPane{name: e.info.Name, entry: e, loading: true,
		schema: listview.New(listview.Options{Empty: "loading…", Columns: []listview.Column{{Title: "column", Max: 32},
			{Title: "type", Max: 24}, {Title: "nullable"}, {Title: "partition"}}}),
		history: listview.New(listview.Options{Empty: "loading…", Columns: []listview.Column{{Title: "version", Right: true},
			{Title: "time"}, {Title: "operation", Max: 20}, {Title: "metrics"}}}),
		parts: listview.New(listview.Options{Empty: "not partitioned", Columns: []listview.Column{{Title: "partition", Flex: true},
			{Title: "files", Right: true}, {Title: "rows", Right: true}, {Title: "size", Right: true}}})}
	if m.detail != nil && m.detail.name == e.info.Name {
		d.focus = m.detail.focus
	}
	m.detail = d
	gen, svc, app, info := m.gen, m.svc, ctx.App, e.info
	return func() tea.Msg {
		c, cancel := context.WithTimeout(app, loadTimeout)
		defer cancel()
		detail, err := svc.TableDetail(c, info)
		return detailMsg{gen: gen, name: info.Name, detail: detail, err: err}
	}
}

func (m *Model) copyLocation(e *entry) tea.Cmd {
	text := e.info.Location
	if text == "" {
		text = e.info.Name
	}
	m.focused().SetNote("copied the location of "+e.info.Name, false)
	return ui.CopyCmd(text)
}

func (d *detailPane) fill(msg detailMsg) {
	d.loading, d.err, d.d = false, msg.err, msg.detail
	if msg.err != nil {
		return
	}
	rows := make([][]string, len(d.d.Fields))
	for i, f := range d.d.Fields {
		p := ""
		if f.Partition {
			p = "partition"
		}
		rows[i] = []string{f.Name, f.Type, f.Nullable, p}
	}
	d.schema.SetEmpty("no columns")
	d.schema.SetRows(rows)
	hrows := make([][]string, len(d.d.History))
	for i, h := range d.d.History {
		hrows[i] = []string{fmt.Sprint(h.Version), timeText(h.Timestamp), h.Operation, strings.Join(ops.Pairs(h.Metrics), " ")}
	}
	d.history.SetEmpty("no history")
	d.history.SetRows(hrows)
	prows := make([][]string, len(d.d.PartitionStats))
	for i, p := range d.d.PartitionStats {
		rows := textfmt.Count(p.Rows)
		if !p.RowsKnown {
			rows = "?"
		}
		prows[i] = []string{p.Values, textfmt.Count(int64(p.Files)), rows, textfmt.Bytes(p.Bytes)}
	}
	d.parts.SetRows(prows)
	if len(d.d.History) > 0 && d.focus == 0 && len(d.d.Fields) == 0 {
		d.focus = 1
	}
}

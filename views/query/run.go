package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// cursor is an open result: its rows and the context the query runs
// under. Exactly one holder owns it at a time — the view while idle, or
// the one command reading it — and the holder that finishes it closes it.
type cursor struct {
	rows   ops.Rows
	ctx    context.Context
	cancel context.CancelFunc
}

// close closes the rows and ends the query's context.
func (c *cursor) close() error {
	err := c.rows.Close()
	c.cancel()
	if err != nil {
		return fmt.Errorf("close the result: %w", err)
	}
	return nil
}

// result is one run of a statement as the view shows it.
type result struct {
	sql        string
	started    time.Time
	phaseStart time.Time     // start of the current read (first page or load more)
	elapsed    time.Duration // wall time until the first page was in
	cols       []ops.Column
	vals       [][]any
	cur        *cursor            // held by the view while idle; nil while a command reads it, or when closed
	cancel     context.CancelFunc // ends the query's context
	inflight   bool               // a read command holds the cursor
	running    bool               // reading (first page or load more)
	target     int                // rows wanted by the current read
	done       bool               // no more rows can be read (end, error, cancel, drained by export)
	eof        bool               // the engine said there are no more rows
	partial    bool               // the result was closed before its end
	stats      ops.QueryStats
	err        error
	cancelled  bool
}

// elapsedNow is the time to show: ticking while the first page is read,
// then the engine's runtime when it knows it, else the wall time.
func (r *result) elapsedNow(now time.Time) time.Duration {
	switch {
	case r.running && r.elapsed == 0:
		return now.Sub(r.started)
	case r.eof && r.stats.Elapsed > 0:
		return r.stats.Elapsed
	}
	return r.elapsed
}

// chunkMsg carries rows read by a command.
type chunkMsg struct {
	seq   int
	first bool // the first chunk of a query: cols are set
	cols  []ops.Column
	vals  [][]any
	cur   *cursor // the open result, handed back; nil when the read closed it
	eof   bool
	stats ops.QueryStats
	err   error
}

// tickMsg redraws the elapsed time of a running query.
type tickMsg struct{ gen int }

func tick(gen int) tea.Cmd {
	return tea.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// tablesMsg carries the engine's tables (for completion).
type tablesMsg struct {
	gen    int
	tables []ops.TableInfo
	err    error
}

func tablesCmd(app context.Context, eng Engine, gen int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(app, time.Minute)
		defer cancel()
		t, err := eng.Tables(ctx)
		if err != nil {
			err = fmt.Errorf("list tables: %w", err)
		}
		return tablesMsg{gen: gen, tables: t, err: err}
	}
}

// startCmd runs sql on eng and reads its first rows, under the
// application's context (quitting cancels the query).
func startCmd(app context.Context, eng Engine, sql string, seq, want int) (tea.Cmd, context.CancelFunc) {
	ctx, cancel := context.WithCancel(app)
	return func() tea.Msg {
		rows, err := eng.Query(ctx, sql)
		if err != nil {
			cancel()
			return chunkMsg{seq: seq, first: true, err: err}
		}
		c := &cursor{rows: rows, ctx: ctx, cancel: cancel}
		msg := read(c, seq, want)
		msg.first, msg.cols = true, rows.Columns()
		return msg
	}, cancel
}

// readCmd reads up to want more rows of an open result.
func readCmd(c *cursor, seq, want int) tea.Cmd {
	return func() tea.Msg { return read(c, seq, want) }
}

// read collects up to want rows, or what arrives within chunkSlice, and
// closes the cursor at the end of the result or on an error.
func read(c *cursor, seq, want int) chunkMsg {
	msg := chunkMsg{seq: seq}
	start := time.Now()
	for len(msg.vals) < want {
		row, err := c.rows.Next(c.ctx)
		if errors.Is(err, io.EOF) {
			msg.eof = true
			break
		}
		if err != nil {
			msg.err = err
			break
		}
		msg.vals = append(msg.vals, row)
		if time.Since(start) >= chunkSlice {
			break
		}
	}
	msg.stats = c.rows.Stats()
	if msg.eof || msg.err != nil {
		if err := c.close(); err != nil && msg.err == nil {
			msg.err = err
		}
		return msg
	}
	msg.cur = c
	return msg
}

// closeCmd closes a result off the Update goroutine.
func closeCmd(c *cursor) tea.Cmd {
	return func() tea.Msg { _ = c.close(); return nil }
}

// run starts sql, abandoning the current result, and remembers it.
func (m *Model) run(ctx *ui.Context, sql string) tea.Cmd { return m.runStatement(ctx, sql, true) }

// runStatement starts one statement (remembered in the history unless it
// is part of a script, which is remembered whole).
func (m *Model) runStatement(ctx *ui.Context, sql string, remember bool) tea.Cmd {
	sql = trimStatement(sql)
	if sql == "" {
		m.setNote("nothing to run: the editor (or the statement under the cursor) is empty", true)
		return nil
	}
	if m.eng == nil {
		m.setNote(noEngineNote, true)
		return nil
	}
	cmds := []tea.Cmd{m.abandon()}
	if remember {
		cmds = append(cmds, m.remember(sql))
	}
	m.seq++
	start, cancel := startCmd(ctx.App, m.eng, sql, m.seq, m.rowCap)
	now := m.now()
	m.res = &result{sql: sql, started: now, phaseStart: now, cancel: cancel, inflight: true, running: true, target: m.rowCap}
	m.list.SetColumns(nil)
	m.list.SetRows(nil)
	m.list.Table().ScrollColumns(-1 << 20)
	m.list.ClearFilter()
	m.list.Dismiss()
	m.col = 0
	m.setNote("", false)
	m.tickGen++
	return tea.Batch(append(cmds, start, tick(m.tickGen))...)
}

// abandon lets go of the current result: an idle cursor is closed, a read
// in flight is cancelled (its late chunk closes the cursor); an export in
// flight keeps its cursor and closes it when done.
func (m *Model) abandon() tea.Cmd {
	r := m.res
	if r == nil {
		return nil
	}
	switch {
	case r.cur != nil:
		c := r.cur
		r.cur = nil
		return closeCmd(c)
	case r.inflight:
		r.cancel()
	}
	return nil
}

// chunk takes rows read by a command: it appends them, reads on while the
// current read wants more, and keeps the open result for "load more".
func (m *Model) chunk(msg chunkMsg) tea.Cmd {
	r := m.res
	if r == nil || msg.seq != m.seq || !r.inflight {
		if msg.cur != nil {
			return closeCmd(msg.cur)
		}
		return nil
	}
	r.inflight = false
	if msg.first {
		r.cols = msg.cols
		m.list.SetColumns(tableColumns(msg.cols))
	}
	if len(msg.vals) > 0 {
		r.vals = append(r.vals, msg.vals...)
		m.list.AppendRows(cells(msg.vals)...)
	}
	r.stats = msg.stats
	switch {
	case msg.err != nil:
		r.err, r.done, r.partial = msg.err, true, !msg.eof
	case msg.eof:
		r.done, r.eof = true, true
	case len(r.vals) < r.target:
		m.seq++
		r.inflight = true
		return readCmd(msg.cur, m.seq, r.target-len(r.vals))
	default:
		r.cur = msg.cur
	}
	r.running = false
	if r.elapsed == 0 {
		r.elapsed = m.now().Sub(r.started)
	}
	var cmds []tea.Cmd
	if r.done && r.err == nil && changesTables(r.sql) {
		cmds = append(cmds, m.reloadTables())
	}
	if m.app != nil {
		cmds = append(cmds, m.nextStatement(&ui.Context{App: m.app}))
	}
	return tea.Batch(cmds...)
}

// changesTables reports a statement that may create, drop or rename a
// table (anything but a read): completion reloads the tables after it.
func changesTables(sql string) bool {
	f := strings.Fields(strings.ToUpper(sql))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "SELECT", "WITH", "FROM", "VALUES", "SHOW", "DESCRIBE", "EXPLAIN", "SUMMARIZE", "TABLE", "(":
		return false
	}
	return true
}

// cancel stops the running query (or export) without leaving the view.
func (m *Model) cancel() {
	if m.exporting {
		m.exportCancel()
		m.setNote("cancelling the export…", false)
		return
	}
	r := m.res
	if r == nil || !r.running {
		m.setNote("nothing is running", false)
		return
	}
	r.cancel()
	m.seq++ // the read in flight is stale: its chunk only closes the cursor
	r.inflight, r.running, r.done, r.partial, r.cancelled = false, false, true, true, true
	if r.elapsed == 0 {
		r.elapsed = m.now().Sub(r.started)
	}
	m.setNote(fmt.Sprintf("cancelled after %s", shortDuration(m.now().Sub(r.phaseStart))), false)
}

// loadMore reads the next rowCap rows of the open result.
func (m *Model) loadMore() tea.Cmd {
	r := m.res
	switch {
	case r == nil:
		m.setNote("run a query first (ctrl+r)", true)
		return nil
	case r.running || m.exporting:
		m.setNote("busy: wait, or cancel with ctrl+x", true)
		return nil
	case r.done || r.cur == nil:
		if r.partial {
			m.setNote("the result was closed early: run the query again to read further", true)
		} else {
			m.setNote("all "+textfmt.Rows(int64(len(r.vals)))+" are loaded", false)
		}
		return nil
	}
	c := r.cur
	r.cur = nil
	r.target = len(r.vals) + m.rowCap
	r.running, r.inflight, r.phaseStart = true, true, m.now()
	m.seq++
	m.tickGen++
	return tea.Batch(readCmd(c, m.seq, m.rowCap), tick(m.tickGen))
}

// trimStatement drops surrounding space and trailing semicolons.
func trimStatement(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasSuffix(s, ";") {
		s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	}
	return s
}

// numericType reports engine types shown right-aligned.
func numericType(t string) bool {
	t = strings.ToUpper(t)
	for _, p := range []string{"TINYINT", "SMALLINT", "INT", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER",
		"INTEGER", "DOUBLE", "FLOAT", "REAL", "DECIMAL", "NUMERIC", "USMALLINT", "UTINYINT"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

func tableColumns(cols []ops.Column) []listview.Column {
	out := make([]listview.Column, len(cols))
	for i, c := range cols {
		out[i] = listview.Column{Title: c.Name, Right: numericType(c.Type)}
	}
	return out
}

// cells renders rows for the table; null shows as NULL.
func cells(vals [][]any) [][]string {
	out := make([][]string, len(vals))
	for i, row := range vals {
		line := make([]string, len(row))
		for j, v := range row {
			if v == nil {
				line[j] = "NULL"
			} else {
				line[j] = ops.CellText(v)
			}
		}
		out[i] = line
	}
	return out
}

// cellText is a value as copied: "" for null.
func cellText(v any) string { return ops.CellText(v) }

// rowText is a row as copied: values separated by tabs.
func rowText(row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = cellText(v)
	}
	return strings.Join(parts, "\t")
}

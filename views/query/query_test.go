package query

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
)

func setup(t *testing.T) (*driver, *fakeEngine, string) {
	t.Helper()
	dir := t.TempDir()
	f := newFake()
	m := New(f, HistoryFile(filepath.Join(dir, "state", "history.sql")), ExportDir(dir))
	m.now = time.Now
	d := newDriver(t, m)
	d.waitFor("history and tables", func() bool { return m.histLoaded && m.tablesOK })
	return d, f, dir
}

func TestRunShowsRows(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	if !m.InputFocused() {
		t.Fatal("the editor should have focus at start")
	}
	d.typeText("SELECT * FROM orders")
	d.press("ctrl+r")
	s := d.waitScreen("order_id", "customer", "alice", `\x1b[31mred\x1b[0m`, `multi\nline`, "3 rows", "NULL")
	if f.last() != "SELECT * FROM orders" {
		t.Fatalf("engine got %q", f.last())
	}
	if strings.Contains(s, "more available") {
		t.Fatalf("a finished result says more is available:\n%s", s)
	}
	// Results: move to the second row and second column, copy the cell and the row.
	d.press("esc")
	if m.InputFocused() {
		t.Fatal("esc should leave the editor")
	}
	d.press("down", "right", "y")
	if c := waitOut[ui.Copy](d, 0); c.Text != "\x1b[31mred\x1b[0m" {
		t.Fatalf("copied %q, want the raw cell", c.Text)
	}
	d.press("Y")
	if c := waitOut[ui.Copy](d, 1); c.Text != "2\t\x1b[31mred\x1b[0m\t20.25\t2025-04-01" {
		t.Fatalf("copied row %q", c.Text)
	}
	// Detail pane: every column of the row, full values.
	d.press("enter")
	d.waitScreen("row 2 of 3", "order_id", "customer", "total_amount", "20.25", "2025-04-01")
	// The next row; values keep their line breaks.
	d.press("right")
	d.waitScreen("row 3 of 3", "customer     multi\n             line")
	d.press("esc")
	d.waitScreen("3 rows")
	// i edits again.
	d.press("i")
	if !m.InputFocused() {
		t.Fatal("i should focus the editor")
	}
}

func TestCancelSlowQuery(t *testing.T) {
	d, f, _ := setup(t)
	d.typeText("SELECT * FROM slow")
	d.press("ctrl+r")
	d.waitStarted(f)
	// The elapsed time ticks while it runs.
	re := regexp.MustCompile(`running (\d+\.\d)s`)
	d.waitFor("elapsed time to tick past 0.2s", func() bool {
		mt := re.FindStringSubmatch(d.screen())
		if mt == nil {
			return false
		}
		v, _ := strconv.ParseFloat(mt[1], 64)
		return v >= 0.2
	})
	d.press("ctrl+x")
	d.waitScreen("cancelled")
	d.waitFor("the engine to see the cancel", func() bool { c, _ := f.counts(); return c == 1 })
	// Still in the app: another query runs.
	d.runSQL("SELECT * FROM orders")
	d.waitScreen("alice", "3 rows")
	if strings.Contains(d.screen(), "cancelled") {
		t.Fatal("the new result still says cancelled")
	}
}

func TestStaleResultDropped(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	d.typeText("SELECT * FROM slow")
	d.press("ctrl+r")
	d.waitStarted(f)
	// A new run abandons the slow one: its context is cancelled and its late answer dropped.
	m.editor.Reset()
	d.typeText("SELECT * FROM orders")
	d.press("ctrl+r")
	d.waitScreen("alice", "3 rows")
	d.waitFor("the slow query to be cancelled", func() bool { c, _ := f.counts(); return c == 1 })
	if m.res.sql != "SELECT * FROM orders" || m.res.err != nil {
		t.Fatalf("result %q err %v", m.res.sql, m.res.err)
	}
}

func TestHistoryRecallAndPersist(t *testing.T) {
	d, _, dir := setup(t)
	m := d.model()
	d.runSQL("SELECT 1 FROM orders")
	d.runSQL("SELECT 2 FROM orders")
	d.runSQL("SELECT 2 FROM orders") // consecutive duplicate: kept once
	m.editor.Reset()
	d.typeText("draft")
	d.expectEditor("SELECT 2 FROM orders", "ctrl+p")
	d.expectEditor("SELECT 1 FROM orders", "ctrl+p")
	d.press("ctrl+p") // the oldest stays
	d.expectEditor("draft", "ctrl+n", "ctrl+n")
	path := filepath.Join(dir, "state", "history.sql")
	d.waitFor("the history file", func() bool {
		b, _ := os.ReadFile(path)
		return strings.Count(string(b), entryMarker) == 2
	})
	// A new view on the same file recalls the statements.
	m2 := New(newFake(), HistoryFile(path))
	d2 := newDriver(t, m2)
	d2.waitFor("history", func() bool { return m2.histLoaded })
	d2.expectEditor("SELECT 2 FROM orders", "ctrl+p")
	d2.expectEditor("SELECT 1 FROM orders", "ctrl+p")
}

func TestHistoryFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h", "history.sql")
	stmts := []string{"SELECT 1", "SELECT a,\n  b\nFROM t\n" + entryMarker + " not a marker", " leading space"}
	for _, s := range stmts {
		if err := appendHistory(path, s, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT 1", "SELECT a,\n  b\nFROM t\n" + entryMarker + " not a marker", "leading space"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("read %q, want %q", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("history file mode %v, %v", fi.Mode(), err)
	}
}

func TestLoadMore(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	d.runSQL("SELECT * FROM big")
	d.waitScreen("1,000 rows", "more available (m)", "3.0 MiB scanned", "$0.000014")
	d.press("esc", "m")
	d.waitFor("2000 rows", func() bool { return !m.res.running && len(m.res.vals) == 2000 })
	d.waitScreen("2,000 rows", "more available")
	d.press("m")
	d.waitFor("all rows", func() bool { return !m.res.running && m.res.done })
	s := d.waitScreen("2,500 rows")
	if strings.Contains(s, "more available") {
		t.Fatalf("exhausted result says more is available:\n%s", s)
	}
	d.press("m")
	d.waitScreen("all 2,500 rows are loaded")
	d.waitFor("the result to be closed", func() bool { _, c := f.counts(); return c == 1 })
	if m.list.Len() != bigRows {
		t.Fatalf("table has %d rows", m.list.Len())
	}
}

func TestExportCSVGuardsFormulas(t *testing.T) {
	d, f, dir := setup(t)
	m := d.model()
	m.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	d.runSQL("SELECT * FROM big")
	d.press("esc", "e")
	d.waitScreen("(c)sv, (j)son lines or (p)arquet")
	d.press("c")
	s := d.waitScreen("exported 2,500 rows to")
	path := filepath.Join(dir, "query-20260102-030405.csv")
	if !strings.Contains(s, "query-20260102-030405.csv") {
		t.Fatalf("export path not shown:\n%s", s)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != bigRows+1 || strings.Join(recs[0], ",") != "n,label,delta" {
		t.Fatalf("csv has %d records, header %q", len(recs), recs[0])
	}
	if got := recs[1+7]; got[1] != `'=HYPERLINK("http://x/7")` || got[2] != "-7" {
		t.Fatalf("row 7 = %q: want the formula guarded and the number kept", got)
	}
	if got := recs[1+2100]; got[0] != "2100" {
		t.Fatalf("row 2100 = %q: rows past the view's are exported too", got)
	}
	// The export read the result to its end: the view has every row now.
	if len(m.res.vals) != bigRows || !m.res.done {
		t.Fatalf("view has %d rows after the export", len(m.res.vals))
	}
	if _, c := f.counts(); c != 1 {
		t.Fatalf("result closed %d times", c)
	}
}

func TestExportJSONAndParquet(t *testing.T) {
	d, _, dir := setup(t)
	m := d.model()
	m.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	d.runSQL("SELECT * FROM orders")
	d.press("esc", "e", "j")
	d.waitScreen("exported 3 rows")
	b, err := os.ReadFile(filepath.Join(dir, "query-20260102-030405.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first map[string]any
	if len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &first) != nil {
		t.Fatalf("jsonl: %q", b)
	}
	if first["order_id"] != 1.0 || first["customer"] != "alice" || first["date"] != nil {
		t.Fatalf("first row %v", first)
	}
	d.press("e", "p")
	d.waitScreen("exported 3 rows", ".parquet")
	pf, err := os.Open(filepath.Join(dir, "query-20260102-030405.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	st, _ := pf.Stat()
	file, err := parquet.OpenFile(pf, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if file.NumRows() != 3 {
		t.Fatalf("parquet has %d rows", file.NumRows())
	}
	var names []string
	for _, f := range file.Schema().Fields() {
		names = append(names, f.Name())
	}
	if strings.Join(names, ",") != "order_id,customer,total_amount,date" {
		t.Fatalf("parquet columns %v", names)
	}
	rows := make([]parquet.Row, 3)
	r := parquet.NewReader(pf)
	if n, _ := r.ReadRows(rows); n != 3 {
		t.Fatalf("read %d parquet rows", n)
	}
	if v := rows[1][1].String(); v != "\x1b[31mred\x1b[0m" {
		t.Fatalf("parquet customer of row 2 = %q", v)
	}
	if !rows[0][3].IsNull() {
		t.Fatalf("null date written as %v", rows[0][3])
	}
}

func TestCompletion(t *testing.T) {
	d, _, _ := setup(t)
	m := d.model()
	d.typeText("SELECT * FROM ord")
	d.expectEditor("SELECT * FROM order_items", "tab")
	d.expectEditor("SELECT * FROM orders", "tab")
	d.typeText(" WHERE orders.tot")
	d.expectEditor("SELECT * FROM orders WHERE orders.total_amount", "tab")
	d.typeText(" > 0 AND pro")
	d.press("tab")
	if v := m.editor.Value(); !strings.HasSuffix(v, "AND products") {
		t.Fatalf("completion gave %q", v)
	}
	d.typeText(" xyz")
	d.press("tab")
	d.waitScreen("no table or column name starts with xyz")
}

func TestRunStatementUnderCursor(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	d.typeText("SELECT 'a;b' FROM orders;\nSELECT 2 FROM orders; -- two\n")
	m.editor.MoveToBegin()
	d.press("ctrl+e")
	d.waitFor("the first statement", func() bool { return m.res != nil && !m.res.running })
	if got := f.last(); got != "SELECT 'a;b' FROM orders" {
		t.Fatalf("ran %q", got)
	}
	m.editor.MoveToEnd()
	d.press("ctrl+e")
	d.waitFor("the second statement", func() bool { return f.last() == "SELECT 2 FROM orders" && !m.res.running })
}

func TestErrorShownInPlace(t *testing.T) {
	d, _, _ := setup(t)
	d.ctx.Width = 40
	d.runSQL("SELECT boom")
	s := d.waitScreen("failed", "Parser Error: syntax error at or near", `\x1b[31mLINE 1`)
	if strings.Count(s, "\n") != d.ctx.Height-1 {
		t.Fatalf("frame height")
	}
}

func TestNoEngine(t *testing.T) {
	m := New(nil, HistoryFile(""))
	d := newDriver(t, m)
	d.waitScreen("no query engine")
	d.typeText("SELECT 1")
	d.press("ctrl+r")
	d.waitScreen("no query engine")
}

func TestOpenSQLRunsAndFocusesResults(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	if !m.Takes(ui.OpenSQL{}) || m.Takes(ui.ShowJob{}) {
		t.Fatal("the Query view takes OpenSQL, and only it")
	}
	d.send(ui.OpenSQL{SQL: "SELECT * FROM orders LIMIT 100"})
	d.waitScreen("alice", "3 rows")
	if f.last() != "SELECT * FROM orders LIMIT 100" || m.editor.Value() != "SELECT * FROM orders LIMIT 100" {
		t.Fatalf("ran %q, editor %q", f.last(), m.editor.Value())
	}
	if m.InputFocused() {
		t.Fatal("after OpenSQL the results should have focus")
	}
}

func TestFramesAt80x24(t *testing.T) {
	d, _, _ := setup(t)
	d.ctx.Width, d.ctx.Height = 80, 22
	d.screen()
	d.runSQL("SELECT * FROM big")
	d.screen()
	d.press("esc", "right", "right", "right", "enter")
	d.screen()
	d.press("esc", "/")
	d.typeText("HYPER")
	s := d.screen()
	if !strings.Contains(s, "HYPERLINK") {
		t.Fatalf("filter:\n%s", s)
	}
	for _, sz := range [][2]int{{20, 5}, {1, 1}, {0, 0}, {200, 60}} {
		d.ctx.Width, d.ctx.Height = sz[0], sz[1]
		if sz[1] > 0 {
			d.screen()
		}
	}
}

// BenchmarkRenderMillionRows renders a frame of the view holding a
// 1,000,000-row result (goal: under 5 ms a frame).
func BenchmarkRenderMillionRows(b *testing.B) {
	m := New(newFake(), HistoryFile(""))
	cols := []ops.Column{{Name: "id", Type: "BIGINT"}, {Name: "order_id", Type: "BIGINT"},
		{Name: "product", Type: "VARCHAR"}, {Name: "amount", Type: "DECIMAL(12,2)"}, {Name: "ts", Type: "TIMESTAMP"}}
	const n = 1_000_000
	vals := make([][]any, n)
	t0 := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	for i := range vals {
		vals[i] = []any{int64(i), int64(i / 3), "product " + strconv.Itoa(i%977), strconv.Itoa(i%5000) + ".25", t0.Add(time.Duration(i) * time.Second)}
	}
	m.res = &result{sql: "SELECT …", cols: cols, vals: vals, done: true, eof: true, elapsed: time.Second}
	m.list.SetColumns(tableColumns(cols))
	m.list.SetRows(cells(vals))
	m.editor.Blur()
	m.list.Table().SetPosition(n / 2)
	ctx := &ui.Context{App: context.Background(), Keys: ui.DefaultKeyMap(),
		Theme: ui.NewTheme(true, false), Width: 160, Height: 50}
	m.Render(ctx)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.list.Table().Move(1 - 2*(i%2))
		_ = m.Render(ctx)
	}
}

func TestStaleTicksDropped(t *testing.T) {
	d, f, _ := setup(t)
	m := d.model()
	d.typeText("SELECT * FROM slow")
	d.press("ctrl+r")
	d.waitStarted(f)
	if _, cmd := m.Update(d.ctx, tickMsg{gen: m.tickGen - 1}); cmd != nil {
		t.Fatal("a tick of an earlier run scheduled another")
	}
	if _, cmd := m.Update(d.ctx, tickMsg{gen: m.tickGen}); cmd == nil {
		t.Fatal("the running query's tick did not schedule the next")
	}
	d.press("ctrl+x")
	if _, cmd := m.Update(d.ctx, tickMsg{gen: m.tickGen}); cmd != nil {
		t.Fatal("a tick after the query ended scheduled another")
	}
}

// :export PATH writes the result to the file named (its extension says
// the format; an existing file is not replaced) or into a folder.
func TestExportToPath(t *testing.T) {
	d, _, dir := setup(t)
	d.runSQL("SELECT * FROM orders")
	d.press("esc")
	target := filepath.Join(dir, "picked.csv")
	d.send(ui.ExportTo{Path: target})
	d.waitScreen("exported 3 rows to " + target)
	b, err := os.ReadFile(target)
	if err != nil || !strings.HasPrefix(string(b), "order_id,customer,total_amount,date\n") {
		t.Fatalf("export file: %v %q", err, b)
	}
	d.send(ui.ExportTo{Path: target})
	d.waitScreen("create " + target)
	d.send(ui.ExportTo{Path: filepath.Join(dir, "nope.txt")})
	d.waitScreen("name a file ending in .csv, .json, .jsonl or .parquet")
}

// ctrl+o searches the history: typing filters it, enter puts the
// statement in the editor.
func TestHistorySearch(t *testing.T) {
	d, _, _ := setup(t)
	d.runSQL("SELECT 1 FROM orders")
	d.runSQL("SELECT count(*) FROM products")
	d.runSQL("SELECT 2 FROM order_items")
	d.press("ctrl+o")
	d.waitScreen("SQL history", "3 statements")
	d.typeText("products")
	s := d.waitScreen("/products", "SELECT count(*) FROM products")
	if strings.Contains(s, "FROM order_items") {
		t.Fatalf("the search did not filter:\n%s", s)
	}
	d.press("enter", "enter")
	if got := d.model().editor.Value(); got != "SELECT count(*) FROM products" {
		t.Fatalf("editor holds %q", got)
	}
}

// :save PATH writes the editor's text to a .sql file, :open PATH reads one
// into the editor; other names are refused.
func TestSaveAndOpenSQLFiles(t *testing.T) {
	d, _, dir := setup(t)
	d.typeText("SELECT * FROM orders\nWHERE total_amount > 10")
	path := filepath.Join(dir, "q.sql")
	d.send(ui.SaveSQL{Path: path})
	d.waitFor("the file", func() bool {
		b, _ := os.ReadFile(path)
		return string(b) == "SELECT * FROM orders\nWHERE total_amount > 10\n"
	})
	d.model().editor.Reset()
	d.send(ui.LoadSQL{Path: path})
	d.waitFor("the editor", func() bool { return d.model().editor.Value() == "SELECT * FROM orders\nWHERE total_amount > 10\n" })
	d.send(ui.SaveSQL{Path: filepath.Join(dir, "q.txt")})
	d.waitFor("the refusal", func() bool {
		for _, m := range d.out {
			if n, ok := m.(ui.Notify); ok && n.Error && strings.Contains(n.Text, "name a file ending in .sql") {
				return true
			}
		}
		return false
	})
	if _, err := os.Stat(filepath.Join(dir, "q.txt")); err == nil {
		t.Fatal("wrote a file not named .sql")
	}
	refused := func(what, text string) {
		t.Helper()
		d.waitFor(what, func() bool {
			for _, m := range d.out {
				if n, ok := m.(ui.Notify); ok && n.Error && strings.Contains(n.Text, text) {
					return true
				}
			}
			return false
		})
	}
	// Another file that exists is never replaced; the one in the editor is.
	other := filepath.Join(dir, "other.sql")
	if err := os.WriteFile(other, []byte("SELECT 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.send(ui.SaveSQL{Path: other})
	refused("the refusal to replace", "exists and is not the file in the editor")
	if b, _ := os.ReadFile(other); string(b) != "SELECT 1\n" {
		t.Fatalf("other.sql replaced: %q", b)
	}
	d.typeText(" AND 1 = 1")
	d.send(ui.SaveSQL{Path: path})
	d.waitFor("q.sql saved again", func() bool {
		b, _ := os.ReadFile(path)
		return strings.Contains(string(b), "AND 1 = 1")
	})
	// :open takes .sql files only, and keeps the text it replaces in the history.
	d.send(ui.LoadSQL{Path: filepath.Join(dir, "q.txt")})
	refused("the refusal to open", "q.txt: name a file ending in .sql")
	before := d.model().editor.Value()
	d.send(ui.LoadSQL{Path: other})
	d.waitFor("other.sql in the editor", func() bool { return d.model().editor.Value() == "SELECT 1\n" })
	if h := d.model().history; len(h) == 0 || h[len(h)-1] != strings.TrimSpace(before) {
		t.Fatalf("the replaced text is not in the history: %q", h)
	}
}

// A script of several statements runs each in turn, one result tab each
// ([ and ] switch); a statement that fails stops the rest.
func TestOneResultTabPerStatement(t *testing.T) {
	d, f, _ := setup(t)
	d.typeText("SELECT * FROM orders; SELECT * FROM golden")
	d.press("ctrl+r")
	d.waitScreen("results 1 [2]", "items", "note")
	if q := f.last(); q != "SELECT * FROM golden" {
		t.Fatalf("last statement run %q", q)
	}
	if h := d.model().history; len(h) != 1 || h[0] != "SELECT * FROM orders; SELECT * FROM golden" {
		t.Fatalf("the history holds %q, want the script once", h)
	}
	d.press("esc", "[")
	s := d.waitScreen("results [1] 2", "customer")
	if strings.Contains(s, "items") {
		t.Fatalf("tab 1 shows tab 2's columns:\n%s", s)
	}
	d.press("]")
	d.waitScreen("results 1 [2]", "items")
	d.press("i")
	d.model().editor.Reset()
	d.typeText("SELECT 1 FROM orders; SELECT boom; SELECT 2 FROM orders")
	d.press("ctrl+r")
	d.waitScreen("statement 2 did not finish: the 1 after it did not run")
	if q := f.last(); q != "SELECT boom" {
		t.Fatalf("ran on after a failure: %q", q)
	}
}

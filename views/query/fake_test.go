package query

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// fakeEngine answers from memory:
//   - a statement mentioning "slow" blocks until its context is cancelled;
//   - "boom" fails with a multi-line error holding an escape sequence;
//   - "big" returns bigRows rows (every 7th has a formula-like text cell);
//   - anything else returns three rows of orders, one with hostile text.
type fakeEngine struct {
	mu        sync.Mutex
	queries   []string
	cancelled int // queries whose context was cancelled while they ran
	closed    int // results closed
	started   chan string
}

const bigRows = 2500

func newFake() *fakeEngine { return &fakeEngine{started: make(chan string, 100)} }

func (f *fakeEngine) Name() string { return "fake" }
func (f *fakeEngine) Close() error { return nil }

func (f *fakeEngine) Tables(context.Context) ([]ops.TableInfo, error) {
	return []ops.TableInfo{
		{Name: "orders", Version: 3, Partitions: []string{"date"}, Columns: []ops.Column{
			{Name: "order_id", Type: "BIGINT"}, {Name: "total_amount", Type: "DECIMAL(12,2)"}, {Name: "date", Type: "DATE"}}},
		{Name: "order_items", Version: 2, Columns: []ops.Column{{Name: "id", Type: "BIGINT"}, {Name: "order_id", Type: "BIGINT"}}},
		{Name: "products", Version: 1, Columns: []ops.Column{{Name: "product_id", Type: "BIGINT"}, {Name: "product_name", Type: "VARCHAR"}}},
	}, nil
}

func (f *fakeEngine) Query(ctx context.Context, sql string) (ops.Rows, error) {
	f.mu.Lock()
	f.queries = append(f.queries, sql)
	f.mu.Unlock()
	select {
	case f.started <- sql:
	default:
	}
	switch {
	case strings.Contains(sql, "slow"):
		select {
		case <-ctx.Done():
			f.mu.Lock()
			f.cancelled++
			f.mu.Unlock()
			return nil, ctx.Err()
		case <-time.After(20 * time.Second):
			return nil, errors.New("the slow query was never cancelled")
		}
	case strings.Contains(sql, "boom"):
		return nil, errors.New("Parser Error: syntax error at or near \"boom\"\n\x1b[31mLINE 1: SELECT boom\x1b[0m")
	case strings.Contains(sql, "golden"): // wide rows: 7-digit counts, a long text
		note := "customer asked for the order to be split across two deliveries because the second half was on back order; " +
			"support agreed and waived the fee"
		return &fakeRows{f: f, n: 3, cols: []ops.Column{{Name: "order_id", Type: "BIGINT"}, {Name: "items", Type: "BIGINT"},
			{Name: "total_amount", Type: "DECIMAL(12,2)"}, {Name: "note", Type: "VARCHAR"}, {Name: "date", Type: "DATE"}},
			row: func(i int) []any {
				return []any{int64(8_000_000_001 + i), int64(3_302_817 - i*1_000_000), fmt.Sprintf("%d.50", 1_234_567+i), note, "2025-04-01"}
			}}, nil
	case strings.Contains(sql, "big"):
		return &fakeRows{f: f, n: bigRows, cols: []ops.Column{{Name: "n", Type: "BIGINT"}, {Name: "label", Type: "VARCHAR"},
			{Name: "delta", Type: "BIGINT"}}, row: func(i int) []any {
			label := fmt.Sprintf("row %d", i)
			if i%7 == 0 {
				label = fmt.Sprintf("=HYPERLINK(\"http://x/%d\")", i)
			}
			return []any{int64(i), label, int64(-i)}
		}, stats: ops.QueryStats{BytesScanned: 3 << 20, CostUSD: 0.0000143}}, nil
	}
	data := [][]any{
		{int64(1), "alice", 10.5, nil},
		{int64(2), "\x1b[31mred\x1b[0m", 20.25, "2025-04-01"},
		{int64(3), "multi\nline", -3.0, "2025-04-02"},
	}
	return &fakeRows{f: f, n: len(data), cols: []ops.Column{{Name: "order_id", Type: "BIGINT"},
		{Name: "customer", Type: "VARCHAR"}, {Name: "total_amount", Type: "DOUBLE"}, {Name: "date", Type: "DATE"}},
		row: func(i int) []any { return data[i] }}, nil
}

func (f *fakeEngine) counts() (cancelled, closed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cancelled, f.closed
}

func (f *fakeEngine) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queries) == 0 {
		return ""
	}
	return f.queries[len(f.queries)-1]
}

type fakeRows struct {
	f     *fakeEngine
	cols  []ops.Column
	n, i  int
	row   func(int) []any
	stats ops.QueryStats
}

func (r *fakeRows) Columns() []ops.Column { return r.cols }

func (r *fakeRows) Next(ctx context.Context) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.i >= r.n {
		return nil, io.EOF
	}
	r.i++
	return r.row(r.i - 1), nil
}

func (r *fakeRows) Stats() ops.QueryStats { return r.stats }

func (r *fakeRows) Close() error {
	r.f.mu.Lock()
	r.f.closed++
	r.f.mu.Unlock()
	return nil
}

// driver runs a view like a program does: commands run in goroutines and
// their messages come back on a channel, handled on the test goroutine.
type driver struct {
	t    testing.TB
	ctx  *ui.Context
	view ui.View
	msgs chan tea.Msg
	out  []tea.Msg
	wg   sync.WaitGroup // commands still running
}

func newDriver(t testing.TB, v ui.View) *driver {
	t.Helper()
	d := &driver{t: t, view: v, msgs: make(chan tea.Msg, 4096), ctx: &ui.Context{
		App: context.Background(), Keys: ui.DefaultKeyMap(), Theme: ui.NewTheme(true, false), Width: 100, Height: 30,
	}}
	// Commands (history writes, exports) may outlive the test body: let
	// them finish before t.TempDir is removed (cleanups run last-in first-out).
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() { d.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	})
	d.spawn(v.Init(d.ctx))
	return d
}

func (d *driver) spawn(cmd tea.Cmd) {
	if cmd != nil {
		d.wg.Add(1)
		go func() { defer d.wg.Done(); d.msgs <- cmd() }()
	}
}

func (d *driver) handle(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			d.spawn(c)
		}
	case ui.Notify, ui.Go, ui.Copy:
		d.out = append(d.out, msg)
	default:
		d.send(msg)
	}
}

func (d *driver) send(msg tea.Msg) {
	v, cmd := d.view.Update(d.ctx, msg)
	d.view = v
	d.spawn(cmd)
}

func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.send(uitest.Key(k))
	}
}

// expectEditor presses keys and fails unless the editor then holds want.
func (d *driver) expectEditor(want string, keys ...string) {
	d.t.Helper()
	d.press(keys...)
	if v := d.model().editor.Value(); v != want {
		d.t.Fatalf("after %q the editor holds %q, want %q", keys, v, want)
	}
}

func (d *driver) typeText(s string) {
	for _, r := range s {
		if r == '\n' {
			d.send(uitest.Key("enter"))
			continue
		}
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// waitFor handles messages until cond holds.
func (d *driver) waitFor(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-d.msgs:
			d.handle(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.screen())
		}
	}
}

// waitScreen handles messages until the screen shows every text.
func (d *driver) waitScreen(texts ...string) string {
	d.t.Helper()
	var s string
	d.waitFor(fmt.Sprintf("%q on screen", texts), func() bool {
		s = d.screen()
		for _, t := range texts {
			if !strings.Contains(s, t) {
				return false
			}
		}
		return true
	})
	return s
}

// screen renders the view, checks its size and strips styles.
func (d *driver) screen() string {
	d.t.Helper()
	out := d.view.Render(d.ctx)
	uitest.CheckFrame(d.t, out, d.ctx.Width, d.ctx.Height)
	for i, l := range strings.Split(out, "\n") {
		if strings.Contains(ansi.Strip(l), "\x1b") {
			d.t.Fatalf("line %d holds a raw escape: %q", i, l)
		}
	}
	return ansi.Strip(out)
}

func (d *driver) model() *Model { return d.view.(*Model) }

// runSQL clears the editor, types sql, runs it and waits for it to finish.
func (d *driver) runSQL(sql string) {
	d.t.Helper()
	m := d.model()
	if !m.editor.Focused() {
		d.press("i")
	}
	m.editor.Reset()
	d.typeText(sql)
	d.press("ctrl+r")
	d.waitFor("the query to finish", func() bool { return m.res != nil && !m.res.running })
}

// waitStarted handles messages until the engine started a query.
func (d *driver) waitStarted(f *fakeEngine) {
	d.t.Helper()
	d.waitFor("the engine to start a query", func() bool {
		select {
		case <-f.started:
			return true
		default:
			return false
		}
	})
}

// waitOut handles messages until the view sent a shell message of type T
// after the first skip ones.
func waitOut[T tea.Msg](d *driver, skip int) T {
	d.t.Helper()
	var got T
	d.waitFor(fmt.Sprintf("a %T", got), func() bool {
		n := 0
		for _, m := range d.out {
			if v, ok := m.(T); ok {
				if n == skip {
					got = v
					return true
				}
				n++
			}
		}
		return false
	})
	return got
}

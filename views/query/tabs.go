package query

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
)

// Several statements run one after the other, each with its own result
// tab; [ and ] move between the tabs. A statement that fails stops the
// rest.

// runScript runs every statement of a script: one result tab each.
func (m *Model) runScript(ctx *ui.Context, script string) tea.Cmd {
	stmts := ops.Statements(script)
	if len(stmts) <= 1 {
		m.tabs, m.queue = nil, nil
		return m.run(ctx, script)
	}
	m.tabs, m.queue, m.app = nil, stmts[1:], ctx.App
	first := m.runStatement(ctx, stmts[0], false) // the script is remembered whole, once
	m.tabs = []*result{m.res}
	return tea.Batch(first, m.remember(strings.TrimSpace(script)))
}

// nextStatement starts the next statement of a script when the current
// one has its result, or stops the script when it failed.
func (m *Model) nextStatement(ctx *ui.Context) tea.Cmd {
	r := m.res
	if len(m.queue) == 0 || r == nil || len(m.tabs) == 0 || m.tabs[len(m.tabs)-1] != r || r.running {
		return nil
	}
	if r.err != nil || r.cancelled {
		m.setNote(fmt.Sprintf("statement %d did not finish: the %d after it did not run", len(m.tabs), len(m.queue)), true)
		m.queue = nil
		return nil
	}
	sql := m.queue[0]
	m.queue = m.queue[1:]
	cmd := m.runStatement(ctx, sql, false)
	m.tabs = append(m.tabs, m.res)
	return cmd
}

// showTab shows result tab i.
func (m *Model) showTab(i int) {
	if len(m.tabs) < 2 || i < 0 || i >= len(m.tabs) || m.res != nil && m.res.running {
		return
	}
	r := m.tabs[i]
	m.res, m.tab = r, i
	m.list.SetColumns(tableColumns(r.cols))
	m.list.SetRows(cells(r.vals))
	m.list.Dismiss()
	m.col = 0
}

// tabIndex is the shown tab's index.
func (m *Model) tabIndex() int {
	for i, r := range m.tabs {
		if r == m.res {
			return i
		}
	}
	return -1
}

// tabsLine names the result tabs: "results 1 [2] 3 · [/] switch".
func (m *Model) tabsLine(th *ui.Theme) string {
	cur := m.tabIndex()
	var parts []string
	for i := range m.tabs {
		if i == cur {
			parts = append(parts, th.Title.Render(fmt.Sprintf("[%d]", i+1)))
		} else {
			parts = append(parts, th.Tab.Render(fmt.Sprint(i+1)))
		}
	}
	for range m.queue {
		parts = append(parts, th.Dim.Render("·"))
	}
	return th.Dim.Render("results ") + strings.Join(parts, " ") + th.Dim.Render("  [ ] switch · "+
		textfmt.Sanitize(firstLineOf(m.res.sql)))
}

func firstLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

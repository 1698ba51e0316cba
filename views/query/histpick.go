package query

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// The history search: every statement that ran, newest first, in a list
// the / filter searches; enter puts the statement in the editor.

// openHistory opens the history search.
func (m *Model) openHistory() {
	if len(m.history) == 0 {
		m.setNote("the history is empty", false)
		return
	}
	l := listview.New(listview.Options{Columns: []listview.Column{{Title: "#", Right: true}, {Title: "statement", Flex: true}}})
	rows := make([][]string, len(m.history))
	for i := range m.history {
		sql := m.history[len(m.history)-1-i]
		rows[i] = []string{textfmt.Count(int64(len(m.history) - i)), strings.Join(strings.Fields(sql), " ")}
	}
	l.SetRows(rows)
	l.Update(&m.keys, tea.KeyPressMsg{Code: '/', Text: "/"}) // typing searches at once
	m.histPick = l
}

// historyKey handles the history search's keys: enter takes the
// statement, esc closes (after clearing the search).
func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	l := m.histPick
	if !l.Filtering() && key.Matches(msg, m.keys.Enter) {
		if r := l.Cursor(); r >= 0 && r < len(m.history) {
			m.editor.SetValue(m.history[len(m.history)-1-r])
			m.histPos = len(m.history) - 1 - r
		}
		m.histPick = nil
		return m.editor.Focus()
	}
	if act, _ := l.Update(&m.keys, msg); act == listview.Pass && key.Matches(msg, m.keys.Back) {
		m.histPick = nil
	}
	return nil
}

func (m *Model) renderHistory(ctx *ui.Context) string {
	th, w := ctx.Theme, ctx.Width
	top := []string{th.Title.Render("SQL history") + th.Dim.Render(" · "+textfmt.Counted(int64(len(m.history)), "statement", "statements")+
		" · newest first · type to search")}
	return m.histPick.View(w, ctx.Height, th, top, "enter", "edit it", "/", "search", "esc", "close")
}

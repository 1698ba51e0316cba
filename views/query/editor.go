package query

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/editor"
)

// newEditor returns the SQL editor, focused; end goes to the line's end.
func newEditor() textarea.Model {
	ed := editor.New("SELECT … — ctrl+r runs it all, ctrl+e the statement under the cursor")
	ed.KeyMap.LineEnd.SetKeys("end")
	_ = ed.Focus()
	return ed
}

// styleEditor styles the editor from the theme (again when it changes).
func (m *Model) styleEditor(th *ui.Theme) {
	if m.styled == th {
		return
	}
	m.styled = th
	editor.Style(&m.editor, th, true)
	m.edSize.Forget()
}

// cursorOffset is the cursor's byte offset in the editor's text.
func (m *Model) cursorOffset() int {
	lines := strings.Split(m.editor.Value(), "\n")
	row := min(m.editor.Line(), len(lines)-1)
	off := 0
	for _, l := range lines[:row] {
		off += len(l) + 1
	}
	line := []rune(lines[row])
	return off + len(string(line[:min(m.editor.Column(), len(line))]))
}

// completion remembers the last completion so a repeated tab cycles.
type completion struct {
	matches  []string
	i        int
	inserted int // runes inserted for matches[i]
	row, col int // the cursor after inserting
}

func wordRune(r rune) bool { return r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// complete completes the word before the cursor with a table or column
// name; tab again cycles through the matches.
func (m *Model) complete(ctx *ui.Context) tea.Cmd {
	if c := m.comp; c != nil && c.row == m.editor.Line() && c.col == m.editor.Column() {
		m.deleteBack(c.inserted)
		c.i = (c.i + 1) % len(c.matches)
		m.insertMatch(c)
		return nil
	}
	m.comp = nil
	if !m.tablesOK {
		if m.eng != nil {
			m.setNote("table names are still loading (or failed to load: trying again)", true)
			return m.loadTables(ctx)
		}
		m.setNote(noEngineNote, true)
		return nil
	}
	lines := strings.Split(m.editor.Value(), "\n")
	line := []rune(lines[min(m.editor.Line(), len(lines)-1)])
	col := min(m.editor.Column(), len(line))
	s := col
	for s > 0 && wordRune(line[s-1]) {
		s--
	}
	word := string(line[s:col])
	qual, prefix := "", word
	if i := strings.LastIndexByte(word, '.'); i >= 0 {
		qual, prefix = word[:i], word[i+1:]
	}
	matches := m.candidates(qual, prefix)
	if len(matches) == 0 {
		m.setNote("no table or column name starts with "+textfmt.Sanitize(word), true)
		return nil
	}
	m.deleteBack(utf8.RuneCountInString(prefix))
	m.comp = &completion{matches: matches}
	m.insertMatch(m.comp)
	return nil
}

// candidates are the names that complete prefix: the columns of table
// qual when given (all columns when no table has that name, as qual may
// be an alias), else table names first, then column names.
func (m *Model) candidates(qual, prefix string) []string {
	var tables, cols []string
	seen := map[string]bool{}
	add := func(list *[]string, name string) {
		if !seen[name] && strings.HasPrefix(strings.ToLower(name), strings.ToLower(prefix)) {
			seen[name] = true
			*list = append(*list, name)
		}
	}
	if qual != "" {
		for _, t := range m.tables {
			if strings.EqualFold(t.Name, qual) {
				for _, c := range t.Columns {
					add(&cols, c.Name)
				}
			}
		}
		if len(cols) > 0 {
			return cols
		}
	}
	for _, t := range m.tables {
		if qual == "" {
			add(&tables, t.Name)
		}
	}
	if prefix != "" || qual != "" {
		for _, t := range m.tables {
			for _, c := range t.Columns {
				add(&cols, c.Name)
			}
		}
	}
	sort.Strings(tables)
	sort.Strings(cols)
	return slices.Concat(tables, cols)
}

func (m *Model) deleteBack(n int) {
	for range n {
		m.editor, _ = m.editor.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	}
}

func (m *Model) insertMatch(c *completion) {
	name := c.matches[c.i]
	m.editor.InsertString(name)
	c.inserted = utf8.RuneCountInString(name)
	c.row, c.col = m.editor.Line(), m.editor.Column()
	if len(c.matches) > 1 {
		m.setNote(completionNote(c), false)
	} else {
		m.setNote("", false)
	}
}

func completionNote(c *completion) string {
	var b strings.Builder
	b.WriteString("tab: ")
	for k := range min(len(c.matches), 8) {
		i := (c.i + k) % len(c.matches)
		if k > 0 {
			b.WriteString(" · ")
		}
		b.WriteString(textfmt.Sanitize(c.matches[i]))
	}
	if len(c.matches) > 8 {
		b.WriteString(" …")
	}
	return b.String()
}

// recall steps through the history (dir -1: older, 1: newer); past the
// newest it gives back the text that was in the editor.
func (m *Model) recall(dir int) {
	if len(m.history) == 0 {
		m.setNote("the history is empty", false)
		return
	}
	m.histPos = min(m.histPos, len(m.history))
	if m.histPos == len(m.history) && dir < 0 {
		m.draft = m.editor.Value()
	}
	p := max(0, min(m.histPos+dir, len(m.history)))
	if p == m.histPos {
		return
	}
	m.histPos = p
	if p == len(m.history) {
		m.editor.SetValue(m.draft)
		m.setNote("", false)
		return
	}
	m.editor.SetValue(m.history[p])
	m.setNote(historyNote(p, len(m.history)), false)
}

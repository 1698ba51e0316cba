// Package listview is the one list screen the console's views share: a
// virtual table with a `/` filter, an optional sort key cycling through
// the view's orders, optional multi-selection (space), a detail pane for
// the row under the cursor, a note line and an export-format prompt. The
// view owns its rows and what enter, the selection and an export do; the
// list owns the keys that move, filter, sort, select and open the prompt,
// and draws the screen in exactly the size it is given.
package listview

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/lineinput"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// Column describes one column of a list (the table's Column).
type Column = table.Column

// Sort is one order the sort key cycles through.
type Sort struct {
	Label string
	// Compare orders two rows by their index into the rows (negative: a
	// first); nil keeps the rows' own order.
	Compare func(a, b int) int
}

// Format is an export format the prompt offers: the key that picks it,
// its name (handed back to the view) and its label, e.g. "(c)sv".
type Format struct{ Key, Name, Label string }

// Options configure a list.
type Options struct {
	Columns []Column
	// Empty is shown when there are no rows.
	Empty string
	// SortKey cycles through Sorts (the first is the initial order); unset
	// or without Sorts there is no sort key.
	SortKey key.Binding
	Sorts   []Sort
	// Select lets the select key (space) mark rows, named by SetKeys; a
	// mark column comes first.
	Select bool
	// Exports are the formats the export key asks for; none: no export key.
	Exports []Format
}

// Action says what a key did.
type Action int

// Actions of Update.
const (
	// Pass: not the list's key; the view handles it.
	Pass Action = iota
	// Used: the list used the key (moved, filtered, sorted, selected, …).
	Used
	// Export: the user picked an export format (ExportFormat).
	Export
)

// Detail is what the detail pane shows for one row: lines (styled and
// sanitized by the view) and the lines [Focus[0], Focus[1]) to keep on
// screen (zero: from the top).
type Detail struct {
	Lines []string
	Focus [2]int
}

// Model is a list screen.
type Model struct {
	table    *table.Model
	filter   lineinput.Model
	opts     Options
	sortAt   int
	keys     []string // row names, for the selection
	selected map[string]bool
	marked   [][]string // the rows with the mark cell first (Select only)

	prompt     string // the export question; "" when not asking
	format     string // the format picked last
	note       string
	noteErr    bool
	noteAt     time.Time
	noteFor    time.Duration
	detail     func(row, width int, th *ui.Theme) Detail
	detailOff  int
	detailRow  int
	detailPage int
	bodyTop    int // the view's line where the body was drawn last (for clicks)
}

// New returns a list with the given options.
func New(opts Options) *Model {
	m := &Model{opts: opts, filter: lineinput.New("/"), selected: map[string]bool{}, noteFor: NoteFor}
	cols := opts.Columns
	if opts.Select {
		cols = append([]table.Column{{Title: " ", Width: 1}}, cols...)
	}
	m.table = table.New(cols...)
	// The key column (the first; after the selection mark when there is
	// one) stays when the list scrolls right.
	m.table.SetPinned(len(cols) - len(opts.Columns) + 1)
	if opts.Empty != "" {
		m.table.Empty = opts.Empty
	}
	if len(opts.Sorts) > 0 && opts.Sorts[0].Compare != nil {
		m.table.SetOrder(opts.Sorts[0].Compare)
	}
	return m
}

// Table is the list's table (for columns, scrolling and rows set by the view).
func (m *Model) Table() *table.Model { return m.table }

// SetColumns replaces the columns (a result with other columns).
func (m *Model) SetColumns(cols []Column) {
	m.opts.Columns = cols
	if m.opts.Select {
		cols = append([]table.Column{{Title: " ", Width: 1}}, cols...)
	}
	m.table.SetColumns(cols)
}

// SetEmpty sets what is shown when there are no rows.
func (m *Model) SetEmpty(text string) { m.table.Empty = text }

// SetRows replaces the rows (the filter, the order and the cursor's row
// stay). Rows are not copied.
func (m *Model) SetRows(rows [][]string) {
	if !m.opts.Select {
		m.table.SetRows(rows)
		return
	}
	m.marked = make([][]string, len(rows))
	for i, r := range rows {
		m.marked[i] = append([]string{m.mark(i)}, r...)
	}
	m.table.SetRows(m.marked)
}

// AppendRows adds rows at the end (the next page of a listing or a result).
func (m *Model) AppendRows(rows ...[]string) {
	if !m.opts.Select {
		m.table.AppendRows(rows...)
		return
	}
	for _, r := range rows {
		m.marked = append(m.marked, append([]string{m.mark(len(m.marked))}, r...))
	}
	m.table.SetRows(m.marked)
}

// SetKeys names the rows (by index) for the selection; call it with SetRows.
func (m *Model) SetKeys(keys []string) {
	m.keys = keys
	for i := range m.marked {
		m.marked[i][0] = m.mark(i)
	}
}

func (m *Model) mark(row int) string {
	if row < len(m.keys) && m.selected[m.keys[row]] {
		return "●"
	}
	return ""
}

// SetCellStyle styles cells, by row index and column (the view's columns;
// the mark column is the list's own).
func (m *Model) SetCellStyle(f table.CellStyle) {
	if !m.opts.Select {
		m.table.SetCellStyle(f)
		return
	}
	m.table.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		if col == 0 {
			return th.Warn, row < len(m.keys) && m.selected[m.keys[row]]
		}
		if f == nil {
			return lipgloss.Style{}, false
		}
		return f(row, col-1, th)
	})
}

// Cursor is the row index (into the rows) under the cursor, or -1.
func (m *Model) Cursor() int { return m.table.Cursor() }

// SelectRow moves the cursor to a row when it is in view.
func (m *Model) SelectRow(row int) bool { return m.table.SelectRow(row) }

// Len is the number of rows in view (after the filter).
func (m *Model) Len() int { return m.table.Len() }

// RowAt is the row index at a view position (the filtered, ordered rows
// are RowAt(0) … RowAt(Len()-1)).
func (m *Model) RowAt(pos int) int { return m.table.RowAt(pos) }

// Status is "position/count", with the total when filtered.
func (m *Model) Status() string { return m.table.Status() }

// SortLabel is the label of the current order ("" without sorts).
func (m *Model) SortLabel() string {
	if len(m.opts.Sorts) == 0 {
		return ""
	}
	return m.opts.Sorts[m.sortAt].Label
}

// Selected returns the names of the selected rows, in row order.
func (m *Model) Selected() []string {
	var out []string
	for _, k := range m.keys {
		if m.selected[k] {
			out = append(out, k)
		}
	}
	return out
}

// ClearSelection unmarks every row.
func (m *Model) ClearSelection() {
	m.selected = map[string]bool{}
	m.SetKeys(m.keys)
}

// Filtering reports whether the filter input has focus (the view's
// InputFocused).
func (m *Model) Filtering() bool { return m.filter.Focused() }

// Busy reports whether the list takes every key now: the filter is being
// typed or the export prompt waits for a format. A view hands keys to
// Update before its own bindings while the list is busy.
func (m *Model) Busy() bool { return m.filter.Focused() || m.prompt != "" }

// HasFilter reports whether a filter text is set (esc clears it first).
func (m *Model) HasFilter() bool { return m.filter.Value() != "" }

// ClearFilter drops the filter text.
func (m *Model) ClearFilter() {
	m.filter.Reset()
	m.table.SetFilter("")
}

// NoteFor is how long a note stays on the footer line (unless a key
// clears it first).
const NoteFor = 10 * time.Second

// SetNote shows a note on the footer line until the next key, for at most
// NoteFor (the shell redraws every second, so it goes by itself).
func (m *Model) SetNote(text string, isErr bool) {
	m.note, m.noteErr, m.noteAt = text, isErr, time.Now()
}

// SetNoteFor changes how long notes stay.
func (m *Model) SetNoteFor(d time.Duration) { m.noteFor = d }

// Note is the note shown, if any.
func (m *Model) Note() string {
	if m.note != "" && time.Since(m.noteAt) > m.noteFor {
		m.note = ""
	}
	return m.note
}

// AskExport opens the export prompt about what ("12 rows" when empty).
func (m *Model) AskExport(what string) {
	if what == "" {
		what = textfmt.Rows(int64(m.Len()))
	}
	labels := make([]string, len(m.opts.Exports))
	for i, f := range m.opts.Exports {
		labels[i] = f.Label
	}
	m.prompt = fmt.Sprintf("export %s as %s? any other key cancels", what, textfmt.OrList(labels))
}

// ExportFormat is the format the user picked (after Export).
func (m *Model) ExportFormat() string { return m.format }

// OpenDetail shows the detail pane of the row under the cursor, drawn by
// render for a row index and a width.
func (m *Model) OpenDetail(render func(row, width int, th *ui.Theme) Detail) {
	m.detail, m.detailOff, m.detailRow = render, 0, m.Cursor()
}

// Dismiss closes the detail pane and the export prompt (a new result).
func (m *Model) Dismiss() { m.detail, m.prompt = nil, "" }

// CloseDetail closes the detail pane.
func (m *Model) CloseDetail() { m.detail = nil }

// DetailOpen reports whether the detail pane is open.
func (m *Model) DetailOpen() bool { return m.detail != nil }

// ScrollDetail scrolls the detail pane by n lines.
func (m *Model) ScrollDetail(n int) { m.detailOff = max(0, m.detailOff+n) }

// Update handles a key or the mouse wheel: the filter being typed, the
// export prompt, the detail pane (esc closes, ↑/↓ the previous or next
// row, pgup/pgdn/wheel scroll), then the list's own keys. Any key clears
// the note.
func (m *Model) Update(keys *ui.KeyMap, msg tea.Msg) (Action, tea.Cmd) {
	press, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		m.note = ""
	}
	switch {
	case m.filter.Focused():
		res, cmd := m.filter.Update(msg)
		if res != lineinput.Ignored {
			m.table.SetFilter(m.filter.Value())
		}
		return Used, cmd
	case m.prompt != "" && isKey:
		m.prompt = ""
		for _, f := range m.opts.Exports {
			if press.String() == f.Key {
				m.format = f.Name
				return Export, nil
			}
		}
		m.SetNote("export cancelled", false)
		return Used, nil
	case m.detail != nil:
		return m.detailUpdate(keys, msg), nil
	case !isKey:
		if m.table.Update(keys, msg) {
			return Used, nil
		}
		return Pass, nil
	}
	switch {
	case key.Matches(press, keys.Filter):
		m.filter.Focus()
	case key.Matches(press, keys.Back) && m.filter.Value() != "":
		m.ClearFilter()
	case len(m.opts.Sorts) > 1 && key.Matches(press, m.opts.SortKey):
		m.sortAt = (m.sortAt + 1) % len(m.opts.Sorts)
		m.table.SetOrder(m.opts.Sorts[m.sortAt].Compare)
	case m.opts.Select && key.Matches(press, keys.Select):
		m.toggle()
	case len(m.opts.Exports) > 0 && key.Matches(press, keys.Export):
		if m.Len() == 0 {
			m.SetNote("nothing to export", true)
		} else {
			m.AskExport("")
		}
	default:
		if !m.table.Update(keys, msg) {
			return Pass, nil
		}
	}
	return Used, nil
}

// toggle marks or unmarks the row under the cursor and moves down.
func (m *Model) toggle() {
	r := m.Cursor()
	if r < 0 || r >= len(m.keys) || m.keys[r] == "" {
		return
	}
	k := m.keys[r]
	if m.selected[k] {
		delete(m.selected, k)
	} else {
		m.selected[k] = true
	}
	m.marked[r][0] = m.mark(r)
	m.table.Move(1)
}

func (m *Model) detailUpdate(keys *ui.KeyMap, msg tea.Msg) Action {
	page := max(m.detailPage-1, 1)
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.ScrollDetail(-3)
		case tea.MouseWheelDown:
			m.ScrollDetail(3)
		default:
			return Pass
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.Back):
			m.detail = nil
		case key.Matches(msg, keys.Up):
			m.table.Move(-1)
		case key.Matches(msg, keys.Down):
			m.table.Move(1)
		case key.Matches(msg, keys.PageUp):
			m.ScrollDetail(-page)
		case key.Matches(msg, keys.PageDown):
			m.ScrollDetail(page)
		case key.Matches(msg, keys.Top):
			m.detailOff = 0
		case key.Matches(msg, keys.Bottom):
			m.detailOff = 1 << 30
		default:
			return Pass
		}
	default:
		return Pass
	}
	return Used
}

// Body draws the table, or the detail pane when it is open, in w × h.
func (m *Model) Body(w, h int, th *ui.Theme) string {
	if m.detail == nil {
		return m.table.Render(w, h, th)
	}
	row := m.Cursor()
	if row != m.detailRow {
		m.detailRow, m.detailOff = row, 0
	}
	if row < 0 {
		return ""
	}
	d := m.detail(row, w, th)
	m.detailPage = h
	if f := d.Focus; f[1] > f[0] {
		if f[0] < m.detailOff {
			m.detailOff = f[0]
		}
		if f[1] > m.detailOff+h {
			m.detailOff = max(min(f[1]-h, f[0]), 0)
		}
	}
	m.detailOff = max(0, min(m.detailOff, len(d.Lines)-h))
	return strings.Join(d.Lines[m.detailOff:min(m.detailOff+h, len(d.Lines))], "\n")
}

// Footer is the footer line in w cells: the export prompt, the filter
// being typed, the note, or the hints — with the filter text in front
// when one is set.
func (m *Model) Footer(w int, th *ui.Theme, hints ...string) string {
	switch {
	case m.prompt != "":
		return th.Warn.Render(textfmt.Sanitize(m.prompt))
	case m.filter.Focused():
		return m.filter.View(w, th)
	}
	line := th.Dim.Render(screen.Hints(hints...))
	if m.Note() != "" {
		style := th.OK
		if m.noteErr {
			style = th.Error
		}
		line = style.Render(table.Truncate(m.note, w))
	}
	if f := m.filter.View(w/3, th); f != "" {
		line = f + "  " + line
	}
	return line
}

// SetBodyTop says on which line of the view the body is drawn (View sets
// it; a view that draws Body itself says it), for clicks.
func (m *Model) SetBodyTop(line int) { m.bodyTop = line }

// Click moves the cursor to the clicked row; again reports a click on the
// row the cursor was on (the view opens it, as enter would). Clicks on the
// detail pane or outside the rows are not the list's.
func (m *Model) Click(c ui.Click) (hit, again bool) {
	if m.detail != nil || m.Busy() {
		return false, false
	}
	return m.table.ClickLine(c.Y - m.bodyTop)
}

// View draws the whole screen in exactly w × h cells: the top lines, the
// body (table or detail pane) and the footer with the hints.
func (m *Model) View(w, h int, th *ui.Theme, top []string, hints ...string) string {
	m.bodyTop = len(top)
	return screen.Compose(w, h, top, func(bh int) string { return m.Body(w, bh, th) },
		[]string{m.Footer(w, th, hints...)})
}

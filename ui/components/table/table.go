// Package table is a virtual table for the console: it holds rows as
// [][]string and draws only the rows on screen, so the cost of a frame does
// not depend on the row count. It has a cursor (up/down/page/top/bottom),
// horizontal scrolling by column, a stable sort by one column (asc/desc), a
// case-insensitive substring filter kept as an index into the rows, an
// optional per-cell style (to highlight cells that break a rule), and mouse
// wheel scrolling. Cells are sanitized (textfmt.Sanitize) when drawn, never when
// set, so nothing from data reaches the terminal raw.
package table

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/ui"
)

// DefaultMax caps an auto-sized column's width when Column.Max is 0.
const DefaultMax = 40

// minFlex is the least width the flexible column gives up to when the line
// is short (names stay readable; the columns after it are cut first).
const minFlex = 16

// wheelStep is how many rows one mouse wheel notch moves.
const wheelStep = 3

// Column describes one column.
type Column struct {
	Title string
	// Width is a fixed width in cells; 0 sizes the column from its title and
	// the visible cells. A right-aligned column (a number) is never cut: it
	// is as wide as its widest cell even when that is more than Width.
	Width int
	// Max caps an auto width only when the line cannot hold every column
	// at the width it needs (DefaultMax when 0).
	Max int
	// Right aligns the column's cells to the right (numbers).
	Right bool
	// Flex marks the column that takes the width left over (and gives it
	// back first when the line is short): a name. Without one, the last
	// column on screen is flexible.
	Flex bool
	// Middle cuts a long cell in the middle ("orders_2025…_04_02.csv"),
	// keeping the end that tells file names apart.
	Middle bool
	// Optional drops the column from a frame whose rows on screen have
	// nothing in it (a rate once every file is done, an error column
	// without errors), so the others get its width.
	Optional bool
}

// CellStyle returns the style of a cell, by row index (into the rows given
// to SetRows) and column index; ok false leaves the cell plain.
type CellStyle func(row, col int, th *ui.Theme) (style lipgloss.Style, ok bool)

// Model is a table. The zero value is not usable; call New.
type Model struct {
	cols  []Column
	rows  [][]string
	index []int // rows in view order after filter and sort; nil means all rows in order

	cursor   int // position in view order
	offset   int // first position on screen
	colOff   int // first column on screen
	sortCol  int // -1: unsorted
	desc     bool
	order    func(a, b int) int // a custom order (SetOrder); nil: none
	filter   string
	style    CellStyle
	page     int   // body height of the last frame
	seen     []int // widest cell drawn so far per column (auto widths only grow)
	pinned   int   // leading columns that stay on screen when scrolled right
	onScreen []int // the columns of the last frame, in order
	whole    bool  // the last frame showed the last column and cut none

	// Empty is shown when there are no rows (a filter with no match says so itself).
	Empty string
}

// New returns a table with the given columns.
func New(cols ...Column) *Model {
	m := &Model{sortCol: -1, page: 10, Empty: "no rows"}
	m.SetColumns(cols)
	return m
}

// SetColumns replaces the columns (keeping rows, filter and sort when they still fit).
func (m *Model) SetColumns(cols []Column) {
	m.cols = append([]Column(nil), cols...)
	m.seen = make([]int, len(cols))
	if m.sortCol >= len(cols) {
		m.sortCol = -1
	}
	m.colOff = min(m.colOff, max(len(cols)-1, 0))
	m.apply()
}

// Columns returns the columns.
func (m *Model) Columns() []Column { return m.cols }

// SetRows replaces the rows; the filter and sort are applied again and the
// cursor stays at its position (clamped). Rows are not copied.
func (m *Model) SetRows(rows [][]string) {
	m.rows = rows
	m.seen = make([]int, len(m.cols))
	m.apply()
}

// AppendRows adds rows at the end (e.g. the next page of a listing),
// keeping the cursor on the same row.
func (m *Model) AppendRows(rows ...[]string) {
	cur := m.Cursor()
	m.rows = append(m.rows, rows...)
	m.apply()
	m.SelectRow(cur)
}

// Rows returns the rows as set (unfiltered, unsorted).
func (m *Model) Rows() [][]string { return m.rows }

// Total is the number of rows before filtering.
func (m *Model) Total() int { return len(m.rows) }

// Len is the number of rows in view (after filtering).
func (m *Model) Len() int {
	if m.index == nil {
		return len(m.rows)
	}
	return len(m.index)
}

// RowAt returns the row index (into Rows) at a view position, or -1.
func (m *Model) RowAt(pos int) int {
	if pos < 0 || pos >= m.Len() {
		return -1
	}
	if m.index == nil {
		return pos
	}
	return m.index[pos]
}

// Cursor returns the row index (into Rows) under the cursor, or -1 when the view is empty.
func (m *Model) Cursor() int { return m.RowAt(m.cursor) }

// Position returns the cursor's position in view order.
func (m *Model) Position() int { return m.cursor }

// SetPosition moves the cursor to a view position (clamped).
func (m *Model) SetPosition(pos int) {
	m.cursor = pos
	m.clamp()
}

// SelectRow moves the cursor to the given row index (into Rows) when it is
// in view, and reports whether it was.
func (m *Model) SelectRow(row int) bool {
	if row < 0 || row >= len(m.rows) {
		return false
	}
	if m.index == nil {
		m.SetPosition(row)
		return true
	}
	for pos, r := range m.index {
		if r == row {
			m.SetPosition(pos)
			return true
		}
	}
	return false
}

// Move moves the cursor by n rows (negative: up), clamped.
func (m *Model) Move(n int) { m.SetPosition(m.cursor + n) }

// PageSize is the number of body rows of the last frame.
func (m *Model) PageSize() int { return max(m.page, 1) }

// NearEnd reports whether the cursor is within n rows of the last row in
// view (to load the next page of a lazy listing).
func (m *Model) NearEnd(n int) bool { return m.cursor >= m.Len()-1-n }

// ScrollColumns moves the first scrolled column on screen by n (negative:
// left); it stops when the last column is on screen.
func (m *Model) ScrollColumns(n int) {
	if n > 0 && m.whole {
		return // everything to the right is on screen already
	}
	lo := 0
	if m.pinned > 0 && m.pinned < len(m.cols) {
		lo = m.pinned
	}
	m.colOff = max(lo, min(max(m.colOff, lo)+n, len(m.cols)-1))
	if n < 0 && m.colOff == lo {
		m.colOff = 0
	}
}

// VisibleColumns returns the first and one past the last column of the
// last frame that scrolling moves (pinned columns aside), to tell the user
// about columns scrolled out of view.
func (m *Model) VisibleColumns() (first, end int) {
	first, end = max(m.colOff, m.pinned), max(m.colOff, m.pinned)
	for _, c := range m.onScreen {
		if c >= m.pinned {
			end = c + 1
		}
	}
	return min(first, end), end
}

// SetPinned keeps the first n columns (the key: a line number, a name) on
// screen when the table is scrolled right.
func (m *Model) SetPinned(n int) { m.pinned = max(n, 0) }

// ClickLine moves the cursor to the row drawn on line (0 is the header) of
// the last frame; it reports whether a row is there, and whether the
// cursor was on it already (a second click: open it).
func (m *Model) ClickLine(line int) (hit, again bool) {
	pos := m.offset + line - 1
	if line < 1 || line > m.page || pos >= m.Len() {
		return false, false
	}
	again = pos == m.cursor
	m.SetPosition(pos)
	return true, again
}

// SetCellStyle sets (or clears, with nil) the per-cell style function.
func (m *Model) SetCellStyle(f CellStyle) { m.style = f }

// Update handles navigation keys and the mouse wheel; it reports whether
// the message was used.
func (m *Model) Update(keys *ui.KeyMap, msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, keys.Up):
			m.Move(-1)
		case key.Matches(msg, keys.Down):
			m.Move(1)
		case key.Matches(msg, keys.PageUp):
			m.Move(-m.PageSize())
		case key.Matches(msg, keys.PageDown):
			m.Move(m.PageSize())
		case key.Matches(msg, keys.Top):
			m.SetPosition(0)
		case key.Matches(msg, keys.Bottom):
			m.SetPosition(m.Len() - 1)
		case key.Matches(msg, keys.Left):
			m.ScrollColumns(-1)
		case key.Matches(msg, keys.Right):
			m.ScrollColumns(1)
		default:
			return false
		}
		return true
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.Move(-wheelStep)
		case tea.MouseWheelDown:
			m.Move(wheelStep)
		case tea.MouseWheelLeft:
			m.ScrollColumns(-1)
		case tea.MouseWheelRight:
			m.ScrollColumns(1)
		default:
			return false
		}
		return true
	}
	return false
}

// clamp keeps the cursor on a row and the offset sensible.
func (m *Model) clamp() {
	n := m.Len()
	m.cursor = max(0, min(m.cursor, n-1))
	m.offset = max(0, min(m.offset, m.cursor))
}

// Status is "position/count" (1-based), with the total when filtered.
func (m *Model) Status() string {
	n := m.Len()
	pos := 0
	if n > 0 {
		pos = m.cursor + 1
	}
	s := itoa(pos) + "/" + itoa(n)
	if m.index != nil && m.filter != "" {
		s += " of " + itoa(len(m.rows))
	}
	return s
}

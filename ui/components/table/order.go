package table

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// itoa writes a count with thousands separators (1,234).
func itoa(n int) string { return textfmt.Count(int64(n)) }

// SetFilter shows only rows with a cell that contains q (case-insensitive);
// "" shows every row. The cursor stays on its row when that row still shows.
func (m *Model) SetFilter(q string) {
	if q == m.filter {
		return
	}
	cur := m.Cursor()
	m.filter = q
	m.apply()
	if !m.SelectRow(cur) {
		m.SetPosition(0)
	}
}

// Filter returns the current filter text.
func (m *Model) Filter() string { return m.filter }

// SortBy sorts by a column: ascending first, and toggling between ascending
// and descending when it is already the sort column. The sort is stable.
func (m *Model) SortBy(col int) {
	if col == m.sortCol {
		m.SetSort(col, !m.desc)
		return
	}
	m.SetSort(col, false)
}

// SetSort sorts by a column in the given direction; col < 0 restores the
// rows' own order. The cursor stays on its row.
func (m *Model) SetSort(col int, desc bool) {
	if col >= len(m.cols) {
		col = -1
	}
	cur := m.Cursor()
	m.sortCol, m.desc, m.order = col, desc, nil
	m.apply()
	m.SelectRow(cur)
}

// Sort returns the sort column (-1 for none) and direction.
func (m *Model) Sort() (col int, desc bool) { return m.sortCol, m.desc }

// SetOrder sorts the rows with cmp, which compares two rows by their index
// into Rows (negative: a before b), for orders a column's text cannot
// give (sizes, folders first); nil drops it. It takes the place of a
// column sort. The sort is stable and the cursor stays on its row.
func (m *Model) SetOrder(cmp func(a, b int) int) {
	cur := m.Cursor()
	m.order, m.sortCol = cmp, -1
	m.apply()
	m.SelectRow(cur)
}

// apply rebuilds the view index from the rows, the filter and the sort.
func (m *Model) apply() {
	defer m.clamp()
	if m.filter == "" && m.sortCol < 0 && m.order == nil {
		m.index = nil
		return
	}
	idx := make([]int, 0, len(m.rows))
	if m.filter == "" {
		for i := range m.rows {
			idx = append(idx, i)
		}
	} else {
		q := strings.ToLower(m.filter)
		for i, row := range m.rows {
			for _, c := range row {
				if containsFold(c, q) {
					idx = append(idx, i)
					break
				}
			}
		}
	}
	switch {
	case m.order != nil:
		slices.SortStableFunc(idx, m.order)
	case m.sortCol >= 0:
		idx = m.sorted(idx)
	}
	m.index = idx
}

// sortKey is a cell prepared for comparison: numbers compare as numbers and
// come before text.
type sortKey struct {
	row   int
	num   float64
	isNum bool
	text  string
}

func (m *Model) sorted(idx []int) []int {
	keys := make([]sortKey, len(idx))
	for i, r := range idx {
		k := sortKey{row: r}
		if row := m.rows[r]; m.sortCol < len(row) {
			k.text = row[m.sortCol]
			if f, err := strconv.ParseFloat(strings.TrimSpace(k.text), 64); err == nil {
				k.num, k.isNum = f, true
			}
		}
		keys[i] = k
	}
	compare := func(a, b sortKey) int {
		switch {
		case a.isNum && b.isNum:
			return cmp.Compare(a.num, b.num)
		case a.isNum != b.isNum:
			if a.isNum {
				return -1
			}
			return 1
		}
		return strings.Compare(a.text, b.text)
	}
	if m.desc {
		slices.SortStableFunc(keys, func(a, b sortKey) int { return compare(b, a) })
	} else {
		slices.SortStableFunc(keys, compare)
	}
	for i, k := range keys {
		idx[i] = k.row
	}
	return idx
}

// containsFold reports whether s contains lowerQ (already lower case),
// ignoring case; ASCII text takes a path that does not allocate.
func containsFold(s, lowerQ string) bool {
	if lowerQ == "" {
		return true
	}
	if len(s) < len(lowerQ) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), lowerQ)
		}
	}
	for i := 0; i < len(lowerQ); i++ {
		if lowerQ[i] >= utf8.RuneSelf {
			return false // ASCII text cannot hold a non-ASCII query
		}
	}
	n := len(lowerQ)
outer:
	for i := 0; i+n <= len(s); i++ {
		for j := 0; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lowerQ[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

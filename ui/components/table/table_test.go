package table

import (
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

func numbered(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i), "name " + strconv.Itoa(i)}
	}
	return rows
}

func checkFrame(t *testing.T, out string, width, height int) []string {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != height {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), height, out)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > width {
			t.Fatalf("line %d is %d cells wide, max %d: %q", i, w, width, l)
		}
	}
	return lines
}

func TestCursorAndPaging(t *testing.T) {
	keys := ui.DefaultKeyMap()
	m := New(Column{Title: "id"}, Column{Title: "name"})
	m.SetRows(numbered(100))
	checkFrame(t, m.Render(40, 11, nil), 40, 11) // 10 body rows
	if m.PageSize() != 10 {
		t.Fatalf("page size %d", m.PageSize())
	}
	m.Update(&keys, uitest.Key("up"))
	if m.Position() != 0 {
		t.Fatalf("up at top moved to %d", m.Position())
	}
	m.Update(&keys, uitest.Key("pgdown"))
	m.Update(&keys, uitest.Key("down"))
	if m.Position() != 11 || m.Cursor() != 11 {
		t.Fatalf("position %d", m.Position())
	}
	m.Update(&keys, uitest.Key("G"))
	if m.Position() != 99 {
		t.Fatalf("bottom: %d", m.Position())
	}
	m.Update(&keys, uitest.Key("pgdown"))
	m.Update(&keys, uitest.Key("down"))
	if m.Position() != 99 {
		t.Fatalf("past bottom: %d", m.Position())
	}
	lines := checkFrame(t, m.Render(40, 11, nil), 40, 11)
	if !strings.Contains(lines[10], "name 99") || !strings.Contains(lines[1], "name 90") {
		t.Fatalf("last page not shown:\n%s", strings.Join(lines, "\n"))
	}
	m.Update(&keys, uitest.Key("g"))
	m.Update(&keys, uitest.Key("pgup"))
	if m.Position() != 0 {
		t.Fatalf("top: %d", m.Position())
	}
	m.Update(&keys, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.Position() != wheelStep {
		t.Fatalf("wheel: %d", m.Position())
	}
	if !m.NearEnd(200) || m.NearEnd(5) {
		t.Fatal("NearEnd")
	}
	empty := New(Column{Title: "x"})
	empty.Update(&keys, uitest.Key("down"))
	if empty.Cursor() != -1 || empty.Position() != 0 {
		t.Fatalf("empty cursor %d", empty.Cursor())
	}
	lines = checkFrame(t, empty.Render(20, 4, nil), 20, 4)
	if !strings.Contains(lines[1], "no rows") {
		t.Fatalf("empty message: %q", lines[1])
	}
}

func TestFilter(t *testing.T) {
	m := New(Column{Title: "id"}, Column{Title: "name"})
	m.SetRows([][]string{{"1", "Apple"}, {"2", "banana"}, {"3", "APPLE pie"}, {"4", "Äpfel"}})
	m.SetPosition(2)
	m.SetFilter("apple")
	if m.Len() != 2 || m.RowAt(0) != 0 || m.RowAt(1) != 2 {
		t.Fatalf("filter: len %d", m.Len())
	}
	if m.Cursor() != 2 {
		t.Fatalf("cursor left its row: %d", m.Cursor())
	}
	m.SetFilter("äPF")
	if m.Len() != 1 || m.RowAt(0) != 3 {
		t.Fatalf("unicode filter: len %d", m.Len())
	}
	m.SetFilter("zzz")
	if m.Len() != 0 || m.Cursor() != -1 {
		t.Fatal("no match")
	}
	if out := m.Render(30, 3, nil); !strings.Contains(out, "no rows match zzz") {
		t.Fatalf("no-match message:\n%s", out)
	}
	if m.Status() != "0/0 of 4" {
		t.Fatalf("status %q", m.Status())
	}
	m.SetFilter("")
	if m.Len() != 4 || len(m.Rows()) != 4 {
		t.Fatal("clear filter")
	}
	m.AppendRows([]string{"5", "apple"})
	m.SetFilter("APPLE")
	if m.Len() != 3 {
		t.Fatalf("append then filter: %d", m.Len())
	}
}

func TestSort(t *testing.T) {
	m := New(Column{Title: "n"}, Column{Title: "s"})
	m.SetRows([][]string{{"10", "b"}, {"9", "a"}, {"10", "a"}, {"x", "c"}, {"100", "b"}})
	m.SortBy(0)
	got := order(m)
	if got != "1 0 2 4 3" { // numeric, stable among equal 10s, text last
		t.Fatalf("asc: %s", got)
	}
	m.SortBy(0)
	if got := order(m); got != "3 4 0 2 1" {
		t.Fatalf("desc: %s", got)
	}
	if c, desc := m.Sort(); c != 0 || !desc {
		t.Fatal("Sort()")
	}
	m.SortBy(1)
	if got := order(m); got != "1 2 0 4 3" {
		t.Fatalf("by s: %s", got)
	}
	if out := ansi.Strip(m.Render(30, 2, nil)); !strings.Contains(out, "s▲") {
		t.Fatalf("sort arrow missing:\n%s", out)
	}
	m.SetPosition(4) // row 3
	m.SetSort(-1, false)
	if order(m) != "0 1 2 3 4" || m.Cursor() != 3 {
		t.Fatalf("unsort: %s cursor %d", order(m), m.Cursor())
	}
}

func order(m *Model) string {
	var s []string
	for i := 0; i < m.Len(); i++ {
		s = append(s, strconv.Itoa(m.RowAt(i)))
	}
	return strings.Join(s, " ")
}

func TestWidthsTruncationAndSanitize(t *testing.T) {
	m := New(Column{Title: "id", Width: 4}, Column{Title: "name", Max: 8}, Column{Title: "raw"})
	m.SetRows([][]string{
		{"1", "日本語のテキストです", "\x1b[31mred\x1b[0m"},
		{"22222", "ok", "tail " + strings.Repeat("x", 100)},
		{"3", "e\u0301\u0301", "bell\a"},
	})
	out := m.Render(30, 4, nil)
	lines := checkFrame(t, out, 30, 4)
	if strings.Contains(out, "\x1b[31m") || strings.Contains(out, "\a") {
		t.Fatalf("raw escape reached the output: %q", out)
	}
	if !strings.Contains(lines[1], `\x1b[31`) {
		t.Fatalf("escape not shown escaped: %q", lines[1])
	}
	if !strings.Contains(lines[1], "日本語") || !strings.Contains(lines[1], "…") {
		t.Fatalf("wide text not truncated with …: %q", lines[1])
	}
	if !strings.HasPrefix(lines[2], "222…") {
		t.Fatalf("fixed width not truncated: %q", lines[2])
	}
	if !strings.Contains(lines[3], `bell\x07`) {
		t.Fatalf("control char: %q", lines[3])
	}
	// The name column is capped at 8, and the flexible raw column fills to 30.
	for _, l := range lines[1:] {
		if w := ansi.StringWidth(l); w > 30 {
			t.Fatalf("line too wide: %d", w)
		}
	}
	if w := ansi.StringWidth(lines[2]); w != 30 {
		t.Fatalf("flexible column should fill the line: %d %q", w, lines[2])
	}
	// Scrolling right drops the first column.
	keys := ui.DefaultKeyMap()
	m.Update(&keys, uitest.Key("right"))
	lines = checkFrame(t, ansi.Strip(m.Render(30, 4, nil)), 30, 4)
	if strings.Contains(lines[0], "id") || !strings.HasPrefix(lines[0], "name") {
		t.Fatalf("scroll right: %q", lines[0])
	}
	if f, e := m.VisibleColumns(); f != 1 || e != 3 {
		t.Fatalf("visible columns %d..%d", f, e)
	}
	// Tiny widths and heights still give exact frames.
	for _, w := range []int{1, 2, 5} {
		for _, h := range []int{1, 2, 3} {
			checkFrame(t, m.Render(w, h, nil), w, h)
		}
	}
	if got := Fit("ab\x1bc", 3); got != `ab…` {
		t.Fatalf("Fit: %q", got)
	}
}

func TestCellStyleAndSelection(t *testing.T) {
	th := ui.NewTheme(true, false)
	m := New(Column{Title: "a"}, Column{Title: "b"})
	m.SetRows([][]string{{"x", "bad"}, {"y", "ok"}})
	m.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		return th.Bad, row == 0 && col == 1
	})
	out := m.Render(20, 3, th)
	lines := checkFrame(t, out, 20, 3)
	badSGR, _, _ := strings.Cut(th.Bad.Render("Z"), "Z")
	if !strings.Contains(lines[1], badSGR+"bad") || strings.Contains(lines[2], badSGR) {
		t.Fatalf("bad cell not styled: %q", lines[1])
	}
	if ansi.StringWidth(lines[1]) != 20 {
		t.Fatalf("selected row should span the width: %q", lines[1])
	}
}

func BenchmarkRender1MRows(b *testing.B) {
	const n = 1_000_000
	words := []string{"products", "orders", "order_items", "日本語のテキスト", "a,b,\"c\"", "\x1b[31mred"}
	rows := make([][]string, n)
	cells := make([]string, 6*n)
	for i := range rows {
		r := cells[6*i : 6*i+6 : 6*i+6]
		r[0] = strconv.Itoa(i)
		r[1] = words[i%len(words)]
		r[2] = "2025-04-01T10:00:00Z"
		r[3] = strconv.Itoa(i * 7 % 1000)
		r[4] = words[(i+3)%len(words)]
		r[5] = "type:total_amount;range:add_to_cart_order"
		rows[i] = r
	}
	th := ui.NewTheme(true, false)
	m := New(Column{Title: "id", Right: true}, Column{Title: "name"}, Column{Title: "ts"},
		Column{Title: "n", Right: true}, Column{Title: "other"}, Column{Title: "reasons"})
	m.SetRows(rows)
	m.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
		return th.Bad, col == 3 && row%10 == 0
	})
	m.SetPosition(n / 2)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Move(1)
		_ = m.Render(200, 50, th)
	}
}

func TestSetOrder(t *testing.T) {
	m := New(Column{Title: "size"})
	sizes := []int64{512, 3 << 20, 2048}
	m.SetRows([][]string{{"512 B"}, {"3.0 MiB"}, {"2.0 KiB"}})
	m.SetPosition(1)                                                   // on "3.0 MiB"
	m.SetOrder(func(a, b int) int { return int(sizes[b] - sizes[a]) }) // largest first
	if m.RowAt(0) != 1 || m.RowAt(1) != 2 || m.RowAt(2) != 0 || m.Cursor() != 1 {
		t.Fatalf("order %d %d %d, cursor on %d", m.RowAt(0), m.RowAt(1), m.RowAt(2), m.Cursor())
	}
	m.SetFilter("B") // the order holds under a filter: "512 B" and "2.0 KiB"... and "3.0 MiB"
	if m.RowAt(0) != 1 {
		t.Fatalf("filtered order starts with %d", m.RowAt(0))
	}
	m.SetOrder(nil)
	m.SetFilter("")
	if m.RowAt(0) != 0 || m.RowAt(2) != 2 {
		t.Fatal("SetOrder(nil) did not restore the rows' own order")
	}
}

// Columns take the width they need, the flexible name column what is
// left; numbers are never cut; a pinned key column stays when scrolled.
func TestLayoutGivesWidthWhereItIsNeeded(t *testing.T) {
	long := "bronze_layer/order_items/order_items_2025_04_01_with_a_rather_long_name.csv"
	m := New(Column{Title: "file", Flex: true, Max: 20}, Column{Title: "rows", Width: 6, Right: true},
		Column{Title: "status", Max: 9}, Column{Title: "note"})
	m.SetRows([][]string{{long, "3,302,817", "partially rejected", "x"}})
	wide := ansi.Strip(m.Render(200, 2, nil))
	if !strings.Contains(wide, long) || !strings.Contains(wide, "3,302,817") || !strings.Contains(wide, "partially rejected") {
		t.Fatalf("200 columns cut something:\n%s", wide)
	}
	narrow := ansi.Strip(m.Render(60, 2, nil))
	if !strings.Contains(narrow, "3,302,817") {
		t.Fatalf("a number was cut at 60 columns:\n%s", narrow)
	}
	if strings.Contains(narrow, long) || !strings.Contains(narrow, "…") {
		t.Fatalf("the name should give way at 60 columns:\n%s", narrow)
	}
	lines := checkFrame(t, m.Render(60, 2, nil), 60, 2)
	if ansi.StringWidth(lines[1]) != 60 {
		t.Fatalf("the line is not filled: %q", lines[1])
	}
	// Pinned: scrolling right keeps the key column.
	p := New(Column{Title: "line", Width: 4, Right: true}, Column{Title: "a", Width: 30}, Column{Title: "b", Width: 30}, Column{Title: "c", Width: 30})
	p.SetPinned(1)
	p.SetRows([][]string{{"7", "aaa", "bbb", "ccc"}})
	keys := ui.DefaultKeyMap()
	p.Render(50, 2, nil)
	p.Update(&keys, uitest.Key("right"))
	got := ansi.Strip(p.Render(50, 2, nil))
	if !strings.HasPrefix(strings.TrimLeft(got, " "), "line b") || !strings.Contains(got, "7 bbb") {
		t.Fatalf("pinned column lost on scroll:\n%s", got)
	}
	// Nothing more to the right: scrolling stops instead of emptying the line.
	w := New(Column{Title: "x", Width: 3}, Column{Title: "y", Width: 3})
	w.SetRows([][]string{{"1", "2"}})
	w.Render(80, 2, nil)
	w.Update(&keys, uitest.Key("right"))
	if got := ansi.Strip(w.Render(80, 2, nil)); !strings.HasPrefix(got, "x") {
		t.Fatalf("scrolled right with nothing to the right:\n%s", got)
	}
}

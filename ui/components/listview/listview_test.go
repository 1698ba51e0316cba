package listview

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
	"github.com/lakeops/lakeops/ui/uitest"
)

type list struct {
	t    *testing.T
	m    *Model
	keys ui.KeyMap
	th   *ui.Theme
}

func (l *list) send(keys ...string) Action {
	var a Action
	for _, k := range keys {
		a, _ = l.m.Update(&l.keys, uitest.Key(k))
	}
	return a
}

func (l *list) screen(w, h int) string {
	l.t.Helper()
	out := l.m.View(w, h, l.th, []string{"title"}, "enter", "open")
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		l.t.Fatalf("%d lines, want %d", len(lines), h)
	}
	for _, ln := range lines {
		if lipgloss.Width(ln) > w {
			l.t.Fatalf("line wider than %d: %q", w, ln)
		}
	}
	return ansi.Strip(out)
}

func newList(t *testing.T, opts Options) *list {
	l := &list{t: t, m: New(opts), keys: ui.DefaultKeyMap(), th: ui.NewTheme(true, true)}
	l.m.SetRows([][]string{{"a.csv", "300 B"}, {"b.csv", "10 B"}, {"c.csv", "2.0 KiB"}, {"notes.txt", "40 B"}})
	l.m.SetKeys([]string{"a", "b", "c", "n"})
	return l
}

func TestFilterTypedAndCleared(t *testing.T) {
	l := newList(t, Options{Columns: []table.Column{{Title: "name"}, {Title: "size"}}})
	if a := l.send("/"); a != Used || !l.m.Filtering() {
		t.Fatal("/ did not open the filter")
	}
	l.send("c", "s", "v")
	s := l.screen(60, 8)
	if !strings.Contains(s, "a.csv") || strings.Contains(s, "notes.txt") || !strings.Contains(s, "/csv") {
		t.Fatalf("filtered screen:\n%s", s)
	}
	l.send("enter")
	if l.m.Filtering() || l.m.Len() != 3 {
		t.Fatalf("enter should keep the filter: focus %v, %d rows", l.m.Filtering(), l.m.Len())
	}
	if s := l.screen(60, 8); !strings.Contains(s, "/csv  enter open") {
		t.Fatalf("the kept filter is not on the footer:\n%s", s)
	}
	if a := l.send("esc"); a != Used || l.m.Len() != 4 {
		t.Fatalf("esc should clear the filter first: %v, %d rows", a, l.m.Len())
	}
	if a := l.send("esc"); a != Pass {
		t.Fatal("esc without a filter is the view's")
	}
}

func TestSortCyclesTheViewsOrders(t *testing.T) {
	sizes := []int{300, 10, 2000, 40}
	l := newList(t, Options{Columns: []table.Column{{Title: "name"}, {Title: "size"}},
		SortKey: ui.DefaultKeyMap().Sort,
		Sorts:   []Sort{{Label: "name"}, {Label: "size", Compare: func(a, b int) int { return sizes[b] - sizes[a] }}}})
	if l.m.SortLabel() != "name" || l.m.RowAt(0) != 0 {
		t.Fatal("the first order is the rows' own")
	}
	l.send("s")
	if l.m.SortLabel() != "size" || l.m.RowAt(0) != 2 || l.m.RowAt(3) != 1 {
		t.Fatalf("by size: %d … %d", l.m.RowAt(0), l.m.RowAt(3))
	}
	l.send("s")
	if l.m.SortLabel() != "name" || l.m.RowAt(0) != 0 {
		t.Fatal("the sort key did not wrap around")
	}
}

func TestSelectionMarksAndNames(t *testing.T) {
	l := newList(t, Options{Columns: []table.Column{{Title: "name"}, {Title: "size"}}, Select: true})
	l.m.SetCellStyle(func(row, col int, th *ui.Theme) (lipgloss.Style, bool) { return th.Error, col == 0 && row == 3 })
	l.send("space", "down", "space")
	if got := fmt.Sprint(l.m.Selected()); got != "[a c]" {
		t.Fatalf("selected %s", got)
	}
	if s := l.screen(60, 8); strings.Count(s, "●") != 2 {
		t.Fatalf("marks:\n%s", s)
	}
	// Rows set again keep their marks by name.
	l.m.SetRows([][]string{{"c.csv", "2.0 KiB"}, {"a.csv", "300 B"}})
	l.m.SetKeys([]string{"c", "a"})
	if got := fmt.Sprint(l.m.Selected()); got != "[c a]" || strings.Count(l.screen(60, 8), "●") != 2 {
		t.Fatalf("after new rows: %s", got)
	}
	l.m.ClearSelection()
	if len(l.m.Selected()) != 0 || strings.Contains(l.screen(60, 8), "●") {
		t.Fatal("selection not cleared")
	}
}

func TestDetailFollowsTheCursor(t *testing.T) {
	l := newList(t, Options{Columns: []table.Column{{Title: "name"}, {Title: "size"}}})
	l.m.OpenDetail(func(row, w int, th *ui.Theme) Detail {
		var lines []string
		for i := range 20 {
			lines = append(lines, fmt.Sprintf("row %d line %d", row, i))
		}
		return Detail{Lines: lines}
	})
	if s := l.screen(60, 8); !strings.Contains(s, "row 0 line 0") || strings.Contains(s, "a.csv") {
		t.Fatalf("detail:\n%s", s)
	}
	l.send("down")
	if s := l.screen(60, 8); !strings.Contains(s, "row 1 line 0") {
		t.Fatalf("↓ should show the next row:\n%s", s)
	}
	l.send("pgdown")
	if s := l.screen(60, 8); strings.Contains(s, "row 1 line 0") || !strings.Contains(s, "row 1 line 5") {
		t.Fatalf("pgdown should scroll:\n%s", s)
	}
	if a := l.send("y"); a != Pass {
		t.Fatal("a view key in the detail pane must pass")
	}
	l.send("esc")
	if l.m.DetailOpen() || !strings.Contains(l.screen(60, 8), "b.csv") {
		t.Fatal("esc should close the detail")
	}
}

func TestExportPromptAndNote(t *testing.T) {
	l := newList(t, Options{Columns: []table.Column{{Title: "name"}, {Title: "size"}},
		Exports: []Format{{Key: "c", Name: "csv", Label: "(c)sv"}, {Key: "j", Name: "json", Label: "(j)son"}}})
	l.send("e")
	if s := l.screen(80, 8); !strings.Contains(s, "export 4 rows as (c)sv or (j)son? any other key cancels") {
		t.Fatalf("prompt:\n%s", s)
	}
	if a := l.send("j"); a != Export || l.m.ExportFormat() != "json" {
		t.Fatalf("picked %v %q", a, l.m.ExportFormat())
	}
	l.send("e", "x")
	if s := l.screen(80, 8); !strings.Contains(s, "export cancelled") {
		t.Fatalf("cancel note:\n%s", s)
	}
	l.send("down") // any key clears the note
	if l.m.Note() != "" {
		t.Fatal("note kept after a key")
	}
	l.m.SetRows(nil)
	l.send("e")
	if l.m.Note() != "nothing to export" {
		t.Fatalf("note %q", l.m.Note())
	}
	for _, sz := range [][2]int{{1, 1}, {5, 2}, {20, 3}} {
		l.screen(sz[0], sz[1])
	}
}

// Scrolling a list right keeps its key column (the first one), with or
// without the selection marks before it.
func TestKeyColumnStaysWhenScrolledRight(t *testing.T) {
	for _, sel := range []bool{false, true} {
		cols := []Column{{Title: "name", Width: 10}}
		for i := range 8 {
			cols = append(cols, Column{Title: "wide" + string(rune('a'+i)), Width: 12})
		}
		l := &list{t: t, m: New(Options{Columns: cols, Select: sel}), keys: ui.DefaultKeyMap(), th: ui.NewTheme(true, true)}
		row := []string{"key.csv"}
		for i := range 8 {
			row = append(row, "cell"+string(rune('a'+i)))
		}
		l.m.SetRows([][]string{row})
		l.m.SetKeys([]string{"k"})
		for range 6 {
			l.m.Update(&l.keys, uitest.Key("right"))
		}
		scr := l.screen(40, 6)
		if !strings.Contains(scr, "key.csv") || strings.Contains(scr, "cella") {
			t.Fatalf("select %v: scrolled right:\n%s", sel, scr)
		}
	}
}

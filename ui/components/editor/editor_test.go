package editor

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/ui"
)

func TestEditorTypesAndStyles(t *testing.T) {
	ed := New("type here")
	Style(&ed, ui.NewTheme(true, true), true)
	ed.SetWidth(30)
	ed.SetHeight(3)
	if !strings.Contains(ed.View(), "type here") {
		t.Fatalf("placeholder not shown:\n%s", ed.View())
	}
	_ = ed.Focus()
	for _, r := range "ab" {
		ed, _ = ed.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	ed, _ = ed.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	ed, _ = ed.Update(tea.KeyPressMsg{Code: 'c', Text: "c"})
	ed, _ = ed.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	if ed.Value() != "ab\nc" || ed.Line() != 0 {
		t.Fatalf("value %q line %d", ed.Value(), ed.Line())
	}
}

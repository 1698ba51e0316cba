package lineinput

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/ui"
)

func TestTypeAcceptCancel(t *testing.T) {
	th := ui.NewTheme(true, true)
	m := New("/")
	if r, _ := m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}); r != Ignored {
		t.Fatal("unfocused input took a key")
	}
	m.Focus()
	for _, r := range "orders" {
		if res, _ := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}); res != Changed {
			t.Fatal("typing")
		}
	}
	if m.Value() != "orders" || !m.Focused() {
		t.Fatalf("value %q", m.Value())
	}
	if v := m.View(8, th); lipgloss.Width(v) > 8 {
		t.Fatalf("view too wide: %q", v)
	}
	if r, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter}); r != Accepted || m.Focused() || m.Value() != "orders" {
		t.Fatal("enter")
	}
	if v := m.View(20, th); !strings.Contains(v, "/orders") {
		t.Fatalf("blurred view: %q", v)
	}
	m.Focus()
	if r, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}); r != Cancelled || m.Value() != "" || m.Focused() {
		t.Fatal("esc")
	}
}

package uitest

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestKeyNames(t *testing.T) {
	for name, want := range map[string]string{"enter": "enter", "esc": "esc", "space": "space", "shift+tab": "shift+tab",
		"ctrl+r": "ctrl+r", "q": "q", "/": "/", "pgdown": "pgdown"} {
		if got := Key(name).String(); got != want {
			t.Errorf("Key(%q) = %q", name, got)
		}
	}
	if Key("x").Text != "x" || Key("ctrl+r").Mod != tea.ModCtrl {
		t.Fatal("a character key has no text, or ctrl is lost")
	}
}

func TestCheckFrame(t *testing.T) {
	if got := CheckFrame(t, "\x1b[1mab\x1b[0m\ncd", 2, 2); got != "ab\ncd" {
		t.Fatalf("stripped frame %q", got)
	}
}

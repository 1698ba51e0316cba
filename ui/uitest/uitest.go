// Package uitest has what the console's tests share: key presses by name,
// checking that a frame has exactly its size, and waiting for text in the
// output of a program under teatest.
package uitest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// Key returns the key press named k: "enter", "esc", "space", "tab",
// "shift+tab", "backspace", "up", "down", "left", "right", "pgup",
// "pgdown", "home", "end", "ctrl+<letter>", or one character.
func Key(k string) tea.KeyPressMsg {
	named := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "space": tea.KeySpace,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"home": tea.KeyHome, "end": tea.KeyEnd}
	switch {
	case k == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case strings.HasPrefix(k, "ctrl+") && len(k) == 6:
		return tea.KeyPressMsg{Code: rune(k[5]), Mod: tea.ModCtrl}
	}
	if r, ok := named[k]; ok {
		if r == tea.KeySpace {
			return tea.KeyPressMsg{Code: r, Text: " "}
		}
		return tea.KeyPressMsg{Code: r}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// CheckFrame fails unless frame is exactly h lines of at most w cells, and
// returns it without styles.
func CheckFrame(t testing.TB, frame string, w, h int) string {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d:\n%s", len(lines), h, ansi.Strip(frame))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("line %d is %d cells wide (max %d): %q", i, lw, w, ansi.Strip(l))
		}
	}
	return ansi.Strip(frame)
}

// WaitOutput waits up to d until the program's output holds every text.
func WaitOutput(t testing.TB, tm *teatest.TestModel, d time.Duration, subs ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range subs {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(d), teatest.WithCheckInterval(10*time.Millisecond))
}

package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/ui/uitest"
)

// Clicks: a tab shows its view, a click in the view's area reaches the
// view in its own cells; :mouse off gives the mouse back to the terminal
// (its text selection) and :mouse on takes it again.
func TestMouseClicksAndCapture(t *testing.T) {
	rec := &recorder{}
	a := newTestApp(rec, nil)
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(80, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	// " 1 Files " is 9 cells, " 2 Runs " starts at 9.
	tm.Send(tea.MouseClickMsg{X: 11, Y: 0, Button: tea.MouseLeft})
	uitest.WaitOutput(t, tm, 5*time.Second, "RUNS pane")
	tm.Send(tea.MouseClickMsg{X: 7, Y: 5, Button: tea.MouseLeft})
	deadline := time.Now().Add(5 * time.Second)
	for !rec.has("Runs:click:7,4") {
		if time.Now().After(deadline) {
			t.Fatalf("the view got no click in its cells: %v", rec.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, line := range []string{"mouse off"} {
		tm.Send(uitest.Key(":"))
		for _, r := range line {
			tm.Send(uitest.Key(string(r)))
		}
		tm.Send(uitest.Key("enter"))
	}
	uitest.WaitOutput(t, tm, 5*time.Second, "mouse off: the terminal selects text again")
	final := finish(t, tm)
	if final.View().MouseMode != tea.MouseModeNone {
		t.Fatalf("mouse mode %v after :mouse off", final.View().MouseMode)
	}
	if got := NewApp(AppOptions{NoMouse: true}).View().MouseMode; got != tea.MouseModeNone {
		t.Fatalf("NoMouse: mouse mode %v", got)
	}
	if got := NewApp(AppOptions{}).View().MouseMode; got != tea.MouseModeCellMotion {
		t.Fatalf("default: mouse mode %v", got)
	}
}

package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
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

// A root's command runs with its argument (tab completes it); a switch
// quits the console and says what to open next, asking first when jobs run.
func TestCommandsAndSwitch(t *testing.T) {
	rec := &recorder{}
	jobs := newFakeJobs()
	jobs.active.Store(1)
	a := NewApp(AppOptions{Theme: NewTheme(true, true), Views: fakeViews(rec, "Files"), Jobs: jobs,
		Commands: []Command{
			{Name: "hello", Help: "say hello", Do: func(arg string) tea.Cmd { return NotifyCmd("hello "+arg, false) }},
			{Name: "lake", Help: "open another lake", Args: func() []string { return []string{"other-lake"} },
				Do: func(v string) tea.Cmd { return func() tea.Msg { return Switch{Setting: "lake", Value: v} } }},
		}})
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(100, 24))
	uitest.WaitOutput(t, tm, 5*time.Second, "FILES pane")
	typeCmd := func(s string) {
		tm.Send(uitest.Key(":"))
		for _, r := range s {
			tm.Send(uitest.Key(string(r)))
		}
	}
	typeCmd("hello world")
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm, 5*time.Second, "hello world")
	typeCmd("lake o")
	tm.Send(uitest.Key("tab")) // completes the argument
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm, 5*time.Second, "1 job running — switch lake to other-lake and cancel it? (y/n)")
	tm.Send(uitest.Key("y"))
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	if n := final.Next(); n == nil || *n != (Switch{Setting: "lake", Value: "other-lake"}) {
		t.Fatalf("next %+v", n)
	}
}

// tab on the command line cycles through every command name that starts
// with what was typed (in alphabetical order, round), and after a space
// through the name's arguments; :export where the view
// has nothing to export says where it works.
func TestCommandLineTabCyclesAndExportSaysWhere(t *testing.T) {
	rec := &recorder{}
	a := NewApp(AppOptions{Theme: NewTheme(true, true), Views: fakeViews(rec, "Files", "Runs"),
		Commands: []Command{{Name: "region", Help: "use another region", Do: func(string) tea.Cmd { return nil },
			Args: func() []string { return []string{"ap-southeast-1", "us-east-1"} }},
			{Name: "reprocess", Help: "retry", Do: func(string) tea.Cmd { return nil }}}})
	p := &uitest.Probe{Model: a}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(100, 24))
	p.WaitScreen(t, 5*time.Second, "FILES pane")
	tm.Send(uitest.Key(":"))
	tm.Send(uitest.Key("r"))
	// Names only (not "region ap-southeast-1" between them); after a space
	// the arguments.
	for _, want := range []string{":region", ":reprocess", ":runs", ":region"} {
		tm.Send(uitest.Key("tab"))
		p.WaitScreen(t, 5*time.Second, want+" ")
	}
	tm.Send(uitest.Key(" "))
	for _, want := range []string{":region ap-southeast-1", ":region us-east-1"} {
		tm.Send(uitest.Key("tab"))
		p.WaitScreen(t, 5*time.Second, want)
	}
	tm.Send(uitest.Key("esc"))
	tm.Send(uitest.Key(":"))
	tm.Type("export /tmp/x.csv")
	tm.Send(uitest.Key("enter"))
	p.WaitScreen(t, 5*time.Second, ":export: no view here exports")
	tm.Send(uitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// A note longer than the line wraps (up to three lines) instead of being
// cut, and the view gives it the room.
func TestLongNoteWraps(t *testing.T) {
	rec := &recorder{}
	a := NewApp(AppOptions{Theme: NewTheme(true, true), Views: fakeViews(rec, "Files"),
		Commands: []Command{{Name: "long", Help: "a long note", Do: func(string) tea.Cmd {
			return NotifyCmd("export the result: create /tmp/u/nodir/x.csv: open /tmp/u/nodir/x.csv: no such file or directory (the folder must exist)", true)
		}}}})
	p := &uitest.Probe{Model: a}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(80, 24))
	p.WaitScreen(t, 5*time.Second, "FILES pane")
	tm.Send(uitest.Key(":"))
	tm.Type("long")
	tm.Send(uitest.Key("enter"))
	scr := p.WaitScreen(t, 5*time.Second, "export the result", "(the folder must exist)")
	if lines := strings.Split(scr, "\n"); len(lines) != 24 {
		t.Fatalf("%d lines on a 24-line screen:\n%s", len(lines), scr)
	}
	tm.Send(uitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// In the help a command's description longer than the screen wraps under
// itself instead of being cut.
func TestHelpWrapsLongDescriptions(t *testing.T) {
	rec := &recorder{}
	long := "use another lakeops CloudFormation stack: its state machine in Flows and its Athena settings, the tail-word"
	a := NewApp(AppOptions{Theme: NewTheme(true, true), Views: fakeViews(rec, "Files"),
		Commands: []Command{{Name: "stack", Help: long, Do: func(string) tea.Cmd { return nil }}}})
	p := &uitest.Probe{Model: a}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(80, 24))
	p.WaitScreen(t, 5*time.Second, "FILES pane")
	tm.Type("?")
	p.WaitScreen(t, 5*time.Second, "Global keys")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.Screen(), "tail-word") {
		if time.Now().After(deadline) {
			t.Fatalf("the long description is cut:\n%s", p.Screen())
		}
		tm.Send(uitest.Key("right")) // the next help column
		time.Sleep(50 * time.Millisecond)
	}
	for _, l := range strings.Split(p.Screen(), "\n") {
		if lipgloss.Width(l) > 80 {
			t.Fatalf("a help line is %d cells wide: %q", lipgloss.Width(l), l)
		}
	}
	tm.Send(uitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

package flows

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// markIn returns the status mark drawn before "[ state ]".
func markIn(scr, state string) string {
	for _, l := range strings.Split(scr, "\n") {
		if i := strings.Index(l, "[ "+state+" ]"); i >= 0 {
			r := []rune(strings.TrimRight(l[:i], " "))
			if len(r) > 0 {
				return string(r[len(r)-1])
			}
		}
	}
	return ""
}

// TestInConsole drives the view inside the console shell: start an
// execution from the input editor, watch its states turn ✓ as the history
// advances (the wiring sends Changed), then stop it.
func TestInConsole(t *testing.T) {
	f := newFakeService(t)
	v := New(f)
	v.every = time.Hour // only Changed refreshes here
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake"})
	p := &uitest.Probe{Model: app}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(120, 40))
	waitUntil := func(what string, ok func(scr string) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok(p.Screen()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; screen:\n%s", what, p.Screen())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor := func(subs ...string) {
		t.Helper()
		waitUntil(strings.Join(subs, ", "), func(scr string) bool {
			for _, s := range subs {
				if !strings.Contains(scr, s) {
					return false
				}
			}
			return true
		})
	}
	press := func(code rune, mod tea.KeyMod) {
		msg := tea.KeyPressMsg{Code: code, Mod: mod}
		if mod == 0 {
			msg.Text = string(code)
		}
		tm.Send(msg)
	}

	waitFor("state machines", "lakehouse")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor("executions · 0")
	press('s', 0)
	waitFor("start lakehouse", `"files": [`)
	press('s', tea.ModCtrl)
	// Nothing starts before the user has seen what the execution does.
	waitFor("what it will do", "loads 2 files", "archive/2026/11/25/", "orders_2025-01-01.csv", "start this execution? y/n")
	if starts, _, _, _ := f.calls(); len(starts) != 0 {
		t.Fatalf("started before the user said yes: %v", starts)
	}
	press('n', 0) // back to the input, nothing started
	waitFor("start lakehouse", `"files": [`)
	press('s', tea.ModCtrl)
	waitFor("start this execution? y/n")
	press('y', 0)
	waitFor("execution run-1", "RUNNING", "[ Glue StartJobRun ]")
	waitUntil("Glue StartJobRun ▶", func(scr string) bool { return markIn(scr, "Glue StartJobRun") == "▶" })
	if starts, _, _, _ := f.calls(); len(starts) != 1 || !strings.Contains(starts[0].input, "orders_2025-01-01.csv") {
		t.Fatalf("Start calls %v", starts)
	}

	for i := range 4 {
		f.advance("exec-1")
		tm.Send(Changed{})
		done, next := seedPath()[i], seedPath()[i+1]
		waitUntil(done+" ✓, "+next+" ▶", func(scr string) bool {
			return markIn(scr, done) == "✓" && markIn(scr, next) == "▶"
		})
	}

	press('x', 0)
	waitFor("stop execution run-1? y/n")
	press('y', 0)
	waitFor("ABORTED")
	waitUntil("IsCrawlingComplete ■", func(scr string) bool { return markIn(scr, "IsCrawlingComplete") == "■" })
	if _, stops, _, _ := f.calls(); len(stops) != 1 || stops[0] != "exec-1" {
		t.Fatalf("stops %v", stops)
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestFocusKeyIsTheOneHelpNames: the help says how to move between the
// graph and the events, and that key does it in the console (tab is the
// shell's: it switches views).
func TestFocusKeyIsTheOneHelpNames(t *testing.T) {
	f := newFakeService(t)
	f.add(4)
	v := New(f)
	v.every = time.Hour
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake"})
	p := &uitest.Probe{Model: app}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(120, 40))
	p.WaitScreen(t, 5*time.Second, "lakehouse")
	tm.Send(uitest.Key("enter"))
	p.WaitScreen(t, 5*time.Second, "executions · 1")
	tm.Send(uitest.Key("enter"))
	p.WaitScreen(t, 5*time.Second, "execution run-1")
	tm.Send(uitest.Key("?"))
	scr := p.WaitScreen(t, 5*time.Second, "focus the graph or the events")
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "focus the graph") && !strings.Contains(l, "f") {
			t.Fatalf("help names no key that works: %q", l)
		}
	}
	tm.Send(uitest.Key("?"))
	p.WaitScreen(t, 5*time.Second, "execution run-1")
	tm.Send(uitest.Key("f"))
	p.WaitScreen(t, 5*time.Second, "▸ events")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

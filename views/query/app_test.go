package query

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/ui"
)

// TestInConsole drives the view inside the console shell with teatest:
// type a query, run it, see rows; run a slow one and cancel it.
func TestInConsole(t *testing.T) {
	f := newFake()
	v := New(f, HistoryFile(filepath.Join(t.TempDir(), "history.sql")))
	app := ui.NewApp(ui.AppOptions{Status: []string{"local"},
		Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake"})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	wait := func(subs ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, s := range subs {
				if !bytes.Contains(b, []byte(s)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	wait("SQL")
	tm.Type("SELECT * FROM orders") // q and digits go to the editor, not the shell
	tm.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	wait("alice", "3 rows")

	tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}) // clear the line
	tm.Type("SELECT * FROM slow")
	tm.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	wait("running")
	tm.Send(tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl})
	wait("cancelled")
	deadline := time.Now().Add(5 * time.Second)
	for c, _ := f.counts(); c != 1; c, _ = f.counts() {
		if time.Now().After(deadline) {
			t.Fatal("the engine's context was not cancelled")
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// The view implements the shell's View interface.
var _ ui.View = (*Model)(nil)

// TestQuitCancelsARunningQuery: the view runs its statements under the
// application's context, so quitting the console cancels a query that is
// still running.
func TestQuitCancelsARunningQuery(t *testing.T) {
	f := newFake()
	v := New(f, HistoryFile(""))
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake"})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	tm.Type("SELECT * FROM slow")
	tm.Send(tea.KeyPressMsg{Code: 'r', Mod: tea.ModCtrl})
	select {
	case <-f.started:
	case <-time.After(5 * time.Second):
		t.Fatal("the query did not start")
	}
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	deadline := time.Now().Add(5 * time.Second)
	for c, _ := f.counts(); c != 1; c, _ = f.counts() {
		if time.Now().After(deadline) {
			t.Fatal("quitting did not cancel the running query's context")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

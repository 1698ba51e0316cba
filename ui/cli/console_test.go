package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/ui"
)

// newConsole starts the real console (all views) on a temporary lake with
// generated raw files, at 100×30.
func newConsole(t *testing.T, orders int) (*teatest.TestModel, *jobs.Manager) {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: orders, Days: 2, Dirty: 0.03, Seed: 9}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	m := jobs.New(lk, 1)
	t.Cleanup(m.Close)
	app := ui.NewApp(ui.AppOptions{
		Services:  &ui.Services{Lake: lk, Jobs: m, Engine: "local"},
		Keys:      ui.DefaultKeyMap(),
		Theme:     ui.NewTheme(true, true),
		Views:     consoleViews(nil),
		LakeLabel: lk.URI(),
	})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	// The relay: the one goroutine that forwards job events to the program.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go ui.Relay(ctx, tm.GetProgram(), m)
	return tm, m
}

func waitScreen(t *testing.T, tm *teatest.TestModel, d time.Duration, subs ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, s := range subs {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(d), teatest.WithCheckInterval(20*time.Millisecond))
}

func key(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func quit(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	tm.Send(key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// Run every new file, watch the job turn into final counts, then open the
// rejects of the run and see a raw line, its reasons and the parsed fields.
func TestConsoleRunThenRejects(t *testing.T) {
	tm, m := newConsole(t, 400)
	waitScreen(t, tm, 10*time.Second, "products.csv", "new")
	tm.Send(key("R"))
	// The job's log ends with its totals once the job is done.
	waitScreen(t, tm, 30*time.Second, "rejected by reason", "files:", "rows read")
	if info := m.Jobs(); len(info) != 1 || info[0].State != jobs.Succeeded || info[0].Summary.Totals.Rejected == 0 {
		t.Fatalf("jobs %+v", info)
	}
	// Enter on the job's first file (products.csv, which has rejects) opens
	// its rejected rows in the Rejects view.
	tm.Send(key("enter"))
	waitScreen(t, tm, 10*time.Second, "[products]", "products.csv", "open")
	tm.Send(key("enter"))
	waitScreen(t, tm, 10*time.Second, "raw record", "fields re-read", "check")
	quit(t, tm)
}

// A running job can be cancelled from Runs after a confirmation, and
// quitting with a job running asks first.
func TestConsoleCancelAndQuitConfirm(t *testing.T) {
	tm, m := newConsole(t, 60000)
	waitScreen(t, tm, 10*time.Second, "products.csv")
	tm.Send(key("R"))
	waitScreen(t, tm, 10*time.Second, "running")
	tm.Send(key("q"))
	waitScreen(t, tm, 10*time.Second, "jobs running")
	tm.Send(key("n"))
	tm.Send(key("x"))
	waitScreen(t, tm, 10*time.Second, "cancel job 1? y/n")
	tm.Send(key("y"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		info := m.Jobs()
		if len(info) == 1 && info[0].State.Done() {
			if info[0].State != jobs.Cancelled {
				t.Fatalf("job ended %s, want cancelled (make the data bigger if it finished first)", info[0].State)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job did not stop")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitScreen(t, tm, 10*time.Second, "cancelled")
	quit(t, tm)
}

// The help screen lists the global keys and the current view's keys.
func TestConsoleHelp(t *testing.T) {
	tm, _ := newConsole(t, 100)
	waitScreen(t, tm, 10*time.Second, "products.csv")
	tm.Send(key("?"))
	waitScreen(t, tm, 10*time.Second, "Global keys", "run all new", "validate")
	tm.Send(key("esc"))
	quit(t, tm)
}

package files

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// inConsole runs the Files view in the console shell under teatest, with
// the relay of the manager's snapshots.
func inConsole(t *testing.T, v *Model, jm *jobs.Manager, w, h int) (*teatest.TestModel, *uitest.Probe) {
	t.Helper()
	app := ui.NewApp(ui.AppOptions{Theme: ui.NewTheme(true, true), Views: []ui.View{v}, LakeLabel: "/tmp/lake", Jobs: jm})
	p := &uitest.Probe{Model: app}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go ui.Relay(ctx, tm.Send, ui.Feed{Changed: jm.Changed(), Message: func() tea.Msg { return jm.Snapshot() }}, ui.RelayInterval)
	t.Cleanup(func() {
		tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return tm, p
}

func typeText(tm *teatest.TestModel, s string) {
	for _, r := range s {
		tm.Send(uitest.Key(string(r)))
	}
}

// TestWholeFolderSortAndJump: in a folder of 1,200 files (three pages),
// sort: size ranks the biggest file — listed last — first, and G lands on
// the folder's last entry, not the last one loaded.
func TestWholeFolderSortAndJump(t *testing.T) {
	lk := opstest.Lake(t)
	for i := 0; i < 1200; i++ {
		body := "x"
		if i == 1150 {
			body = strings.Repeat("y", 5000)
		}
		opstest.Put(t, lk, fmt.Sprintf("bronze_layer/many/orders_%04d.csv", i), body)
	}
	o, jm := opstest.Ops(t, lk)
	tm, p := inConsole(t, New(o), jm, 120, 30)
	p.WaitScreen(t, 10*time.Second, "many/")
	tm.Send(uitest.Key("/"))
	typeText(tm, "many")
	tm.Send(uitest.Key("enter"))
	tm.Send(uitest.Key("enter"))
	p.WaitScreen(t, 10*time.Second, "500 entries+")
	tm.Send(uitest.Key("s"))
	scr := p.WaitScreen(t, 10*time.Second, "1,200 entries", "sort: size", "1/1,200")
	if first := strings.Split(scr, "\n")[3]; !strings.Contains(first, "orders_1150.csv") {
		t.Fatalf("sort: size does not rank the biggest file first:\n%s", scr)
	}
	typeText(tm, "sss") // back to name
	p.WaitScreen(t, 5*time.Second, "sort: name")
	tm.Send(uitest.Key("G"))
	p.WaitScreen(t, 5*time.Second, "1,200/1,200", "orders_1199.csv")
}

// TestNoStaleListingOrNotes: when a job ends, Files lists the folder again
// (a file that went away is gone without ctrl+r), and a note (a dry run's
// result) goes by itself.
func TestNoStaleListingOrNotes(t *testing.T) {
	lk := opstest.Lake(t)
	o, jm := opstest.Ops(t, lk)
	v := New(o)
	tm, p := inConsole(t, v, jm, 120, 30)
	p.WaitScreen(t, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("G")) // products.csv is the last entry
	tm.Send(uitest.Key("v"))
	p.WaitScreen(t, 10*time.Second, "(dry run)")
	p.WaitScreen(t, 5*time.Second)                      // a frame after the note's time
	deadline := time.Now().Add(3 * ui.DefaultNotifyFor) // two lines at 120 columns: twice the time
	for strings.Contains(p.Screen(), "(dry run)") {
		if time.Now().After(deadline) {
			t.Fatalf("the note stays:\n%s", p.Screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := lk.Store.Delete(context.Background(), "bronze_layer/products.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Submit(ops.JobSpec{Title: "a run", Files: []string{"bronze_layer/orders/orders_2025_04_01.csv"}}); err != nil {
		t.Fatal(err)
	}
	opstest.WaitJobs(t, jm)
	deadline = time.Now().Add(10 * time.Second)
	for strings.Contains(p.Screen(), "products.csv") {
		if time.Now().After(deadline) {
			t.Fatalf("Files still lists a file that is gone:\n%s", p.Screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPreviewColumnIndicator: the preview says which columns are on
// screen from its first frame, and right away after a key.
func TestPreviewColumnIndicator(t *testing.T) {
	o, jm := opstest.Ops(t, opstest.Lake(t))
	tm, p := inConsole(t, New(o), jm, 50, 24)
	p.WaitScreen(t, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("G"))
	tm.Send(uitest.Key("enter"))
	scr := p.WaitScreen(t, 10*time.Second, "preview products.csv", "columns ", "department")
	if strings.Contains(scr, "columns 1-0") || !strings.Contains(scr, "columns 1-") {
		t.Fatalf("first frame:\n%s", scr)
	}
	tm.Send(uitest.Key("right"))
	scr = p.WaitScreen(t, 5*time.Second, "columns 2-")
	header := ""
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "department") {
			header = l
			break
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(header), "line ") {
		t.Fatalf("the line column is not kept when scrolled right:\n%s", scr)
	}
}

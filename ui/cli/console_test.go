package cli

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/uitest"
)

// testRoot is the composition root over a lake folder, closed when the
// test ends.
func testRoot(t *testing.T, dir string) *Root {
	t.Helper()
	g := &Globals{Lake: dir}
	r := newRoot(g, Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	g.root = r
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("close the root: %v", err)
		}
	})
	return r
}

// genLake makes a lake folder with generated raw files (2 days).
func genLake(t *testing.T, orders int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: orders, Days: 2, Dirty: 0.03, Seed: 9}, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// console is the real console (all views, the root's services) under teatest.
type console struct {
	*teatest.TestModel
	p *uitest.Probe
}

// startConsole builds the console from the root and runs it at w×h with
// the relay of job snapshots and the forwarding of flow events that
// ui.Run would start.
func startConsole(t *testing.T, r *Root, parts consoleParts, w, h int) *console {
	t.Helper()
	opts, err := r.consoleOptions(context.Background(), parts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Theme = ui.NewTheme(true, true)
	p := &uitest.Probe{Model: ui.NewApp(opts)}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, f := range opts.Feeds {
		go ui.Relay(ctx, tm.Send, f, ui.RelayInterval)
	}
	go ui.Forward(ctx, tm.Send, opts.Events)
	return &console{TestModel: tm, p: p}
}

// newConsole starts the console on a temporary lake with generated raw
// files, at 100×30.
func newConsole(t *testing.T, orders int) (*console, *jobs.Manager) {
	t.Helper()
	r := testRoot(t, genLake(t, orders))
	c := startConsole(t, r, consoleParts{}, 100, 30)
	return c, r.jobs
}

// waitFrame waits until the last whole frame satisfies ok.
func waitFrame(t *testing.T, c *console, what string, ok func(scr string) bool) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		scr := c.p.Screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// shows returns a frame test: every text of want on screen, none of not.
func shows(want []string, not ...string) func(string) bool {
	return func(scr string) bool {
		for _, s := range want {
			if !strings.Contains(scr, s) {
				return false
			}
		}
		for _, s := range not {
			if strings.Contains(scr, s) {
				return false
			}
		}
		return true
	}
}

func quit(t *testing.T, tm *console) {
	t.Helper()
	tm.Send(uitest.Key("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// Run every new file, watch the job turn into final counts, then open the
// rejects of the run and see a raw line, its reasons and the parsed fields.
func TestConsoleRunThenRejects(t *testing.T) {
	tm, m := newConsole(t, 400)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "products.csv", "new")
	tm.Send(uitest.Key("R"))
	// The job's log ends with its totals once the job is done.
	uitest.WaitOutput(t, tm.TestModel, 30*time.Second, "rejected by reason", "files:", "rows read")
	if info := m.Jobs(); len(info) != 1 || info[0].State != jobs.Succeeded || info[0].Summary.Totals.Rejected == 0 {
		t.Fatalf("jobs %+v", info)
	}
	// Enter on the job's first file (products.csv, which has rejects) opens
	// its rejected rows in the Rejects view.
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "[products]", "products.csv", "open")
	tm.Send(uitest.Key("enter"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "raw record", "fields re-read", "check")
	quit(t, tm)
}

// A running job can be cancelled from Runs after a confirmation, and
// quitting with a job running asks first.
func TestConsoleCancelAndQuitConfirm(t *testing.T) {
	tm, m := newConsole(t, 60000)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("R"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "running")
	tm.Send(uitest.Key("q"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "1 job running — quit and cancel it? (y/n)")
	tm.Send(uitest.Key("n"))
	tm.Send(uitest.Key("x"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "cancel job 1? y/n")
	tm.Send(uitest.Key("y"))
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
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "cancelled")
	quit(t, tm)
}

// The help screen lists the global keys and the current view's keys.
func TestConsoleHelp(t *testing.T) {
	tm, _ := newConsole(t, 100)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("?"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "Global keys", "run all new", "validate")
	tm.Send(uitest.Key("esc"))
	quit(t, tm)
}

// TestConsoleFilterEverywhere: the shared list's / filter, in the real
// console, in Files, Runs and Tables (the Flows view's is in
// TestConsoleFlowRunShowsInRuns): typing narrows the list, enter keeps
// the filter, esc clears it.
func TestConsoleFilterEverywhere(t *testing.T) {
	c, jm := newConsole(t, 300)
	filter := func(text string) {
		c.Send(uitest.Key("/"))
		c.Type(text)
	}
	waitFrame(t, c, "the raw zone", shows([]string{"products.csv", "orders/", "order_items/"}))
	filter("prod")
	waitFrame(t, c, "Files filtered", shows([]string{"products.csv", "/prod"}, "orders/", "order_items/"))
	c.Send(uitest.Key("enter"))
	c.Send(uitest.Key("esc"))
	waitFrame(t, c, "the Files filter cleared", shows([]string{"products.csv", "orders/"}))

	// Two jobs in Runs, one filtered out.
	c.Send(uitest.Key("R"))
	waitFrame(t, c, "the first job", shows([]string{"job 1", "succeeded"}))
	if _, err := jm.Run(context.Background(), jobs.Spec{Title: "again, forced", Force: true}); err != nil {
		t.Fatal(err)
	}
	c.Send(uitest.Key("esc"))
	waitFrame(t, c, "two jobs", shows([]string{"run all new files", "again, forced", "0 active · 2 total"}))
	filter("forced")
	waitFrame(t, c, "Runs filtered", shows([]string{"again, forced", "/forced"}, "run all new files"))
	c.Send(uitest.Key("enter"))
	c.Send(uitest.Key("enter")) // the one job shown
	waitFrame(t, c, "the filtered job", shows([]string{"job 2 again, forced"}))
	c.Send(uitest.Key("esc"))
	c.Send(uitest.Key("esc"))
	waitFrame(t, c, "the Runs filter cleared", shows([]string{"run all new files", "again, forced"}))

	c.Send(uitest.Key("4"))
	waitFrame(t, c, "the tables", shows([]string{"7 tables", "rejected_orders", "ingest_log"}))
	filter("rejected")
	waitFrame(t, c, "Tables filtered", shows([]string{"rejected_orders", "rejected_products", "/rejected"}, "ingest_log"))
	c.Send(uitest.Key("enter"))
	c.Send(uitest.Key("enter")) // the detail of the first table shown
	waitFrame(t, c, "the filtered table's detail", shows([]string{"rejected_order_items · version", "schema ·"}))
	quit(t, c)
}

package runs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

func setup(t *testing.T) (*viewtest.Harness, *ops.Ops, *jobs.Manager) {
	t.Helper()
	o, jm := opstest.Ops(t, opstest.Lake(t))
	return viewtest.New(t, New(o)), o, jm
}

func TestJobFinishesWithCounts(t *testing.T) {
	h, _, jm := setup(t)
	h.ExpectContains("jobs · 0 active", "no jobs yet")

	files := []string{"bronze_layer/products.csv", "bronze_layer/orders/orders_2025_04_01.csv"}
	id := jm.Submit(jobs.Spec{Title: "run 2 files", Files: files})
	h.Send(ui.ShowJob{ID: id}) // before any snapshot names the job
	h.ExpectContains("job 1", "waiting for its first report")
	h.Send(opstest.WaitJobs(t, jm))

	// products: 1053 rows, 1000 accepted, 53 rejected; orders day 1: 316
	// rows, 300 accepted, 16 rejected (the generator's manifest).
	s := h.ExpectContains("succeeded", "100%", "accepted 1,300", "rejected 69", "rejected by reason:",
		"log · ", "finished", "products.csv: partially rejected, 1,053 read, 1,000 accepted, 53 rejected")
	if l := viewtest.LineWith(t, s, "orders/orders_2025_04_01.csv "); !strings.Contains(l, "300") || !strings.Contains(l, "16") {
		t.Fatalf("file row: %q", l)
	}

	// Enter on a finished file with rejects asks for its rejected rows.
	h.Press("down", "enter")
	g, ok := viewtest.Last[ui.Go](h)
	if !ok {
		t.Fatalf("no intent: %+v", h.Out)
	}
	if sr, ok := g.To.(ui.ShowRejects); !ok || sr.Dataset != "orders" || sr.File != files[1] {
		t.Fatalf("intent %+v", g.To)
	}

	// The list shows the final counts too.
	h.Press("esc")
	s = h.Screen()
	row := viewtest.LineWith(t, s, "run 2 files")
	for _, want := range []string{"succeeded", "100%", "1,300", "69"} {
		if !strings.Contains(row, want) {
			t.Fatalf("job row lacks %q: %q", want, row)
		}
	}
	h.Resize(80, 24)
	h.Frame()
	h.Send(ui.ShowJob{ID: id})
	h.Frame()
	h.Press("pgup", "pgup", "g", "G")
	h.Frame()
	h.Resize(40, 6)
	h.Frame()
}

func TestCancelAsksFirst(t *testing.T) {
	h, _, jm := setup(t)
	// The manager runs one job at a time: with 15 runs ahead of it, the last
	// one waits in the queue for as long as this test needs.
	jm.Submit(jobs.Spec{Title: "run all"})
	for range 14 {
		jm.Submit(jobs.Spec{Title: "filler", Force: true})
	}
	second := jm.Submit(jobs.Spec{Title: "queued run", Files: []string{"bronze_layer/products.csv"}})
	h.Send(jm.Snapshot())
	if info, _ := jm.Job(second); info.State != jobs.Queued {
		t.Fatalf("job %d is %s, want queued behind 15 others", second, info.State)
	}
	h.Press("g") // newest first: the queued job is on top
	h.Press("x")
	h.ExpectContains(fmt.Sprintf("cancel job %d? y/n", second))
	h.Press("n")
	if info, _ := jm.Job(second); info.State != jobs.Queued {
		t.Fatalf("n cancelled the job: %s", info.State)
	}
	h.Press("x", "y")
	if info, _ := jm.Job(second); info.State != jobs.Cancelled {
		t.Fatalf("job not cancelled: %s", info.State)
	}
	if n, ok := viewtest.Last[ui.Notify](h); !ok || !strings.Contains(n.Text, fmt.Sprintf("job %d", second)) {
		t.Fatalf("notify: %+v", h.Out)
	}
	jm.CancelActive()
	h.Send(opstest.WaitJobs(t, jm))
	s := h.Screen()
	if !strings.Contains(viewtest.LineWith(t, s, "queued run"), "cancelled") {
		t.Fatalf("list:\n%s", s)
	}
	// A job that is done cannot be cancelled again.
	h.Press("g", "x")
	h.ExpectContains("is not queued or running")
}

func TestFilterJobsAndHistory(t *testing.T) {
	h, _, jm := setup(t)
	jm.Submit(jobs.Spec{Title: "run products", Files: []string{"bronze_layer/products.csv"}})
	jm.Submit(jobs.Spec{Title: "run day one", Files: []string{"bronze_layer/orders/orders_2025_04_01.csv"}})
	h.Send(opstest.WaitJobs(t, jm))
	h.ExpectContains("run products", "run day one")
	h.Filter("day")
	h.ExpectContains("run day one")
	h.ExpectLacks("run products")
	h.Press("enter", "enter") // keep the filter, open the one job shown
	h.ExpectContains("job 2 run day one")
	h.Press("esc", "esc") // back to the list, then clear the filter
	h.ExpectContains("run products", "run day one")
}

func TestHistoryFromLedger(t *testing.T) {
	lk := opstest.Lake(t)
	sum := opstest.Run(t, lk, "bronze_layer/products.csv")
	o, _ := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.Press("h")
	h.ExpectContains("history", sum.RunID, "succeeded", "1,053", "1,000", "53")
	h.Press("enter")
	h.ExpectContains("run "+sum.RunID, "products.csv", "1 file ·")
	h.Press("enter")
	g, ok := viewtest.Last[ui.Go](h)
	if !ok || g.To.(ui.ShowRejects).File != "bronze_layer/products.csv" {
		t.Fatalf("intent: %+v", h.Out)
	}
	h.Press("esc", "esc")
	h.ExpectContains("jobs ·")
	// A stale history result is dropped.
	m := h.View.(*Model)
	h.Send(historyMsg{gen: m.histGen - 1})
	if len(m.runs) != 1 {
		t.Fatal("stale history applied")
	}
}

func TestSmallSizes(t *testing.T) {
	h, _, _ := setup(t)
	h.SmallSizes()
}

// The view implements the shell's interfaces.
var (
	_ ui.View        = (*Model)(nil)
	_ ui.IntentTaker = (*Model)(nil)
)

var _ Service = (*ops.Ops)(nil) // the operations layer is the Runs view's service

// A reprocess job says what it resolved, in the list and on its screen.
func TestReprocessJobSaysWhatItResolved(t *testing.T) {
	h := viewtest.New(t, New(goldenRuns{}))
	h.Send(ops.JobSnapshot{Jobs: []ops.Job{{ID: 3, Spec: ops.JobSpec{Title: "reprocess orders"}, State: ops.JobSucceeded,
		Reprocess: []ops.ReprocessResult{{Dataset: "orders", Open: 6, Resolved: 3, StillOpen: 2, Skipped: 1}},
		Log:       []ops.LogLine{{Text: "reprocess orders: 6 open rows"}}}}, Ended: 1})
	if row := viewtest.LineWith(t, h.Screen(), "reprocess orders"); !strings.Contains(row, "resolved 3/6") {
		t.Fatalf("row: %q", row)
	}
	h.Press("enter")
	h.ExpectContains("reprocess orders: 6 open rows looked at, 3 resolved, 2 still open, 1 duplicate left open",
		"log · 1 line", "reprocess orders: 6 open rows")
	// It read no file: no row counts of zero, no empty file pane.
	if s := h.Screen(); strings.Contains(s, "0 rows read") || strings.Contains(s, "no file progress yet") || strings.Contains(s, "files ·") {
		t.Fatalf("a job that read no file shows file figures:\n%s", s)
	}
}

// The list's header has the running jobs' time left.
func TestListHeaderETA(t *testing.T) {
	m := New(goldenRuns{})
	m.now = func() time.Time { return goldenTime.Add(83 * time.Second) }
	h := viewtest.New(t, m)
	queued := ops.Job{ID: 8, Spec: ops.JobSpec{Title: "later"}, State: ops.JobQueued}
	h.Send(ops.JobSnapshot{Jobs: []ops.Job{queued, goldenJob()}})
	h.ExpectContains("jobs · 2 active · 2 total · eta 2.5s + 1 queued job")
}

// On the job screen a click on the log focuses it; a click on a file
// focuses the files and selects it.
func TestClickJobPanes(t *testing.T) {
	m := New(goldenRuns{})
	m.now = func() time.Time { return goldenTime.Add(83 * time.Second) }
	h := viewtest.New(t, m)
	h.Send(ops.JobSnapshot{Jobs: []ops.Job{goldenJob()}})
	h.Send(ui.ShowJob{ID: 7})
	s := h.Screen()
	logLine := -1
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "log · 3 lines") {
			logLine = i
		}
	}
	h.Send(ui.Click{X: 3, Y: logLine + 1})
	h.ExpectContains("▸ log")
	h.Send(ui.Click{X: 3, Y: 6}) // head, 2 progress lines, files title, header, first file, second file
	h.ExpectContains("▸ files · 2/4")
}

// A cancelled job says how far it got (read and checked), and that what
// it read of the cancelled files was not committed.
func TestCancelledJobSaysHowFarItGot(t *testing.T) {
	h := viewtest.New(t, New(goldenRuns{}))
	cancelled := &ops.FileResult{File: "bronze_layer/order_items/big.csv", Dataset: "order_items", Status: ops.FileCancelled}
	h.Send(ops.JobSnapshot{Jobs: []ops.Job{{ID: 2, Spec: ops.JobSpec{Title: "force run 1 file"}, State: ops.JobCancelled,
		Started: goldenTime, Ended: goldenTime.Add(2 * time.Second),
		Files:   []ops.FileProgress{{File: cancelled.File, Dataset: "order_items", Stage: "done", BytesTotal: 64 << 20, Result: cancelled}},
		Reached: ops.JobReached{Bytes: 40 << 20, Rows: 613_654}}}, Ended: 1})
	if row := viewtest.LineWith(t, h.Screen(), "force run 1 file"); !strings.Contains(row, "cancelled at 62%") {
		t.Fatalf("row: %q", row)
	}
	h.Press("enter")
	h.ExpectContains("40.0 MiB of 64.0 MiB read, nothing committed", "613,654 rows read before it stopped")
}

// A table action's job (a task, no files) says it is working and that it
// reports at its end, not 0 rows read and an unknown percentage.
func TestTaskJobSaysItIsWorking(t *testing.T) {
	h, _, jm := setup(t)
	release := make(chan struct{})
	id := jm.Submit(jobs.Spec{Title: "optimize order_items", Task: func(ctx context.Context) (string, error) {
		<-release
		return "optimize order_items: 4 files into 1", nil
	}})
	defer close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if info, _ := jm.Job(id); info.State == jobs.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.Send(jm.Snapshot())
	h.Send(ui.ShowJob{ID: id})
	s := h.ExpectContains("optimize order_items", "so far: a table action reports what it did when it ends")
	if strings.Contains(s, "rows read") || strings.Contains(s, "?%") {
		t.Fatalf("a task job shows row progress:\n%s", s)
	}
}

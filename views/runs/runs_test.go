package runs

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
	rejectsview "github.com/lakeops/lakeops/views/rejects"
)

func lineWith(t *testing.T, screen, text string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	t.Fatalf("no line with %q:\n%s", text, screen)
	return ""
}

func TestJobFinishesWithCounts(t *testing.T) {
	lk := viewtest.Lake(t)
	h := viewtest.New(t, New(), lk)
	h.ExpectContains("jobs · 0 active", "no jobs yet")

	files := []string{"bronze_layer/products.csv", "bronze_layer/orders/orders_2025_04_01.csv"}
	id := h.Ctx.Services.Jobs.Submit(jobs.Spec{Title: "run 2 files", Files: files})
	h.Send(ShowJob{ID: id})
	h.ExpectContains("job 1", "run 2 files")
	h.WaitJobs()

	// products: 1053 rows, 1000 accepted, 53 rejected; orders day 1: 316
	// rows, 300 accepted, 16 rejected (the generator's manifest).
	s := h.ExpectContains("succeeded", "100%", "accepted 1,300", "rejected 69", "rejected by reason:",
		"log (", "finished", "products.csv: succeeded, 1053 read, 1000 accepted, 53 rejected")
	if l := lineWith(t, s, "orders/orders_2025_04_01.csv "); !strings.Contains(l, "300") || !strings.Contains(l, "16") {
		t.Fatalf("file row: %q", l)
	}

	// Enter on a finished file with rejects goes to Rejects with a filter.
	h.Press("down", "enter")
	sw, ok := viewtest.Last[ui.SwitchTo](h)
	if !ok || sw.Title != "Rejects" {
		t.Fatalf("no switch to Rejects: %+v", h.Out)
	}
	if sf := sw.Then.(rejectsview.ShowFile); sf.Dataset != "orders" || sf.File != files[1] {
		t.Fatalf("ShowFile %+v", sf)
	}

	// The list shows the final counts too.
	h.Press("esc")
	s = h.Screen()
	row := lineWith(t, s, "run 2 files")
	for _, want := range []string{"succeeded", "100%", "1,300", "69"} {
		if !strings.Contains(row, want) {
			t.Fatalf("job row lacks %q: %q", want, row)
		}
	}
	h.Resize(80, 24)
	h.Frame()
	h.Send(ShowJob{ID: id})
	h.Frame()
	h.Press("pgup", "pgup", "g", "G")
	h.Frame()
	h.Resize(40, 6)
	h.Frame()
}

func TestCancelAsksFirst(t *testing.T) {
	lk := viewtest.Lake(t)
	h := viewtest.New(t, New(), lk)
	jm := h.Ctx.Services.Jobs
	// The manager runs one job at a time: with 15 runs ahead of it, the last
	// one waits in the queue for as long as this test needs.
	jm.Submit(jobs.Spec{Title: "run all"})
	for range 14 {
		jm.Submit(jobs.Spec{Title: "filler", Force: true})
	}
	second := jm.Submit(jobs.Spec{Title: "queued run", Files: []string{"bronze_layer/products.csv"}})
	h.Send(ui.JobsChanged{})
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
	h.WaitJobs()
	s := h.Screen()
	if !strings.Contains(lineWith(t, s, "queued run"), "cancelled") {
		t.Fatalf("list:\n%s", s)
	}
}

func TestHistoryFromLedger(t *testing.T) {
	lk := viewtest.Lake(t)
	sum := viewtest.Run(t, lk, "bronze_layer/products.csv")
	h := viewtest.New(t, New(), lk)
	h.Press("h")
	s := h.ExpectContains("history", sum.RunID, "succeeded", "1,053", "1,000", "53")
	_ = s
	h.Press("enter")
	h.ExpectContains("run "+sum.RunID, "products.csv", "1 files")
	h.Press("enter")
	sw, ok := viewtest.Last[ui.SwitchTo](h)
	if !ok || sw.Then.(rejectsview.ShowFile).File != "bronze_layer/products.csv" {
		t.Fatalf("switch: %+v", h.Out)
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
	h := viewtest.New(t, New(), viewtest.Lake(t))
	for _, w := range []int{1, 7, 80} {
		for _, ht := range []int{1, 2, 3, 5, 24} {
			h.Resize(w, ht)
			h.Frame()
			h.Press("enter")
			h.Frame()
			h.Press("esc")
		}
	}
}

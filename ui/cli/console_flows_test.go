package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/ui/uitest"
)

// TestConsoleRunsTheLabStateMachine starts the lab's state machine from the
// Flows view on the local runner (real pipeline, catalog, DuckDB, archive),
// sees it succeed with the SNS notification on screen, then starts it again
// and stops it while it waits for the crawler.
func TestConsoleRunsTheLabStateMachine(t *testing.T) {
	dir := seedLake(t)
	r := testRoot(t, dir)
	tm := startConsole(t, r, consoleParts{}, 120, 34)
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "products.csv")
	tm.Send(uitest.Key("6"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "lab-seed")
	tm.Send(uitest.Key("enter")) // lab-seed is first
	tm.Send(uitest.Key("s"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "input JSON")
	tm.Send(uitest.Key("ctrl+s"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "does not read the input's files", "start this execution? y/n")
	tm.Send(uitest.Key("y"))
	uitest.WaitOutput(t, tm.TestModel, 60*time.Second, "SUCCEEDED", "SNS ·")
	if _, err := os.Stat(filepath.Join(dir, "silver_layer/order_items/_delta_log")); err != nil {
		t.Fatalf("the pipeline did not load order_items: %v", err)
	}
	// The lab's glue:startJobRun ran the pipeline as a job: it is in Runs.
	if info := r.jobs.Jobs(); len(info) != 1 || info[0].Spec.Title != "flow: run every new file" ||
		info[0].State != jobs.Succeeded || info[0].Summary == nil || info[0].Summary.Totals.Accepted == 0 {
		t.Fatalf("jobs after the lab's flow: %+v", info)
	}
	tm.Send(uitest.Key("2"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "flow: run every new file")
	tm.Send(uitest.Key("6"))
	entries, _ := os.ReadDir(filepath.Join(dir, "bronze_layer/order_items"))
	if len(entries) != 0 {
		t.Fatalf("raw files not archived: %v", entries)
	}
	// Start again and stop it during the crawler wait.
	tm.Send(uitest.Key("s"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "input JSON")
	tm.Send(uitest.Key("ctrl+s"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "start this execution? y/n")
	tm.Send(uitest.Key("y"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "RUNNING")
	tm.Send(uitest.Key("x"))
	uitest.WaitOutput(t, tm.TestModel, 10*time.Second, "y/n")
	tm.Send(uitest.Key("y"))
	uitest.WaitOutput(t, tm.TestModel, 30*time.Second, "ABORTED")
	quit(t, tm)
}

// TestConsoleFlowRunShowsInRuns: the project's flow does its work through
// the jobs manager — each worker action (plan, process a batch, commit a
// dataset, register, archive) a job — so it shows in Runs, under the job
// limit; and the Flows view's lists take the / filter.
func TestConsoleFlowRunShowsInRuns(t *testing.T) {
	r := testRoot(t, seedLake(t))
	c := startConsole(t, r, consoleParts{}, 120, 34)
	waitFrame(t, c, "the raw files", shows([]string{"products.csv"}))
	c.Send(uitest.Key("6"))
	waitFrame(t, c, "the machines", shows([]string{"lab-seed", "lakeops-flow"}))
	c.Send(uitest.Key("/"))
	c.Type("lakeops")
	waitFrame(t, c, "the machines filtered", shows([]string{"lakeops-flow", "/lakeops"}, "lab-seed"))
	c.Send(uitest.Key("enter"))
	c.Send(uitest.Key("enter")) // the one machine shown: lakeops-flow
	waitFrame(t, c, "its executions", shows([]string{"lakeops-flow · executions · 0"}))
	c.Send(uitest.Key("s"))
	waitFrame(t, c, "the input editor", shows([]string{"input JSON", "bronze_layer/products.csv"}))
	c.Send(uitest.Key("ctrl+s"))
	waitFrame(t, c, "the start question", shows([]string{"start this execution? y/n"}))
	c.Send(uitest.Key("y"))
	waitFrame(t, c, "the execution's end", func(scr string) bool {
		return strings.Contains(scr, "SUCCEEDED") || strings.Contains(scr, "FAILED")
	})
	if scr := c.p.Screen(); !strings.Contains(scr, "SUCCEEDED") {
		t.Fatalf("the flow did not succeed:\n%s", scr)
	}
	// The distributed Maps show their Map Runs on their states.
	c.Send(uitest.Key("g"))
	waitFrame(t, c, "the Map Runs on the graph", shows([]string{"[ StageProducts ] Map", "1/1 item done"}))
	// The flow's work is jobs like any other: the worker's plan, a process
	// job per batch and a commit per dataset, then register and archive.
	info := r.jobs.Jobs()
	titles := map[string]bool{}
	for _, j := range info {
		if j.State != jobs.Succeeded {
			t.Fatalf("job %q %s: %s", j.Spec.Title, j.State, j.Err)
		}
		title, _, _ := strings.Cut(strings.TrimPrefix(j.Spec.Title, "flow: "), " · load ")
		titles[title] = true
	}
	for _, want := range []string{"plan", "process products (1 file)", "process orders (1 file)", "process order_items (1 file)",
		"commit products", "commit orders", "commit order_items", "register", "archive"} {
		if !titles[want] {
			t.Fatalf("no job %q among %v", want, titles)
		}
	}
	c.Send(uitest.Key("2"))
	waitFrame(t, c, "the flow's jobs in Runs", shows([]string{"flow: commit order_items", "flow: process orders", "succeeded",
		fmt.Sprintf("0 active · %d total", len(info))}))
	c.Send(uitest.Key("/"))
	c.Type("commit order_items")
	c.Send(uitest.Key("enter"))
	c.Send(uitest.Key("enter")) // the one job shown
	waitFrame(t, c, "the commit's job in detail", shows([]string{"flow: commit order_items · load", "succeeded", "committed 1 file", "inserted"}))
	c.Send(uitest.Key("esc"))
	c.Send(uitest.Key("esc"))
	// The executions list filters too.
	c.Send(uitest.Key("6"))
	c.Send(uitest.Key("esc")) // from the execution to its machine's executions
	waitFrame(t, c, "the executions", shows([]string{"lakeops-flow · executions · 1"}))
	c.Send(uitest.Key("/"))
	c.Type("ABORTED")
	waitFrame(t, c, "no execution matches", shows([]string{"no rows match ABORTED"}))
	quit(t, c)
}

// TestConsoleFlowStartAsksAndKeepsFailedFiles: starting the project's
// flow first says what it will do — the new files (as Files counts them),
// that the loaded ones move to the archive and the failed ones stay — and
// nothing happens until the user says yes; after the run, the file that
// failed and the file of no known dataset are still in the raw zone, the
// loaded ones are archived, and Files shows what is left without ctrl+r.
func TestConsoleFlowStartAsksAndKeepsFailedFiles(t *testing.T) {
	dir := seedLake(t)
	writeFile(t, filepath.Join(dir, "bronze_layer/orders/orders_2025_09_09.csv"), "order_id,user_id\n1,2\n") // required columns missing
	writeFile(t, filepath.Join(dir, "bronze_layer/customers_2025_04_01.csv"), "customer_id\n1\n")            // no known dataset
	r := testRoot(t, dir)
	c := startConsole(t, r, consoleParts{}, 160, 40)
	waitFrame(t, c, "the raw files", shows([]string{"products.csv", "customers_2025_04_01.csv"}))
	c.Send(uitest.Key("6"))
	waitFrame(t, c, "the machines", shows([]string{"lakeops-flow"}))
	c.Send(uitest.Key("down"))
	c.Send(uitest.Key("enter"))
	waitFrame(t, c, "its executions", shows([]string{"lakeops-flow · executions · 0"}))
	c.Send(uitest.Key("s"))
	waitFrame(t, c, "the input editor", shows([]string{"input JSON", "orders_2025_09_09.csv"}))
	c.Send(uitest.Key("ctrl+s"))
	day := time.Now().UTC().Format("2006/01/02")
	waitFrame(t, c, "what the start will do", shows([]string{"what it will do", "loads 4 of the 5 files named in the input (1 products, 2 orders, 1 order_items)",
		"then ArchiveRawFiles moves each file whose load succeeded to archive/" + day + "/",
		"failed files and files of no known dataset stay in bronze_layer/",
		"1 file names no known dataset", "orders_2025_09_09.csv", "start this execution? y/n"}))
	if n := len(r.jobs.Jobs()); n != 0 {
		t.Fatalf("%d jobs ran before the user said yes", n)
	}
	c.Send(uitest.Key("y"))
	waitFrame(t, c, "the execution's end", func(scr string) bool {
		return strings.Contains(scr, "SUCCEEDED") || strings.Contains(scr, "FAILED")
	})
	for _, kept := range []string{"bronze_layer/orders/orders_2025_09_09.csv", "bronze_layer/customers_2025_04_01.csv"} {
		if _, err := os.Stat(filepath.Join(dir, kept)); err != nil {
			t.Errorf("%s was archived or removed: %v", kept, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bronze_layer/products.csv")); err == nil {
		t.Errorf("products.csv was loaded but not archived")
	}
	if _, err := os.Stat(filepath.Join(dir, "archive", day, "products.csv")); err != nil {
		t.Errorf("products.csv is not in the archive: %v", err)
	}
	c.Send(uitest.Key("1"))
	waitFrame(t, c, "Files without the archived files", shows([]string{"customers_2025_04_01.csv"}, "products.csv"))
	quit(t, c)
}

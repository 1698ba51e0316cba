package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/ui"
)

// TestConsoleRunsTheLabStateMachine starts the lab's state machine from the
// Flows view on the local runner (real pipeline, catalog, DuckDB, archive),
// sees it succeed with the SNS notification on screen, then starts it again
// and stops it while it waits for the crawler.
func TestConsoleRunsTheLabStateMachine(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"products.csv", "orders/orders_2025_04_01.csv", "order_items/order_items_2025_04_01.csv"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/seed", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "bronze_layer", name), string(b))
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	events := make(chan tea.Msg, 64)
	flows, err := newLocalFlows(lk, events)
	if err != nil {
		t.Fatal(err)
	}
	defer flows.Close()
	m := jobs.New(lk, 1)
	defer m.Close()
	app := ui.NewApp(ui.AppOptions{Services: &ui.Services{Lake: lk, Jobs: m, Engine: "local"}, Keys: ui.DefaultKeyMap(),
		Theme: ui.NewTheme(true, true), Views: consoleViews(flows), LakeLabel: lk.URI(), Events: events})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(120, 34))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // what ui.Run's relay does with AppOptions.Events
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-events:
				tm.Send(msg)
			}
		}
	}()
	ctrl := func(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModCtrl} }
	waitScreen(t, tm, 10*time.Second, "products.csv")
	tm.Send(key("6"))
	waitScreen(t, tm, 10*time.Second, "lab-seed")
	tm.Send(key("enter")) // lab-seed is first
	tm.Send(key("s"))
	waitScreen(t, tm, 10*time.Second, "input JSON")
	tm.Send(ctrl('s'))
	waitScreen(t, tm, 60*time.Second, "SUCCEEDED", "SNS ·")
	if _, err := os.Stat(filepath.Join(dir, "silver_layer/order_items/_delta_log")); err != nil {
		t.Fatalf("the pipeline did not load order_items: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "bronze_layer/order_items"))
	if len(entries) != 0 {
		t.Fatalf("raw files not archived: %v", entries)
	}
	// Start again and stop it during the crawler wait.
	tm.Send(key("s"))
	waitScreen(t, tm, 10*time.Second, "input JSON")
	tm.Send(ctrl('s'))
	waitScreen(t, tm, 10*time.Second, "RUNNING")
	tm.Send(key("x"))
	waitScreen(t, tm, 10*time.Second, "y/n")
	tm.Send(key("y"))
	waitScreen(t, tm, 30*time.Second, "ABORTED")
	quit(t, tm)
}

package jobs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/pipeline"
)

func TestRunWaitsAndSnapshotsCarryTheLog(t *testing.T) {
	m := New(newLake(t, 500), 1)
	defer m.Close()
	if s := m.Snapshot(); s.Ended != 0 || len(s.Jobs) != 0 {
		t.Fatalf("empty manager snapshot %+v", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	info, err := m.Run(ctx, Spec{Title: "flow run", RunID: "run-from-a-flow"})
	if err != nil || info.State != Succeeded || info.Summary == nil || info.Summary.RunID != "run-from-a-flow" {
		t.Fatalf("Run: %+v %v", info, err)
	}
	s := m.Snapshot()
	if s.Ended != 1 || s.ActiveJobs() != 0 || len(s.Jobs) != 1 {
		t.Fatalf("snapshot after one job: ended %d active %d jobs %d", s.Ended, s.ActiveJobs(), len(s.Jobs))
	}
	j, ok := s.Job(info.ID)
	if !ok || len(j.Log) < 3 || !strings.Contains(j.Log[len(j.Log)-1].Text, "rows read") {
		t.Fatalf("snapshot log %+v", j.Log)
	}
	if j.Fraction() != 1 {
		t.Fatalf("a succeeded job is at %v", j.Fraction())
	}
	for _, f := range j.Files {
		if !f.Done() || f.Fraction() != 1 {
			t.Fatalf("file %s: done %v fraction %v", f.File, f.Done(), f.Fraction())
		}
	}
}

func TestRunCancelledByItsContext(t *testing.T) {
	m := New(newLake(t, 20000), 1)
	defer m.Close()
	blocker := m.Submit(Spec{Title: "ahead in the queue"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := m.Run(ctx, Spec{Title: "waits behind the limit", Force: true}); done <- err }()
	deadline := time.Now().Add(10 * time.Second)
	for m.Snapshot().ActiveJobs() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the second job was never queued")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	m.CancelActive()
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	if err := m.Wait(wctx); err != nil {
		t.Fatal(err)
	}
	s := m.Snapshot()
	if s.Ended != 2 {
		t.Fatalf("ended %d, want 2", s.Ended)
	}
	if j, _ := s.Job(blocker); j.State != Cancelled && j.State != Succeeded {
		t.Fatalf("blocker %s", j.State)
	}
}

func TestFractions(t *testing.T) {
	f := FileProgress{Stage: pipeline.StageScan, BytesRead: 50, BytesTotal: 100}
	if f.Fraction() != 0.1 || f.Done() {
		t.Fatalf("scan half way: %v", f.Fraction())
	}
	f.Stage = pipeline.StageMerge
	if got := f.Fraction(); got < 0.57 || got > 0.58 {
		t.Fatalf("merge half way: %v", got)
	}
	if (Info{State: Running}).Fraction() != -1 || (Info{State: Queued}).Fraction() != 0 {
		t.Fatal("fraction without files")
	}
	two := Info{State: Running, Files: []FileProgress{{Stage: pipeline.StageDone, BytesTotal: 300}, {BytesTotal: 100}}}
	if two.Fraction() != 0.75 {
		t.Fatalf("weighed by size: %v", two.Fraction())
	}
	running := Snapshot{Jobs: []Info{{State: Running, Spec: Spec{Files: []string{"a.csv"}},
		Files: []FileProgress{{File: "b.csv", Stage: pipeline.StageMerge}, {File: "c.csv", Stage: pipeline.StageDone}}},
		{State: Succeeded, Spec: Spec{Files: []string{"d.csv"}}}}}
	got := running.RunningFiles()
	if !got["a.csv"] || !got["b.csv"] || got["c.csv"] || got["d.csv"] || running.ActiveJobs() != 1 {
		t.Fatalf("running files %v", got)
	}
}

func TestTaskJobs(t *testing.T) {
	m := New(newLake(t, 100), 1)
	defer m.Close()
	ctx := context.Background()
	info, err := m.Run(ctx, Spec{Title: "a worker action", Task: func(context.Context) (string, error) { return "3 files staged", nil }})
	if err != nil || info.State != Succeeded || info.Summary != nil || !strings.Contains(info.Log[len(info.Log)-2].Text, "3 files staged") {
		t.Fatalf("task job %+v %v", info, err)
	}
	info, _ = m.Run(ctx, Spec{Title: "a failing action", Task: func(context.Context) (string, error) { return "", errors.New("boom") }})
	if info.State != Failed || info.Err != "boom" {
		t.Fatalf("failed task %+v", info)
	}
}

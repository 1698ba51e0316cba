package jobs

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
)

func newLake(t *testing.T, orders int) *lake.Lake {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: orders, Dirty: 0.02, Seed: 5}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return lake.New(st)
}

func TestJobRunsToTheEndWithProgressAndLog(t *testing.T) {
	m := New(newLake(t, 1000), 1)
	defer m.Close()
	id := m.Submit(Spec{Title: "all new files"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	info, ok := m.Job(id)
	if !ok || info.State != Succeeded || info.Summary == nil || len(info.Files) != len(info.Summary.Files) {
		t.Fatalf("job %+v", info)
	}
	tot := info.Totals()
	if tot.Rows != info.Summary.Totals.RowsRead || tot.Rejected == 0 {
		t.Fatalf("totals %+v vs %+v", tot, info.Summary.Totals)
	}
	log := m.Log(id)
	if len(log) < 5 || !strings.Contains(log[len(log)-1].Text, "rows read") {
		t.Fatalf("log %+v", log)
	}
}

func TestQueueLimitAndCancel(t *testing.T) {
	m := New(newLake(t, 3000), 1)
	defer m.Close()
	first := m.Submit(Spec{Title: "first"})
	second := m.Submit(Spec{Title: "second", Force: true})
	if info, _ := m.Job(second); info.State != Queued {
		t.Fatalf("second job %s, want queued behind the limit", info.State)
	}
	if !m.Cancel(second) {
		t.Fatal("cancel of a queued job refused")
	}
	// Cancel the running job once it has made progress.
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, _ := m.Job(first)
		if len(info.Files) > 0 || info.State.Done() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress")
		}
		time.Sleep(time.Millisecond)
	}
	m.Cancel(first)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := m.Job(first)
	b, _ := m.Job(second)
	if b.State != Cancelled || (a.State != Cancelled && a.State != Succeeded) {
		t.Fatalf("states %s %s", a.State, b.State)
	}
}

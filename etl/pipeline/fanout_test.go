package pipeline_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/pipeline/pipelinetest"
)

// fanOut loads a lake the way the state machine does, in process: plan,
// stage every batch of every dataset with conc workers at once, then
// commit the datasets in order.
func fanOut(ctx context.Context, lk *lake.Lake, load string, batchFiles, conc int) error {
	plan, err := pipeline.Plan(ctx, lk, pipeline.PlanOptions{Load: load, BatchFiles: batchFiles})
	if err != nil {
		return err
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	errs := make(chan error, plan.Files)
	for _, dp := range plan.Sets {
		for i := 0; i < len(dp.Items); i += dp.BatchFiles {
			batch := dp.Items[i:min(i+dp.BatchFiles, len(dp.Items))]
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				_, err := pipeline.StageBatch(ctx, lk, pipeline.BatchOptions{Load: load, Dataset: dp.Dataset, Files: batch})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	for _, ds := range dataset.All() {
		if _, err := pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: load, Dataset: ds.Name}); err != nil {
			return err
		}
	}
	return nil
}

func TestFanOutEqualsOneRun(t *testing.T) {
	ctx := context.Background()
	opts := gen.Options{Orders: 3000, Days: 18, Dirty: 0.04, Seed: 5}
	one, _ := newLake(t)
	z, err := pipelinetest.RawZone(ctx, t.TempDir(), one.Store, opts, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	many, _ := newLake(t)
	if _, err := pipelinetest.RawZone(ctx, t.TempDir(), many.Store, opts, 2, 7); err != nil {
		t.Fatal(err)
	}
	if z.Files < 40 {
		t.Fatalf("raw zone of %d files, want at least 40", z.Files)
	}
	if _, err := pipeline.Run(ctx, one, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := fanOut(ctx, many, "load-1", 3, 8); err != nil {
		t.Fatal(err)
	}
	want, err := pipelinetest.Dump(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pipelinetest.Dump(ctx, many)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("the fan-out left other tables than one run:\n%s", pipelinetest.FirstDiff(got, want))
	}
	reasons, err := pipelinetest.Reasons(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"duplicate", "superseded", "malformed", "encoding", "reference:order_id", "reference:product_id", "mismatch:date"} {
		if reasons[code] == 0 {
			t.Errorf("no %s rejects in the raw zone: %v", code, reasons)
		}
	}
	checkCrossFileDedup(t, got)
}

// checkCrossFileDedup checks that a dump holds rows of daily files that
// lost dedup to late files and late rows that lost to daily ones.
func checkCrossFileDedup(t *testing.T, dump string) {
	t.Helper()
	for _, want := range []string{
		"REJECT bronze_layer/orders/orders_2025", "REJECT bronze_layer/orders/orders_late",
		"REJECT bronze_layer/order_items/order_items_2025", "REJECT bronze_layer/order_items/order_items_late",
		"REJECT bronze_layer/products.csv",
	} {
		for _, code := range []string{"[superseded]", "[duplicate]"} {
			n := 0
			for _, line := range strings.Split(dump, "\n") {
				if strings.HasPrefix(line, want) && strings.Contains(line, code) {
					n++
				}
			}
			if n == 0 && !(strings.HasSuffix(want, "_late") && code == "[duplicate]") {
				t.Errorf("no %s rows of %s* in the tables", code, want)
			}
		}
	}
	if n := strings.Count(dump, "\n"); n < 20000 {
		t.Errorf("the dump has only %d lines", n)
	}
}

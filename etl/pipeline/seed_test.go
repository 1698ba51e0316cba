package pipeline_test

import (
	"context"
	"testing"

	"github.com/lakeops/lakeops/etl/pipeline"
)

func TestSeedLoadsEndToEnd(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	copySeed(t, lk.Store)
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() {
		t.Fatalf("failed files: %+v", sum.Files)
	}
	if len(sum.Files) != 31 {
		t.Fatalf("%d files, want 31", len(sum.Files))
	}
	if sum.Totals.Rejected != 0 || sum.Totals.Accepted != 1000+7500+40803 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	for ds, want := range map[string]int{"products": 1000, "orders": 7500, "order_items": 40803} {
		if got := countRows(t, lk, ds); got != want {
			t.Errorf("%s: %d rows, want %d", ds, got, want)
		}
	}
	// A second run finds nothing new; a forced one changes nothing.
	again, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || len(again.Files) != 0 {
		t.Fatalf("second run: %v, %+v", err, again)
	}
	v, _ := lk.Silver("order_items").Snapshot(ctx)
	forced, err := pipeline.Run(ctx, lk, pipeline.Options{Force: true})
	if err != nil || forced.Failed() {
		t.Fatalf("forced run: %v %+v", err, forced)
	}
	if forced.Totals.Inserted != 0 || forced.Totals.Updated != 0 || forced.Totals.Unchanged != 1000+7500+40803 {
		t.Fatalf("forced totals %+v", forced.Totals)
	}
	v2, _ := lk.Silver("order_items").Snapshot(ctx)
	if v2.Version() != v.Version() {
		t.Fatalf("forced re-run committed to order_items: version %d -> %d", v.Version(), v2.Version())
	}
}

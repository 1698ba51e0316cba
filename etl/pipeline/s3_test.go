package pipeline_test

import (
	"context"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

func TestSeedLoadsOnS3(t *testing.T) {
	ctx := context.Background()
	srv := gwtest.Start(t)
	lk := lake.New(srv.NewStore(t, "lake"))
	copySeed(t, lk.Store)
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() || sum.Totals.Rejected != 0 || sum.Totals.Accepted != 1000+7500+40803 {
		t.Fatalf("totals %+v", sum.Totals)
	}
	for ds, want := range map[string]int{"products": 1000, "orders": 7500, "order_items": 40803} {
		if got := countRows(t, lk, ds); got != want {
			t.Errorf("%s: %d rows, want %d", ds, got, want)
		}
	}
	// ETags identify files on S3: a second run finds nothing new.
	again, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || len(again.Files) != 0 {
		t.Fatalf("second run: %v %+v", err, again)
	}
	// The load's outcomes were recorded on S3: a forced run finds every
	// file as the load left it, and changes nothing.
	var files []string
	for _, f := range sum.Files {
		files = append(files, f.File)
	}
	got, short := forced(t, lk, files, false)
	if len(short) != len(files) || got.Totals.Unchanged != sum.Totals.Accepted {
		t.Fatalf("forced run: %d of %d files unchanged since the load, totals %+v", len(short), len(files), got.Totals)
	}
}

package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// The embedded archive must hold exactly the files of testdata/seed.
func TestSeedArchiveMatchesTestdata(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "bronze_layer")
	n, err := extractSeed(dir)
	if err != nil || n != 31 {
		t.Fatalf("extracted %d CSVs, %v", n, err)
	}
	err = filepath.Walk("../../testdata/seed", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../../testdata/seed", p)
		want, _ := os.ReadFile(p)
		at := filepath.Join(dir, rel)
		if filepath.Ext(rel) != ".csv" {
			at = filepath.Join(root, rel)
		}
		got, err := os.ReadFile(at)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs from testdata/seed (%v)", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDemoLakeLoadsWithDirtOfEveryKind(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	res, err := Create(ctx, dir)
	if err != nil || !res.Created || res.RawFiles != 31+10 {
		t.Fatalf("create: %+v %v", res, err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := pipeline.Run(ctx, lake.New(st), pipeline.Options{})
	if err != nil || sum.Failed() {
		t.Fatalf("run: %v %+v", err, sum)
	}
	// The later days continue the seed's ids: nothing collides, nothing updates.
	if sum.Totals.Updated != 0 || sum.Totals.Inserted != sum.Totals.Accepted {
		t.Fatalf("totals %+v", sum.Totals)
	}
	for _, code := range []string{"malformed", "duplicate", "superseded", "reference:order_id", "reference:product_id", "mismatch:date", "range:add_to_cart_order"} {
		if sum.Totals.RejectedByReason[code] == 0 {
			t.Errorf("no %s rejects in the demo", code)
		}
	}
	again, err := Create(ctx, dir)
	if err != nil || again.Created {
		t.Fatalf("second create should leave the lake: %+v %v", again, err)
	}
}

package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
)

func gz(t *testing.T, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func TestFileLevelErrorsFailOnlyThatFile(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	putFile(t, lk.Store, "bronze_layer/orders/orders_ok.csv", ordersDay1)
	putFile(t, lk.Store, "bronze_layer/orders/orders_empty.csv", "")
	putFile(t, lk.Store, "bronze_layer/orders/orders_header_only.csv", "order_num,order_id,user_id,order_timestamp,total_amount,date\r\n")
	putFile(t, lk.Store, "bronze_layer/orders/orders_missing_col.csv", "order_id,user_id,order_timestamp,date\n1,2,2025-04-01T00:00:00,2025-04-01\n")
	putFile(t, lk.Store, "bronze_layer/orders/orders_bad.csv.gz", "this is not gzip")
	putFile(t, lk.Store, "bronze_layer/orders/orders_gz.csv.gz", gz(t, ordersDay2))
	putFile(t, lk.Store, "bronze_layer/customers.csv", "a,b\n1,2\n")
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ status, errPart string }{
		"bronze_layer/products.csv":                  {"succeeded", ""},
		"bronze_layer/orders/orders_ok.csv":          {"succeeded", ""},
		"bronze_layer/orders/orders_gz.csv.gz":       {"succeeded", ""},
		"bronze_layer/orders/orders_header_only.csv": {"succeeded", ""},
		"bronze_layer/orders/orders_empty.csv":       {"failed", "file is empty"},
		"bronze_layer/orders/orders_missing_col.csv": {"failed", "lacks required column(s) total_amount"},
		"bronze_layer/orders/orders_bad.csv.gz":      {"failed", "gzip"},
		"bronze_layer/customers.csv":                 {"failed", "cannot tell the dataset"},
	}
	if len(sum.Files) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(sum.Files), len(want), sum.Files)
	}
	for _, f := range sum.Files {
		w := want[f.File]
		if f.Status != w.status || !strings.Contains(f.Error, w.errPart) || (w.errPart != "" && !strings.Contains(f.Error, f.File)) {
			t.Errorf("%s: %s %q; want %s containing %q and the file name", f.File, f.Status, f.Error, w.status, w.errPart)
		}
	}
	if !sum.Failed() {
		t.Error("summary does not report the failure")
	}
	if n := countRows(t, lk, "orders"); n != 2 {
		t.Fatalf("orders has %d rows, want 2 (the good files only)", n)
	}
	// The ledger records every processed file with its status; failed files stay new.
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil || len(entries) != len(want) {
		t.Fatalf("ledger: %d entries, %v", len(entries), err)
	}
	again, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Files) != 4 {
		t.Fatalf("second run picked %d files, want the 4 failed ones", len(again.Files))
	}
}

func TestNamedFilesAndSkips(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: []string{"bronze_layer/products.csv", "bronze_layer/nope.csv"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files[0].Status != "failed" || sum.Files[0].Error != "bronze_layer/nope.csv: no such file" {
		t.Fatalf("missing file: %+v", sum.Files[0])
	}
	// Naming an ingested file again reports it skipped; --force re-runs it unchanged.
	sum, err = pipeline.Run(ctx, lk, pipeline.Options{Files: []string{"bronze_layer/products.csv"}})
	if err != nil || sum.Files[0].Status != "skipped" {
		t.Fatalf("named ingested file: %v %+v", err, sum.Files)
	}
	sum, err = pipeline.Run(ctx, lk, pipeline.Options{Files: []string{"bronze_layer/products.csv"}, Force: true})
	if err != nil || sum.Files[0].Status != "succeeded" || sum.Files[0].Unchanged != 2 {
		t.Fatalf("forced: %v %+v", err, sum.Files)
	}
	// A changed file (new content, new size) is new again and updates by key.
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV+"3,5,Toys,C\n")
	sum, err = pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || len(sum.Files) != 1 || sum.Files[0].Inserted != 1 || sum.Files[0].Unchanged != 2 {
		t.Fatalf("changed file: %v %+v", err, sum.Files)
	}
	putFile(t, lk.Store, "bronze_layer/products_fix.csv", "product_id,department_id,department,product_name\n2,4,Books,B2\n")
	sum, err = pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Files[0].Updated != 1 {
		t.Fatalf("update: %v %+v", err, sum.Files)
	}
	if n := countRows(t, lk, "products"); n != 3 {
		t.Fatalf("products has %d rows, want 3", n)
	}
}

func TestCancelledRunIsRecordedAndConsistent(t *testing.T) {
	lk, _ := newLake(t)
	copySeed(t, lk.Store)
	ctx, cancel := context.WithCancel(context.Background())
	var sawItems bool
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{Progress: func(e pipeline.Event) {
		if e.Dataset == "order_items" && e.Stage != pipeline.StageQueued && !sawItems {
			sawItems = true
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	cancelled := 0
	for _, f := range sum.Files {
		if f.Status == ledger.StatusCancelled {
			cancelled++
		} else if f.Status != ledger.StatusSucceeded {
			t.Fatalf("%s: %s", f.File, f.Status)
		}
	}
	if cancelled != 15 {
		t.Fatalf("%d files cancelled, want the 15 order_items files", cancelled)
	}
	entries, err := ledger.Open(lk).Entries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Status == ledger.StatusCancelled {
			n++
		}
	}
	if n != 15 {
		t.Fatalf("ledger has %d cancelled entries, want 15", n)
	}
	// Running again finishes the job.
	sum, err = pipeline.Run(context.Background(), lk, pipeline.Options{})
	if err != nil || len(sum.Files) != 15 || sum.Failed() {
		t.Fatalf("resume: %v %+v", err, sum)
	}
	if got := countRows(t, lk, "order_items"); got != 40803 {
		t.Fatalf("order_items has %d rows", got)
	}
}

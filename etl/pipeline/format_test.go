package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// TestRawFormatRules: BOM, CRLF, quoting (comma, quote, newline), blank
// lines, header by name in any order with spaces and case, extra columns.
func TestRawFormatRules(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", "\ufeff Product_Name ,extra,department,PRODUCT_ID,department_id\r\n"+
		"\"Book, \"\"special\"\"\nedition\",x,Books,1,4\r\n"+
		"\r\n"+
		"\n"+
		"Plain,y,Toys,2,5\r\n")
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Failed() {
		t.Fatalf("%v %+v", err, sum)
	}
	f := sum.Files[0]
	if f.RowsRead != 2 || f.Accepted != 2 {
		t.Fatalf("blank lines must not count: %+v", f)
	}
	snap, err := lk.Silver("products").Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for row, err := range snap.Rows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = rowfmt.Text(v)
		}
		got = append(got, strings.Join(cells, "|"))
	}
	want := "1|4|Books|Book, \"special\"\nedition\n2|5|Toys|Plain"
	if strings.Join(got, "\n") != want {
		t.Fatalf("rows:\n%q\nwant\n%q", strings.Join(got, "\n"), want)
	}
}

// TestMergeRewritesOnlyFilesWithChangedKeys: an update touches one file of
// a partitioned table; the other files are neither read for rewrite nor removed.
func TestMergeRewritesOnlyFilesWithChangedKeys(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/orders/orders_1.csv", ordersDay1)
	putFile(t, lk.Store, "bronze_layer/orders/orders_2.csv", ordersDay2)
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	before, _ := lk.Silver("orders").Snapshot(ctx)
	putFile(t, lk.Store, "bronze_layer/orders/orders_fix.csv", "order_num,order_id,user_id,order_timestamp,total_amount,date\n2,200,8,2025-04-02T10:00:00,25.00,2025-04-02\n")
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Files[0].Updated != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	after, _ := lk.Silver("orders").Snapshot(ctx)
	hist, err := lk.Silver("orders").History(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if hist[0].Operation != "MERGE" || hist[0].Metrics["numTargetFilesRemoved"] != "1" || hist[0].Metrics["numTargetRowsUpdated"] != "1" {
		t.Fatalf("last commit %+v", hist[0])
	}
	kept := 0
	for _, a := range before.Files() {
		if after.State().HasFile(a.Path) {
			kept++
		}
	}
	if kept != len(before.Files())-1 {
		t.Fatalf("%d of %d files kept; only the one holding order 200 may be rewritten", kept, len(before.Files()))
	}
	// The new values replaced the old row; every other row is still there once.
	rows, amounts := 0, map[int64]string{}
	for row, err := range after.Project(ctx, "order_id", "total_amount") {
		if err != nil {
			t.Fatal(err)
		}
		rows++
		id := row[0].(int64)
		if _, dup := amounts[id]; dup {
			t.Fatalf("order %d twice after the MERGE", id)
		}
		amounts[id] = rowfmt.Text(row[1])
	}
	var before0 int
	for range before.Project(ctx, "order_id") {
		before0++
	}
	if rows != before0 || amounts[200] != "25.00" {
		t.Fatalf("%d rows (had %d); order 200 total %q, want 25.00", rows, before0, amounts[200])
	}
}

package pipeline_test

import (
	"context"
	"testing"

	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

const (
	productsCSV = "product_id,department_id,department,product_name\n1,4,Books,A\n2,4,Books,B\n"
	ordersDay1  = "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n"
	ordersDay2  = "order_num,order_id,user_id,order_timestamp,total_amount,date\n2,200,8,2025-04-02T10:00:00,20.00,2025-04-02\n"
	itemsHeader = "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n"
)

func TestReprocessResolvesLateReferences(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	putFile(t, lk.Store, "bronze_layer/orders/orders_1.csv", ordersDay1)
	// Item 2 references order 200, which arrives later; item 3 is plainly broken.
	putFile(t, lk.Store, "bronze_layer/order_items/items_1.csv", itemsHeader+
		"1,100,7,,1,1,0,2025-04-01T10:00:00,2025-04-01\n"+
		"2,200,8,3,2,1,1,2025-04-02T10:00:00,2025-04-02\n"+
		"3,100,7,3,2,0,1,2025-04-01T10:00:00,2025-04-01\n")
	sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
	if err != nil || sum.Failed() {
		t.Fatalf("run: %v %+v", err, sum)
	}
	if sum.Totals.RejectedByReason["reference:order_id"] != 1 || sum.Totals.RejectedByReason["range:add_to_cart_order"] != 1 {
		t.Fatalf("rejected by reason %v", sum.Totals.RejectedByReason)
	}
	putFile(t, lk.Store, "bronze_layer/orders/orders_2.csv", ordersDay2)
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Reprocess(ctx, lk, pipeline.ReprocessOptions{Dataset: "order_items"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Open != 2 || res[0].Resolved != 1 || res[0].StillOpen != 1 || res[0].Inserted != 1 {
		t.Fatalf("reprocess: %+v", res)
	}
	if n := countRows(t, lk, "order_items"); n != 2 {
		t.Fatalf("order_items has %d rows, want 2", n)
	}
	all, err := rejects.Read(ctx, lk, "order_items", rejects.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Fatalf("rejects has %d rows, want 2 (nothing deleted)", len(all))
	}
	for _, r := range all {
		want := rejects.StatusOpen
		if r.Line == 3 {
			want = rejects.StatusResolved
		}
		if r.Status != want {
			t.Errorf("line %d: status %s, want %s", r.Line, r.Status, want)
		}
	}
	// Reprocessing again changes nothing.
	res, err = pipeline.Reprocess(ctx, lk, pipeline.ReprocessOptions{Dataset: "order_items"})
	if err != nil || res[0].Open != 1 || res[0].Resolved != 0 {
		t.Fatalf("second reprocess: %v %+v", err, res)
	}
}

// A reprocessed row whose key the table already holds, in a file whose key
// range does not hold 0, updates that row instead of inserting a second
// one (the reprocess once left the run's key range at 0..0, so the MERGE
// found no file holding the key).
func TestReprocessOfAKeyInTheTableUpdatesIt(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	putFile(t, lk.Store, "bronze_layer/orders/orders_1.csv", ordersDay1)
	putFile(t, lk.Store, "bronze_layer/order_items/items_1.csv", itemsHeader+
		"5,100,7,,1,1,0,2025-04-01T10:00:00,2025-04-01\n"+
		"6,100,7,,1,2,0,2025-04-01T10:00:00,2025-04-01\n")
	if sum, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil || sum.Failed() {
		t.Fatalf("run: %v %+v", err, sum)
	}
	// Item 5 moves to order 200, which has not arrived: rejected for its reference.
	putFile(t, lk.Store, "bronze_layer/order_items/items_2.csv", itemsHeader+
		"5,200,8,3,2,1,1,2025-04-02T10:00:00,2025-04-02\n")
	if sum, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil || sum.Totals.RejectedByReason["reference:order_id"] != 1 {
		t.Fatalf("run 2: %v %+v", err, sum)
	}
	putFile(t, lk.Store, "bronze_layer/orders/orders_2.csv", ordersDay2)
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Reprocess(ctx, lk, pipeline.ReprocessOptions{Dataset: "order_items"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Resolved != 1 || res[0].Updated != 1 || res[0].Inserted != 0 {
		t.Fatalf("reprocess: %+v, want the row resolved as an update", res)
	}
	rows, _ := tableByKey(t, lk, "order_items", "id") // fails on a key held twice
	if len(rows) != 2 || rows[5][1] != "200" {
		t.Fatalf("order_items: %d keys, item 5 as %v; want 2 keys, item 5 in order 200", len(rows), rows[5])
	}
}

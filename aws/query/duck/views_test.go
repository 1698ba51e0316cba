package duck

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// lakeViews lists the engine's views of lake tables.
func lakeViews(t *testing.T, e *Engine) []string {
	t.Helper()
	_, rows := collect(t, e, "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1")
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r[0]))
	}
	return out
}

// TestViewsOfNamedTablesOnly: a fresh engine on a folder lake resolves and
// creates only the views its statement names; a statement that names no
// lake table or reads the catalog gets every view; views once created
// (and views of the user's over them) follow new commits.
func TestViewsOfNamedTablesOnly(t *testing.T) {
	lk, _ := newFolderLake(t)
	putSeed(t, lk.Store, "products.csv", "orders/orders_2025_04_01.csv")
	runPipeline(t, lk)

	e := openEngine(t, lk, Options{RecheckInterval: -1})
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 500 {
		t.Fatalf("%d orders", got)
	}
	for _, ts := range e.tables {
		if (ts.snap != nil) != (ts.Name == "orders") {
			t.Errorf("table %s resolved: %v", ts.Name, ts.snap != nil)
		}
	}
	// duckdb_views() reads the catalog, which brings every view.
	views := lakeViews(t, e)
	for _, want := range []string{"orders", "products", "ingest_log", "rejected_orders", "rejected_products"} { // order_items is not loaded
		if !slices.Contains(views, want) {
			t.Errorf("after a catalog statement, no view %s in %v", want, views)
		}
	}
	for _, sql := range []string{"SHOW TABLES", "SELECT table_name FROM information_schema.tables", "SELECT 42"} {
		e2 := openEngine(t, lk, Options{})
		_, rows := collect(t, e2, sql)
		if sql != "SELECT 42" && !strings.Contains(fmt.Sprint(rows), "products") {
			t.Errorf("%s on a fresh engine: %v", sql, rows)
		}
		if n := len(lakeViews(t, e2)); n != 5 {
			t.Errorf("after %s: %d views, want the 5 tables the lake has", sql, n)
		}
	}

	// A view of the user's over orders, used by a statement that names
	// only products, sees orders' new commit.
	collect(t, e, "CREATE VIEW my_orders AS SELECT * FROM orders")
	putSeed(t, lk.Store, "orders/orders_2025_04_02.csv")
	runPipeline(t, lk)
	if got := count(t, e, "SELECT (SELECT count(*) FROM my_orders) + 0 * (SELECT count(*) FROM products)"); got != 1000 {
		t.Fatalf("my_orders after a new commit of orders: %d rows, want 1000", got)
	}
}

package tables

import (
	"context"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/ops/opstest"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// testLake is a folder lake loaded by one pipeline run over generated data.
func testLake(t *testing.T) *lake.Lake {
	t.Helper()
	lk := opstest.Lake(t, gen.Options{Orders: 300, Seed: 1})
	opstest.Run(t, lk)
	return lk
}

// fakeEngine lists the lake's orders table, a table that is not in the
// lake, and nothing else; it runs no SQL.
type fakeEngine struct{ lk *lake.Lake }

func (f fakeEngine) Name() string { return "fake" }
func (f fakeEngine) Close() error { return nil }
func (f fakeEngine) Query(context.Context, string) (query.Rows, error) {
	return nil, context.Canceled
}
func (f fakeEngine) Tables(context.Context) ([]query.TableInfo, error) {
	return []query.TableInfo{
		{Name: "orders", Location: f.lk.Silver("orders").URI(), Version: 0, Partitions: []string{"date"}},
		{Name: "weird name", Columns: []query.Column{{Name: "a", Type: "INTEGER"}}},
	}, nil
}

func TestListFromLake(t *testing.T) {
	o, _ := opstest.Ops(t, testLake(t))
	h := viewtest.New(t, New(o))
	h.Resize(80, 22)
	s := h.ExpectContains("Tables", "7 tables", "from the lake (no query engine)", "version", "files", "rows", "size",
		"partitions", "last commit", "rejected_orders", "ingest_log")
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 0 && f[0] == "orders":
			// version 1 (create + merge), one file, 300 rows, partitioned by date.
			if f[1] != "1" || f[2] != "1" || f[3] != "300" || f[6] != "date" {
				t.Fatalf("orders line %q", l)
			}
		case len(f) > 0 && f[0] == "ingest_log" && f[3] != "3":
			t.Fatalf("ingest_log line %q", l)
		}
	}
	// Detail of the first table: schema and history.
	h.Press("enter")
	h.ExpectContains("products · version 1", "partitions: none", "schema · 4 columns", "product_id", "long",
		"history", "MERGE", "CREATE TABLE")
	// The history pane: the newest version opens in full.
	h.Press("c", "enter")
	h.ExpectContains("products · version 1", "MERGE", "parameters", "metrics", "numTargetRowsInserted=1000")
	h.Press("esc", "esc")
	h.ExpectContains("7 tables")
	for _, sz := range [][2]int{{80, 24}, {40, 10}, {20, 3}, {200, 60}} {
		h.Resize(sz[0], sz[1])
		h.Frame()
		h.Press("enter")
		h.Frame()
		h.Press("esc")
	}
}

func TestEngineTablesHistoryAndSelect(t *testing.T) {
	lk := testLake(t)
	h := viewtest.New(t, New(ops.New(lk, ops.Options{Engine: fakeEngine{lk}})))
	h.ExpectContains("2 tables", "from the fake engine", "orders", "300", "weird name", "not in this lake")
	h.Press("enter")
	h.ExpectContains("orders · version 1", "partitions: date", "order_num", "yes", "order_id", "no", "total_amount",
		"decimal(12,2)", "partition", "history", "MERGE", "CREATE TABLE")
	h.Press("s")
	g, ok := viewtest.Last[ui.Go](h)
	if !ok {
		t.Fatalf("s sent %+v", h.Out)
	}
	if p, ok := g.To.(ui.OpenSQL); !ok || p.SQL != `SELECT * FROM "orders" LIMIT 100` {
		t.Fatalf("prepared %#v", g.To)
	}
	// A table the lake does not hold: the engine's columns, no history; its name is quoted.
	h.Press("esc", "down", "enter")
	h.ExpectContains("weird name", "INTEGER", "no history: the table is not in this lake")
	h.Press("s")
	g, _ = viewtest.Last[ui.Go](h)
	if p := g.To.(ui.OpenSQL); p.SQL != `SELECT * FROM "weird name" LIMIT 100` {
		t.Fatalf("prepared %q", p.SQL)
	}
	h.Press("y")
	if c, ok := viewtest.Last[ui.Copy](h); !ok || c.Text != "weird name" {
		t.Fatalf("copied %q", c.Text)
	}
}

func TestStaleListDropped(t *testing.T) {
	o, _ := opstest.Ops(t, testLake(t))
	m := New(o)
	h := viewtest.New(t, m)
	h.Send(listedMsg{gen: m.gen - 1, list: ops.TableList{Tables: []ops.TableInfo{{Name: "stale"}}}})
	if s := h.Screen(); strings.Contains(s, "stale") {
		t.Fatalf("a stale listing was shown:\n%s", s)
	}
}

// The filter narrows the list; a finished job reloads it (a run changes
// the tables).
func TestFilterAndReloadAfterARun(t *testing.T) {
	lk := opstest.Lake(t, gen.Options{Orders: 300, Seed: 1})
	opstest.Run(t, lk, "bronze_layer/products.csv")
	o, jm := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.ExpectContains("3 tables", "products", "rejected_products", "ingest_log")
	h.Filter("rejected")
	h.ExpectContains("rejected_products")
	h.ExpectLacks("ingest_log")
	h.Press("enter")
	jm.Submit(jobs.Spec{Title: "the rest"})
	h.Send(opstest.WaitJobs(t, jm))
	// The reload lists the new tables; the filter still holds.
	if s := h.Screen(); !strings.Contains(s, "7 tables") || !strings.Contains(s, "rejected_orders") || strings.Contains(s, "ingest_log") {
		t.Fatalf("after the run:\n%s", s)
	}
}

// The view implements the shell's View interface; ops.Ops its Service.
var (
	_ ui.View = (*Model)(nil)
	_ Service = (*ops.Ops)(nil)
)

// TestDetailShowsProtocolFeatures: the detail names the protocol a table
// uses — reader/writer versions, features, column mapping, deletion
// vectors — for ours and for one written by a newer engine (the corpus's
// dv-with-columnmapping, put where the lake's products table lives).
func TestDetailShowsProtocolFeatures(t *testing.T) {
	lk := testLake(t)
	o, _ := opstest.Ops(t, lk)
	h := viewtest.New(t, New(o))
	h.Resize(200, 40)
	h.ExpectContains("7 tables")
	h.Press("enter") // products, ours
	h.ExpectContains("protocol: reader 1 / writer 2")
	h.ExpectLacks("deletion vectors on")

	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := "../../testdata/delta-conformance/golden/dv-with-columnmapping/delta"
	storagetest.PutDir(t, st, "silver_layer/products", src)
	o2, _ := opstest.Ops(t, lake.New(st))
	h = viewtest.New(t, New(o2))
	h.Resize(200, 40)
	h.ExpectContains("products")
	h.Press("enter")
	h.ExpectContains("protocol: reader 3 / writer 7", "reader features columnMapping, deletionVectors", "column mapping name",
		"deletion vectors on")
}

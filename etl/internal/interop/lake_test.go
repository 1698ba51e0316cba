package interop_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/internal/interop"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

const (
	productsCSV  = "product_id,department_id,department,product_name\n1,4,Books,A\n2,4,Books,B\n3,7,Garden,C\n"
	ordersHeader = "order_num,order_id,user_id,order_timestamp,total_amount,date\n"
	itemsHeader  = "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n"
)

// growLake runs the pipeline 22 times on a folder lake: each run brings a
// new order and an update of the previous one (a MERGE that rewrites a
// file: removes with dataChange true), an item of the new order, an item
// of the next run's order (rejected until it arrives; the reprocess after
// the next run resolves it: removes in the rejects table) and an item that
// breaks a rule (rejected for good; the last run brings the first items
// file again with other bytes, so that rejected row is replaced: a rewrite
// in the rejects table); the first run also brings 300 orders
// of four users, whose files get dictionary pages. Every silver table, the order_items
// rejects and the ingest log pass version 20 (two checkpoints).
func growLake(t *testing.T) (*lake.Lake, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	put := func(key, content string) {
		if err := st.Put(ctx, key, strings.NewReader(content)); err != nil {
			t.Fatal(err)
		}
	}
	put("bronze_layer/products.csv", productsCSV)
	const runs = 22
	for run := 0; run < runs; run++ {
		order := func(id int) string {
			day := fmt.Sprintf("2025-04-%02d", 1+id%3)
			return fmt.Sprintf("%d,%d,%d,%sT10:%02d:00,%d.%02d,%s\n", id, 1000+id, 7+id%4, day, id%60, 10+id, run, day)
		}
		item := func(id, orderID, addToCart int) string {
			day := fmt.Sprintf("2025-04-%02d", 1+orderID%3)
			days := ""
			if id%2 == 0 {
				days = fmt.Sprint(id % 30)
			}
			return fmt.Sprintf("%d,%d,%d,%s,%d,%d,%d,%sT10:%02d:00,%s\n", id, 1000+orderID, 7+orderID%4, days, 1+id%3, addToCart, id%2, day, orderID%60, day)
		}
		orders := ordersHeader + order(run)
		if run == 0 {
			for id := 100; id < 400; id++ { // enough rows of few users for dictionary-encoded columns
				orders += order(id)
			}
		}
		if run > 0 {
			orders += order(run - 1) // the previous order again, with a new total: an update
		}
		put(fmt.Sprintf("bronze_layer/orders/orders_%02d.csv", run), orders)
		put(fmt.Sprintf("bronze_layer/order_items/items_%02d.csv", run), itemsHeader+
			item(3*run+1, run, 1)+item(3*run+2, run+1, 2)+item(3*run+3, run, 0))
		if run == runs-1 { // items_00 lands again with other bytes: its earlier open reject is replaced (a rewrite of the rejects table)
			put("bronze_layer/order_items/items_00.csv", itemsHeader+item(1, 0, 1)+item(3, 0, 0))
		}
		sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
		if err != nil || sum.Failed() {
			t.Fatalf("run %d: %v %+v", run, err, sum)
		}
		if run > 0 && sum.Totals.Updated == 0 {
			t.Fatalf("run %d updated nothing: %+v", run, sum.Totals)
		}
		if _, err := pipeline.Reprocess(ctx, lk, pipeline.ReprocessOptions{Dataset: "order_items"}); err != nil {
			t.Fatalf("reprocess after run %d: %v", run, err)
		}
	}
	rows, err := rejects.Read(ctx, lk, "order_items", rejects.Filter{File: "bronze_layer/order_items/items_00.csv"})
	if err != nil {
		t.Fatal(err)
	}
	replaced := 0
	for _, r := range rows {
		if r.Status == rejects.StatusReplaced {
			replaced++
		}
	}
	if replaced != 1 {
		t.Fatalf("items_00 landed again: %d of its earlier rejects replaced, want 1 (%+v)", replaced, rows)
	}
	return lk, dir
}

// TestLakeTablesReadByOtherReaders grows a lake and then reads what it
// wrote as other engines do: every checkpoint of every table (silver,
// rejects, ingest log) with DuckDB, finding no NULL where the protocol
// requires a value; every Parquet file (data files, rejects, ingest log,
// checkpoints) with arrow-go's page reader, finding only v1 data pages,
// PLAIN or dictionary encodings and Snappy.
func TestLakeTablesReadByOtherReaders(t *testing.T) {
	ctx := context.Background()
	lk, dir := growLake(t)
	tables := map[string]*delta.Table{
		"silver orders": lk.Silver("orders"), "silver order_items": lk.Silver("order_items"), "silver products": lk.Silver("products"),
		"rejects order_items": lk.Rejected("order_items"), "ingest log": lk.LedgerTable(),
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		tbl := tables[name]
		snap, err := tbl.Snapshot(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ckpts, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(tbl.URI(), lk.URI()+"/")), delta.LogDir, "*.checkpoint.parquet"))
		wantCkpts := int(snap.Version() / delta.CheckpointInterval)
		if len(ckpts) != wantCkpts || (name != "silver products" && wantCkpts < 2) {
			t.Errorf("%s at version %d has %d checkpoints, want %d (at least 2)", name, snap.Version(), len(ckpts), wantCkpts)
		}
		removes := 0
		for _, path := range ckpts {
			broken, counts, err := interop.CheckpointNulls(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if len(broken) > 0 {
				t.Errorf("%s: %s breaks the protocol: %s", name, filepath.Base(path), strings.Join(broken, "; "))
			}
			if counts.MetaData != 1 || counts.Protocol != 1 || counts.Add == 0 {
				t.Errorf("%s: %s holds %+v", name, filepath.Base(path), counts)
			}
			removes += counts.Remove
		}
		if (name == "silver orders" || name == "rejects order_items") && removes == 0 {
			t.Errorf("%s: no checkpoint holds a remove; the test would miss NULL dataChange", name)
		}
	}
	files := 0
	kinds := map[string]int{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum, err := interop.CheckPages(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if sum.DataPages == 0 {
			t.Errorf("%s: no data pages", p)
		}
		for e, n := range sum.Encodings {
			kinds[e] += n
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 || kinds["PLAIN"] == 0 || kinds["RLE_DICTIONARY"] == 0 {
		t.Errorf("checked %d Parquet files, data page encodings %v; want over 100 files with PLAIN and dictionary pages", files, kinds)
	}
}

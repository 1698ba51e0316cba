package ops

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// newLake makes a folder lake with generated raw data (600 orders, 5%
// dirty, seed 1: the same data the view tests use).
func newLake(t *testing.T) *lake.Lake {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"),
		gen.Options{Orders: 600, Dirty: 0.05, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return lake.New(st)
}

func put(t *testing.T, lk *lake.Lake, key string, body []byte) {
	t.Helper()
	if err := lk.Store.Put(context.Background(), key, bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, lk *lake.Lake, files ...string) *Summary {
	t.Helper()
	sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestRawListingStatusesAndNewFiles(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	put(t, lk, "bronze_layer/orders/orders_bad_header.csv", []byte("a,b\n1,2\n"))
	put(t, lk, "bronze_layer/notes.txt", []byte("not data"))
	o := New(lk, Options{})
	before, err := o.NewFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run(t, lk, "bronze_layer/products.csv", "bronze_layer/orders/orders_bad_header.csv")
	after, err := o.NewFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The failed file stays new (a default run takes it again); products.csv is not.
	if len(after) != len(before)-1 || slices.Contains(after, "bronze_layer/products.csv") ||
		!slices.Contains(after, "bronze_layer/orders/orders_bad_header.csv") || slices.Contains(after, "bronze_layer/notes.txt") {
		t.Fatalf("new files before %d, after %v", len(before), after)
	}
	input, err := o.NewFilesInput(ctx)
	var parsed struct{ Files []string }
	if err != nil || json.Unmarshal([]byte(input), &parsed) != nil || !slices.Equal(parsed.Files, after) {
		t.Fatalf("input %s %v", input, err)
	}

	x, err := o.IngestIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	page, err := o.ListRaw(ctx, o.RawRoot(), "", 500)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, e := range page.Entries {
		status[e.Name] = x.Status(e, map[string]bool{"bronze_layer/order_items/": true})
	}
	if status["products.csv"] != RawPartial || status["notes.txt"] != RawNotRaw || status["orders/"] != "" {
		t.Fatalf("statuses %v", status)
	}
	page, _ = o.ListRaw(ctx, "bronze_layer/orders/", "", 500)
	running := map[string]bool{"bronze_layer/orders/orders_2025_04_02.csv": true}
	for _, e := range page.Entries {
		want := RawNew
		switch e.Name {
		case "orders_bad_header.csv":
			want = RawFailed
		case "orders_2025_04_02.csv":
			want = RawRunning
		}
		if got := x.Status(e, running); got != want || e.Dataset != "orders" {
			t.Fatalf("%s: status %q dataset %q, want %q", e.Name, got, e.Dataset, want)
		}
	}
	// Paging: two entries a page, resumed after the last key.
	first, _ := o.ListRaw(ctx, "bronze_layer/orders/", "", 2)
	second, _ := o.ListRaw(ctx, "bronze_layer/orders/", first.Entries[1].Key, 2)
	if len(first.Entries) != 2 || !first.More || second.Entries[0].Key <= first.Entries[1].Key {
		t.Fatalf("pages %+v then %+v", first, second)
	}
}

func TestPreviewGoesThroughThePipelinesGuard(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	o := New(lk, Options{})
	p, err := o.Preview(ctx, "bronze_layer/orders/orders_2025_04_01.csv", 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rows) != 200 || p.Problems == 0 || p.Dataset != "orders" || p.Columns[0] != "line" {
		t.Fatalf("preview: %d rows, %d problems, %v", len(p.Rows), p.Problems, p.Columns)
	}
	// Line 3 has total_amount -363.2: that cell is bad and the reason is on the row.
	if r := p.Rows[1]; r[5] != "-363.2" || !p.Bad[1][5] || !strings.Contains(r[len(r)-1], "range:total_amount") {
		t.Fatalf("row of line 3: %v %v", r, p.Bad[1])
	}
	// A gzip bomb: the preview stops at the lake's decompressed-size limit
	// as a run would, instead of inflating it.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("product_id,department_id,department,product_name\n"))
	_, _ = zw.Write(bytes.Repeat([]byte("x"), 4<<20))
	_ = zw.Close()
	put(t, lk, "bronze_layer/products_bomb.csv.gz", gz.Bytes())
	small := New(lk, Options{Limits: Limits{MaxDecompressedBytes: 1 << 20}})
	if _, err := small.Preview(ctx, "bronze_layer/products_bomb.csv.gz", 200); err == nil ||
		!strings.Contains(err.Error(), "decompressed size exceeds the limit") {
		t.Fatalf("bomb preview: %v", err)
	}
	// Validate is a dry run: nothing is written.
	sum, err := o.Validate(ctx, "bronze_layer/orders/orders_2025_04_01.csv")
	if err != nil || sum.Files[0].RowsRead != 316 {
		t.Fatalf("validate %+v %v", sum, err)
	}
	if _, err := lk.LedgerTable().Snapshot(ctx); err == nil {
		t.Fatal("validate wrote the ingest log")
	}
}

func TestRejectsExportOneShape(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	body := "order_num,order_id,user_id,order_timestamp,total_amount,date\n" +
		"=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01\n" +
		"@SUM(A1),20003,5,2025-04-01T10:00:00Z,10.00,2025-04-01\n"
	put(t, lk, "bronze_layer/orders/orders_hostile.csv", []byte(body))
	run(t, lk, "bronze_layer/products.csv", "bronze_layer/orders/orders_2025_04_01.csv", "bronze_layer/orders/orders_hostile.csv")
	o := New(lk, Options{})
	rows, err := o.Rejects(ctx, "orders", RejectFilter{File: "bronze_layer/orders/orders_hostile.csv"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("rejects %d %v", len(rows), err)
	}
	dir := t.TempDir()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	path, err := ExportRejects(dir, now, "orders", "csv", rows)
	if err != nil || path != filepath.Join(dir, "rejects-orders-20260102-030405.csv") {
		t.Fatalf("export %q %v", path, err)
	}
	f, _ := os.Open(path)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(RejectColumns(), ",") {
		t.Fatalf("csv %q %v", recs, err)
	}
	if recs[1][7] != "'=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01" || recs[2][7][0] != '\'' {
		t.Fatalf("formula cells not guarded: %q", recs[1:])
	}
	if again, _ := ExportRejects(dir, now, "orders", "csv", rows); !strings.HasSuffix(again, "-1.csv") {
		t.Fatalf("second export in the same second: %s", again)
	}
	jpath, err := ExportRejects(dir, now, "orders", "json", rows)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(jpath)
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 2 {
		t.Fatalf("json is not one array: %v\n%s", err, b)
	}
	if out[0]["raw"] != "=1+2,20001,5,2025-04-01T10:00:00Z,10.00,2025-04-01" || out[0]["line"] != 2.0 ||
		out[0]["dataset"] != "orders" || len(out[0]["reasons"].([]any)) == 0 {
		t.Fatalf("json row %v", out[0])
	}
	var empty bytes.Buffer
	if err := writeRejects(&empty, "orders", "json", nil); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Fatalf("empty json %q %v", empty.String(), err)
	}
	// Inspect: the fields re-read with the header, the bad one blamed.
	day1, _ := o.Rejects(ctx, "orders", RejectFilter{File: "bronze_layer/orders/orders_2025_04_01.csv"})
	var line3 RejectRow
	for _, r := range day1 {
		if r.Line == 3 {
			line3 = r
		}
	}
	fields, err := InspectReject("orders", line3)
	if err != nil {
		t.Fatal(err)
	}
	for _, fc := range fields {
		switch fc.Column {
		case "total_amount":
			if !fc.Bad || fc.Raw != "-363.2" || !strings.Contains(fc.Verdict, "range:total_amount") || fc.Type != "decimal(12,2)" {
				t.Fatalf("total_amount %+v", fc)
			}
		case "user_id":
			if fc.Bad || fc.Verdict != "ok" {
				t.Fatalf("user_id %+v", fc)
			}
		}
	}
}

func TestTablesSummariesHistoryAndRegister(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	o := New(lk, Options{})
	if list, err := o.ListTables(ctx); err != nil || len(list.Tables) != 0 {
		t.Fatalf("tables before any run: %+v %v", list, err)
	}
	sum := run(t, lk)
	list, err := o.ListTables(ctx)
	if err != nil || len(list.Tables) != 7 || list.Source != "lake (no query engine)" {
		t.Fatalf("tables %+v %v", list, err)
	}
	sums := o.Summaries(ctx, append(list.Tables, TableInfo{Name: "elsewhere", Location: "s3://other/t"}))
	byName := map[string]*TableSummary{}
	for _, s := range sums[:7] {
		byName[s.Name] = s
	}
	if sums[7] != nil {
		t.Fatalf("a table outside the lake got a summary: %+v", sums[7])
	}
	orders := byName["orders"]
	if orders == nil || orders.Version != 1 || orders.Files == 0 || !orders.RowsKnown || orders.Rows != sum.Totals.Accepted-1000-byName["order_items"].Rows ||
		!slices.Equal(orders.Partitions, []string{"date"}) || orders.LastOp != "MERGE" || orders.Err != nil {
		t.Fatalf("orders summary %+v", orders)
	}
	lakeSums, err := o.LakeSummaries(ctx)
	if err != nil || len(lakeSums) != 7 || lakeSums[0].Name != "products" || lakeSums[6].Name != "ingest_log" {
		t.Fatalf("lake summaries %+v %v", lakeSums, err)
	}
	d, err := o.TableDetail(ctx, list.Tables[slices.IndexFunc(list.Tables, func(i TableInfo) bool { return i.Name == "orders" })])
	if err != nil || !d.InLake || len(d.History) != 2 || d.History[0].Operation != "MERGE" || !d.Fields[len(d.Fields)-1].Partition {
		t.Fatalf("detail %+v %v", d, err)
	}
	outside, err := o.TableDetail(ctx, TableInfo{Name: "x", Columns: []Column{{Name: "a", Type: "INTEGER"}}})
	if err != nil || outside.InLake || outside.HistErr == nil || outside.Fields[0].Nullable != "?" {
		t.Fatalf("outside detail %+v %v", outside, err)
	}
	if got := SelectSQL(`we"ird`); got != `SELECT * FROM "we""ird" LIMIT 100` {
		t.Fatalf("SelectSQL %s", got)
	}
	reg, err := o.RegisterTables(ctx, local.New(lk.Store))
	if err != nil || len(reg) != 7 {
		t.Fatalf("registered %+v %v", reg, err)
	}
	lk.ReadOnly = true
	if _, err := o.RegisterTables(ctx, local.New(lk.Store)); err == nil {
		t.Fatal("a read-only lake registered tables")
	}
}

func TestRunHistoryGroupsByRun(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	first := run(t, lk, "bronze_layer/products.csv")
	second := run(t, lk, "bronze_layer/orders/orders_2025_04_01.csv", "bronze_layer/orders/orders_2025_04_02.csv")
	runs, err := New(lk, Options{}).RunHistory(ctx)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if runs[0].ID != second.RunID || len(runs[0].Files) != 2 || runs[0].Read != second.Totals.RowsRead ||
		runs[1].ID != first.RunID || runs[1].Rejected != first.Totals.Rejected || runs[1].Status != FileSucceeded {
		t.Fatalf("runs %+v", runs)
	}
}

func TestRowWriters(t *testing.T) {
	var b bytes.Buffer
	w, err := NewRowWriter(&b, "csv", []string{"n", "label"})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Write([]any{int64(-7), `=HYPERLINK("x")`})
	if err := w.Close(); err != nil || b.String() != "n,label\n-7,\"'=HYPERLINK(\"\"x\"\")\"\n" {
		t.Fatalf("csv %q %v", b.String(), err)
	}
	if _, err := NewRowWriter(&b, "xml", nil); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}

func TestUniqueNames(t *testing.T) {
	if got := strings.Join(uniqueNames([]string{"id", "id", "", "id"}), ","); got != "id,id_2,column3,id_3" {
		t.Fatalf("unique names %s", got)
	}
}

// A partitioned table's detail has its partitions with files, rows and bytes.
func TestTableDetailPartitions(t *testing.T) {
	lk := newLake(t)
	run(t, lk)
	o := New(lk, Options{})
	list, err := o.ListTables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range list.Tables {
		if info.Name != "orders" {
			continue
		}
		d, err := o.TableDetail(context.Background(), info)
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		for _, p := range d.PartitionStats {
			if !strings.HasPrefix(p.Values, "date=") || p.Files == 0 || p.Bytes == 0 || !p.RowsKnown {
				t.Fatalf("partition %+v", p)
			}
			rows += p.Rows
		}
		if len(d.PartitionStats) < 2 || rows == 0 {
			t.Fatalf("partitions %+v", d.PartitionStats)
		}
		return
	}
	t.Fatalf("no orders table in %+v", list)
}

func TestHasRawFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lk := lake.New(st)
	o := New(lk, Options{})
	ctx := context.Background()
	if has, err := o.HasRawFiles(ctx); err != nil || has {
		t.Fatalf("empty lake: %v %v", has, err)
	}
	put(t, lk, "bronze_layer/notes.txt", []byte("not raw"))
	if has, _ := o.HasRawFiles(ctx); has {
		t.Fatal("a text file counted as a raw file")
	}
	put(t, lk, "bronze_layer/orders/orders_1.csv.gz", []byte("x"))
	if has, err := o.HasRawFiles(ctx); err != nil || !has {
		t.Fatalf("with a .csv.gz: %v %v", has, err)
	}
}

func TestCheckReasonAndDatasetNames(t *testing.T) {
	all := Datasets()
	for _, ok := range []string{"", "malformed", "superseded", "reference:product_id", "type:total_amount", "required:department"} {
		if err := CheckReason(ok, all); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	err := CheckReason("nope", all)
	if err == nil || !strings.Contains(err.Error(), `unknown reason code "nope"`) || !strings.Contains(err.Error(), "malformed, encoding") ||
		strings.Contains(err.Error(), "did you mean") {
		t.Errorf("nope: %v", err)
	}
	if err := CheckReason("superceded", all); err == nil || !strings.Contains(err.Error(), `did you mean "superseded"?`) {
		t.Errorf("superceded: %v", err)
	}
	// A code of another dataset is not one of this dataset's.
	if err := CheckReason("reference:product_id", []string{"orders"}); err == nil || !strings.Contains(err.Error(), "for orders") {
		t.Errorf("reference:product_id for orders: %v", err)
	}
	if _, err := DatasetNames("order"); err == nil || !strings.Contains(err.Error(), `did you mean "orders"?`) {
		t.Errorf("order: %v", err)
	}
}

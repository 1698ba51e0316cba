package duck

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
)

func TestSeedCountsColumnsAndValues(t *testing.T) {
	lk, _ := seedLake(t)
	e := openEngine(t, lk, Options{})
	for table, want := range map[string]int64{"products": 1000, "orders": 7500, "order_items": 40803, "rejected_orders": 0} {
		if got := count(t, e, "SELECT count(*) FROM "+table); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	cols, rows := collect(t, e, "SELECT * FROM orders WHERE order_id = 10000")
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+" "+c.Type)
	}
	want := []string{"order_num BIGINT", "order_id BIGINT", "user_id BIGINT", "order_timestamp TIMESTAMPTZ", "total_amount DECIMAL(12,2)", "date DATE"}
	if !slices.Equal(got, want) {
		t.Fatalf("columns %v, want %v", got, want)
	}
	if len(rows) != 1 {
		t.Fatalf("rows %v", rows)
	}
	r := rows[0]
	ts, ok := r[3].(time.Time)
	if !ok || ts.Location() != time.UTC {
		t.Errorf("order_timestamp %T %v, want a UTC time.Time", r[3], r[3])
	}
	if d, ok := r[5].(string); !ok || d != ts.Format(time.DateOnly) {
		t.Errorf("date %T %v, want the timestamp's UTC date as text", r[5], r[5])
	}
	if amt, ok := r[4].(string); !ok || len(amt) < 4 || amt[len(amt)-3] != '.' {
		t.Errorf("total_amount %T %q, want decimal text at scale 2", r[4], r[4])
	}
	// Partition values come from the add actions and filter correctly.
	if n := count(t, e, "SELECT count(*) FROM order_items WHERE date = DATE '2025-04-01'"); n == 0 || n == 40803 {
		t.Errorf("one day of items: %d", n)
	}
	if n := count(t, e, "SELECT count(*) FROM order_items WHERE date <> CAST(order_timestamp AS DATE)"); n != 0 {
		t.Errorf("%d items whose date is not the UTC date of their timestamp", n)
	}
}

func TestJoinAcrossTablesMatchesData(t *testing.T) {
	lk, _ := seedLake(t)
	e := openEngine(t, lk, Options{})
	// The expectation, computed from the Delta tables without DuckDB.
	dept := map[int64]string{}
	for _, r := range readTable(t, lk.Silver("products")) {
		dept[r[0].(int64)] = r[2].(string)
	}
	orders := map[int64]bool{}
	for _, r := range readTable(t, lk.Silver("orders")) {
		orders[r[1].(int64)] = true
	}
	want := map[string]int64{}
	for _, r := range readTable(t, lk.Silver("order_items")) {
		if orders[r[1].(int64)] {
			want[dept[r[4].(int64)]]++
		}
	}
	_, rows := collect(t, e, `SELECT p.department, count(*) AS items
		FROM order_items i JOIN orders o ON o.order_id = i.order_id JOIN products p ON p.product_id = i.product_id
		GROUP BY p.department ORDER BY p.department`)
	got := map[string]int64{}
	var total int64
	for _, r := range rows {
		got[r[0].(string)] = r[1].(int64)
		total += r[1].(int64)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || total != 40803 {
		t.Fatalf("items per department %v (total %d), want %v", got, total, want)
	}
}

func readTable(t *testing.T, tbl *delta.Table) [][]any {
	t.Helper()
	snap, err := tbl.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for r, err := range snap.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestRejectsJoinAndTables(t *testing.T) {
	lk, dir := newFolderLake(t)
	m, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 1000, Dirty: 0.05, Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runPipeline(t, lk)
	e := openEngine(t, lk, Options{})
	for _, ds := range []string{"products", "orders", "order_items"} {
		want := m.Datasets[ds].Rejected
		if want == 0 {
			t.Fatalf("%s: the generator made no dirty rows", ds)
		}
		got := count(t, e, fmt.Sprintf(`SELECT count(*) FROM rejected_%s r
			JOIN ingest_log l ON l.file = r.file AND l.run_id = r.run_id WHERE l.dataset = '%s'`, ds, ds))
		if got != want {
			t.Errorf("%s: %d rejected rows joined to the ingest log, want %d", ds, got, want)
		}
	}
	// Per file, the rejected rows agree with the ledger's counts.
	_, rows := collect(t, e, `SELECT l.file, l.rejected, count(r.line) FROM ingest_log l
		LEFT JOIN rejected_order_items r ON r.file = l.file WHERE l.dataset = 'order_items' GROUP BY ALL ORDER BY 1`)
	for _, r := range rows {
		rel := strings.TrimPrefix(r[0].(string), "bronze_layer/")
		fm, ok := m.File(rel)
		if !ok || r[1].(int64) != fm.Rejected || r[2].(int64) != fm.Rejected {
			t.Errorf("file %v: ledger %v, rejects %v, manifest %+v", r[0], r[1], r[2], fm)
		}
	}
	// A reject joined to silver: the superseded orders' winners are there.
	if n := count(t, e, `SELECT count(*) FROM rejected_orders r JOIN orders o
		ON o.order_id = TRY_CAST(split_part(r.raw, ',', 2) AS BIGINT) WHERE r.reasons = 'superseded'`); n == 0 {
		t.Error("no superseded order joins its winner in silver")
	}
	infos, err := e.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range infos {
		names = append(names, in.Name)
	}
	if want := []string{"products", "orders", "order_items", "rejected_products", "rejected_orders", "rejected_order_items", "ingest_log"}; !slices.Equal(names, want) {
		t.Fatalf("tables %v, want %v", names, want)
	}
	for _, in := range infos {
		if in.Name == "order_items" && (!slices.Equal(in.Partitions, []string{"date"}) || in.Version < 1 ||
			!strings.HasSuffix(in.Location, "silver_layer/order_items") || in.Columns[8] != (query.Column{Name: "date", Type: "DATE"})) {
			t.Errorf("order_items: %+v", in)
		}
	}
}

// TestTimeTravelAndRefresh loads orders in two runs and reads both versions
// from one engine, which notices the second run without reopening.
func TestTimeTravelAndRefresh(t *testing.T) {
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{RecheckInterval: -1})
	if _, _, err := tryCollect(e, "SELECT count(*) FROM orders"); err == nil || !strings.Contains(err.Error(), "orders") {
		t.Fatalf("query on a lake with no tables: %v", err)
	}
	putSeed(t, lk.Store, "products.csv", "orders/orders_2025_04_01.csv")
	runPipeline(t, lk)
	v1 := version(t, lk, "orders")
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 500 {
		t.Fatalf("after the first run: %d orders", got)
	}
	putSeed(t, lk.Store, "orders/orders_2025_04_02.csv")
	runPipeline(t, lk)
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 1000 {
		t.Fatalf("after the second run, same engine: %d orders, want 1000", got)
	}
	q := fmt.Sprintf(`SELECT count(*), count(DISTINCT date), min(date)::VARCHAR FROM orders@v%d`, v1)
	_, rows := collect(t, e, q)
	if fmt.Sprint(rows) != "[[500 1 2025-04-01]]" {
		t.Fatalf("%s: %v", q, rows)
	}
	// Old and new side by side; version 0 is the empty created table.
	q = fmt.Sprintf(`SELECT (SELECT count(*) FROM "ORDERS"@V%d), (SELECT count(*) FROM orders), (SELECT count(*) FROM orders@v0),
		(SELECT count(*) FROM orders o JOIN orders@v%d p USING (order_id))`, v1, v1)
	if _, rows = collect(t, e, q); fmt.Sprint(rows) != "[[500 1000 0 500]]" {
		t.Fatalf("%s: %v", q, rows)
	}
	if _, _, err := tryCollect(e, "SELECT * FROM orders@v99"); err == nil || !strings.Contains(err.Error(), "orders@v99") {
		t.Fatalf("missing version: %v", err)
	}
}

func TestRecheckIntervalAndRefresh(t *testing.T) {
	lk, _ := newFolderLake(t)
	putSeed(t, lk.Store, "products.csv", "orders/orders_2025_04_01.csv")
	runPipeline(t, lk)
	e := openEngine(t, lk, Options{RecheckInterval: time.Hour})
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 500 {
		t.Fatalf("%d orders", got)
	}
	putSeed(t, lk.Store, "orders/orders_2025_04_02.csv")
	runPipeline(t, lk)
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 500 {
		t.Fatalf("within the recheck interval: %d orders, want the cached 500", got)
	}
	if err := e.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 1000 {
		t.Fatalf("after Refresh: %d orders, want 1000", got)
	}
}

func version(t *testing.T, lk *lake.Lake, ds string) int64 {
	t.Helper()
	snap, err := lk.Silver(ds).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap.Version()
}

func TestSQLErrorAndCancel(t *testing.T) {
	lk, _ := seedLake(t)
	e := openEngine(t, lk, Options{})
	_, _, err := tryCollect(e, "SELECT nope FROM orders")
	if err == nil || !strings.Contains(err.Error(), "Binder Error") || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error %v, want DuckDB's binder error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	start := time.Now()
	_, _, err = tryCollectCtx(ctx, e, "SELECT sum(hash(i)) FROM range(100000000000) t(i)")
	if err == nil {
		t.Fatal("a cancelled query succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

// TestPartitionValuesFromAddActions writes a table whose partition values
// do not fit Hive folders (spaces, nulls), so the view joins the files to
// their add actions' values.
func TestPartitionValuesFromAddActions(t *testing.T) {
	ctx := context.Background()
	lk, _ := newFolderLake(t)
	tbl := lk.Silver("products")
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "Dept Name", Type: delta.Primitive(delta.TypeString), Nullable: true},
		{Name: "day", Type: delta.Primitive(delta.TypeDate), Nullable: true},
	}}
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: schema, PartitionColumns: []string{"Dept Name", "day"}})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := delta.NewFileWriter(tbl, schema, snap.PartitionColumns())
	if err != nil {
		t.Fatal(err)
	}
	tx := snap.NewTransaction()
	s := func(v string) *string { return &v }
	for i, pv := range []map[string]*string{
		{"Dept Name": s("Home & Garden: it's"), "day": s("2025-04-01")},
		{"Dept Name": nil, "day": s("2025-04-02")},
		{"Dept Name": s("Books"), "day": nil},
	} {
		add, err := fw.WriteFile(ctx, pv, [][]any{{int64(i), nil, nil}, {int64(i + 10), nil, nil}})
		if err != nil {
			t.Fatal(err)
		}
		tx.Add(add)
	}
	if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	e := openEngine(t, lk, Options{})
	_, rows := collect(t, e, `SELECT id, "Dept Name", day FROM products ORDER BY id`)
	want := "[[0 Home & Garden: it's 2025-04-01] [1 <nil> 2025-04-02] [2 Books <nil>] [10 Home & Garden: it's 2025-04-01] [11 <nil> 2025-04-02] [12 Books <nil>]]"
	if fmt.Sprint(rows) != want {
		t.Fatalf("rows %v\nwant %v", rows, want)
	}
	if _, rows = collect(t, e, `EXPLAIN SELECT * FROM products`); !strings.Contains(fmt.Sprint(rows), "JOIN") {
		t.Fatalf("the view does not join the files to their partition values:\n%v", rows)
	}
}

// TestHivePartitionTypes reads string and integer partitions through Hive
// folders: "007" stays a string, 42 is a number.
func TestHivePartitionTypes(t *testing.T) {
	ctx := context.Background()
	lk, _ := newFolderLake(t)
	tbl := lk.Silver("orders")
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "code", Type: delta.Primitive(delta.TypeString), Nullable: true},
		{Name: "n", Type: delta.Primitive(delta.TypeInteger), Nullable: true},
	}}
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: schema, PartitionColumns: []string{"code", "n"}})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := delta.NewFileWriter(tbl, schema, snap.PartitionColumns())
	if err != nil {
		t.Fatal(err)
	}
	tx := snap.NewTransaction()
	s := func(v string) *string { return &v }
	add, err := fw.WriteFile(ctx, map[string]*string{"code": s("007"), "n": s("42")}, [][]any{{int64(1), nil, nil}})
	if err != nil {
		t.Fatal(err)
	}
	tx.Add(add)
	if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	e := openEngine(t, lk, Options{})
	_, rows := collect(t, e, `SELECT id, code, n FROM orders`)
	if fmt.Sprintf("%#v", rows) != `[][]interface {}{[]interface {}{1, "007", 42}}` {
		t.Fatalf("rows %#v", rows)
	}
	_, rows = collect(t, e, `EXPLAIN SELECT * FROM orders`)
	if !strings.Contains(fmt.Sprint(rows), "READ_PARQUET") || strings.Contains(fmt.Sprint(rows), "JOIN") {
		t.Fatalf("not a plain Hive scan:\n%v", rows)
	}
}

func TestEmptyTableHasColumns(t *testing.T) {
	lk, _ := newFolderLake(t)
	putSeed(t, lk.Store, "products.csv")
	runPipeline(t, lk)
	e := openEngine(t, lk, Options{})
	cols, rows := collect(t, e, "SELECT * FROM rejected_products")
	if len(rows) != 0 || len(cols) < 5 || cols[0].Name != "run_id" || cols[1].Type != "TIMESTAMPTZ" {
		t.Fatalf("empty rejects table: %v %v", cols, rows)
	}
}

func TestValues(t *testing.T) {
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{})
	cols, rows := collect(t, e, `SELECT 77::DECIMAL(12,2), -0.05::DECIMAL(5,3), DATE '2025-04-01', TIMESTAMPTZ '2025-04-01 10:00:00+02',
		1::TINYINT, 2::INTEGER, 3::UBIGINT, 1.5::FLOAT, 'x', NULL, true, [1, 2], {'b': 1, 'a': 'q'}, MAP {'k': 1.50::DECIMAL(3,2)},
		'\x01'::BLOB, '123e4567-e89b-12d3-a456-426614174000'::UUID, 170141183460469231731687303715884105727::HUGEINT, TIME '10:11:12'`)
	want := []any{"77.00", "-0.050", "2025-04-01", time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC),
		int64(1), int64(2), int64(3), 1.5, "x", nil, true, "[1,2]", `{"a":"q","b":1}`, `{"k":1.50}`,
		`\x01`, "123e4567-e89b-12d3-a456-426614174000", "170141183460469231731687303715884105727", "10:11:12"}
	for i, w := range want {
		got := rows[0][i]
		if b, ok := got.([]byte); ok {
			got = fmt.Sprintf(`\x%02x`, b)
		}
		if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", w, w) {
			t.Errorf("column %d (%s): %T %v, want %T %v", i, cols[i].Type, got, got, w, w)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"orders":       `"orders"`,
		`a"b`:          `"a""b"`,
		`""`:           `""""""`,
		"orders@v3":    `"orders@v3"`,
		"x; DROP t --": `"x; DROP t --"`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	// DuckDB reads the quoted name back as the name.
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{})
	name := `we"ird ' name`
	_, rows := collect(t, e, "SELECT 1 AS "+QuoteIdent(name))
	cols, _ := collect(t, e, "SELECT 1 AS "+QuoteIdent(name))
	if len(rows) != 1 || cols[0].Name != name {
		t.Fatalf("column %q", cols[0].Name)
	}
}

func TestScanSQL(t *testing.T) {
	tables := map[string]string{"orders": "orders", "order_items": "order_items"}
	for _, c := range []struct{ in, out, refs, pins string }{
		{"SELECT * FROM orders", "SELECT * FROM orders", "[orders]", "[]"},
		{"SELECT * FROM orders@v3 JOIN Order_Items@V12 USING (order_id)", `SELECT * FROM "orders@v3" JOIN "order_items@v12" USING (order_id)`, "[]", "[orders@v3 order_items@v12]"},
		{`SELECT * FROM "orders"@v03, main.orders@v3`, `SELECT * FROM "orders@v3", main."orders@v3"`, "[]", "[orders@v3]"},
		{"SELECT 'orders@v3', \"x\"\"orders@v3\" -- orders@v1\n/* orders@v2 /* nested */ orders@v4 */ FROM t", "SELECT 'orders@v3', \"x\"\"orders@v3\" -- orders@v1\n/* orders@v2 /* nested */ orders@v4 */ FROM t", "[]", "[]"},
		{"SELECT $$orders@v1$$, $q$it's orders@v2$q$, E'\\'orders@v5', orders@v7x, orders@ v1 FROM x", "SELECT $$orders@v1$$, $q$it's orders@v2$q$, E'\\'orders@v5', orders@v7x, orders@ v1 FROM x", "[orders]", "[]"},
		{"SELECT count(*) FROM ordersx, xorders@v1, orders@v2", `SELECT count(*) FROM ordersx, xorders@v1, "orders@v2"`, "[]", "[orders@v2]"},
	} {
		sc := scanSQL(c.in, tables)
		var refs, pins []string
		for r := range sc.refs {
			refs = append(refs, r)
		}
		slices.Sort(refs)
		for _, p := range sc.pins {
			pins = append(pins, p.viewName())
		}
		if sc.sql != c.out || fmt.Sprint(refs) != c.refs || fmt.Sprint(pins) != c.pins {
			t.Errorf("scanSQL(%q)\n = %q refs %v pins %v\nwant %q refs %s pins %s", c.in, sc.sql, refs, pins, c.out, c.refs, c.pins)
		}
	}
}

func TestHiveLayoutDetection(t *testing.T) {
	cols := []column{{name: "id", typ: "BIGINT"}, {name: "date", typ: "DATE", part: true}}
	s := func(v string) *string { return &v }
	adds := []*delta.Add{{PartitionValues: map[string]*string{"date": s("2025-04-01")}}}
	for path, want := range map[string]bool{
		"/lake/t/date=2025-04-01/part-0.parquet":     true,
		"/lake/t/date=2025-04-02/part-0.parquet":     false,
		"/la=ke/t/date=2025-04-01/part-0.parquet":    false,
		"/lake/t/date=2025-04-01/p=art-0.parquet":    false,
		"/lake/t/part-0.parquet":                     false,
		"/lake/t/x/date=2025-04-01/y/part-0.parquet": false,
	} {
		if got := hiveLayout(cols, []string{"date"}, adds, []string{path}); got != want {
			t.Errorf("hiveLayout(%s) = %v, want %v", path, got, want)
		}
	}
	if hiveLayout(cols, []string{"date"}, []*delta.Add{{PartitionValues: map[string]*string{"date": nil}}}, []string{"/t/date=__HIVE_DEFAULT_PARTITION__/f"}) {
		t.Error("a null partition value read through Hive folders")
	}
}

// TestConcurrentQueries runs statements from several goroutines while a
// load commits, as the console does (run with -race).
func TestConcurrentQueries(t *testing.T) {
	lk, _ := newFolderLake(t)
	putSeed(t, lk.Store, "products.csv", "orders/orders_2025_04_01.csv")
	runPipeline(t, lk)
	e := openEngine(t, lk, Options{RecheckInterval: -1})
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				_, rows, err := tryCollect(e, "SELECT count(*) FROM orders JOIN products ON true LIMIT 1")
				if err == nil && len(rows) != 1 {
					err = fmt.Errorf("rows %v", rows)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	putSeed(t, lk.Store, "orders/orders_2025_04_02.csv")
	runPipeline(t, lk)
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := count(t, e, "SELECT count(*) FROM orders"); got != 1000 {
		t.Fatalf("%d orders after the concurrent load", got)
	}
}

package duck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/delta"
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

type evolvedOld struct {
	A *int64 `parquet:"a,optional"`
}

type evolvedNew struct {
	A *int64  `parquet:"a,optional"`
	B *string `parquet:"b,optional"`
	C *string `parquet:"c,optional"`
}

// TestColumnsFromStatsOrFooters: the view learns which columns the data
// files hold from the add actions' statistics when they show every column,
// and from the files' footers when they do not (no stats; a column added
// to the schema that no file has yet, or that only files without stats
// have) or when the stats name a column no file has. A column no file
// holds reads as NULL.
func TestColumnsFromStatsOrFooters(t *testing.T) {
	ctx := context.Background()
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	field := func(name, typ string) string {
		return `{"name":"` + name + `","type":"` + typ + `","nullable":true,"metadata":{}}`
	}
	abc := `{"type":"struct","fields":[` + field("a", "long") + "," + field("b", "string") + "," + field("c", "string") + `]}`
	abcd := strings.TrimSuffix(abc, "]}") + "," + field("d", "string") + "]}"
	for _, tc := range []struct {
		name               string
		schema             string
		oldStats, newStats string
		fromStats          bool
		want               string
	}{
		{"stats show every column", abc, `{"numRecords":1,"nullCount":{"a":0}}`, `{"numRecords":1,"nullCount":{"a":0,"b":0,"c":1}}`, true,
			"[[1 <nil> <nil>] [2 two <nil>]]"},
		{"a column in no file's stats", abcd, `{"numRecords":1,"nullCount":{"a":0}}`, `{"numRecords":1,"nullCount":{"a":0,"b":0,"c":1}}`, false,
			"[[1 <nil> <nil> <nil>] [2 two <nil> <nil>]]"},
		{"no stats", abcd, "", "", false, "[[1 <nil> <nil> <nil>] [2 two <nil> <nil>]]"},
		{"columns only in a file without stats", abc, `{"numRecords":1,"nullCount":{"a":0}}`, "", false,
			"[[1 <nil> <nil>] [2 two <nil>]]"},
		{"stats name a column no file has", abcd, `{"numRecords":1,"nullCount":{"a":0}}`, `{"numRecords":1,"nullCount":{"a":0,"b":0,"c":1,"d":1}}`, true,
			"[[1 <nil> <nil> <nil>] [2 two <nil> <nil>]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lk, dir := newFolderLake(t)
			root := filepath.Join(dir, "t")
			writeParquet(t, filepath.Join(root, "old.parquet"), []evolvedOld{{A: n(1)}})
			writeParquet(t, filepath.Join(root, "new.parquet"), []evolvedNew{{A: n(2), B: s("two")}})
			actions := []delta.Action{
				{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
				{MetaData: &delta.Metadata{ID: "t", Format: delta.Format{Provider: "parquet"}, SchemaString: tc.schema}},
				{Add: &delta.Add{Path: "old.parquet", PartitionValues: map[string]*string{}, DataChange: true, Stats: tc.oldStats}},
				{Add: &delta.Add{Path: "new.parquet", PartitionValues: map[string]*string{}, DataChange: true, Stats: tc.newStats}},
			}
			commit, err := delta.EncodeCommit(actions)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, delta.LogDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, delta.LogDir, delta.CommitName(0)), commit, 0o644); err != nil {
				t.Fatal(err)
			}
			snap, err := delta.NewTable(lk.Store, "t").Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cols, err := viewColumns(snap)
			if err != nil {
				t.Fatal(err)
			}
			groups, err := fileGroups(snap, cols, []string{"old", "new"})
			if err != nil {
				t.Fatal(err)
			}
			if _, known := statsColumns(cols, groups[0].mapping, snap.Files()); known != tc.fromStats {
				t.Fatalf("columns known from stats: %v, want %v", known, tc.fromStats)
			}
			e := openEngine(t, lk, Options{UnsafeFileAccess: true}) // the table is not one of the lake's
			if err := e.createView(ctx, "evolved", snap); err != nil {
				t.Fatal(err)
			}
			if _, rows := collect(t, e, "SELECT * FROM evolved ORDER BY a"); fmt.Sprint(rows) != tc.want {
				t.Fatalf("rows %v, want %s", rows, tc.want)
			}
		})
	}
}

type orderAB struct {
	A *int64  `parquet:"a,optional"`
	B *string `parquet:"b,optional"`
}

type orderBA struct {
	B *string `parquet:"b,optional"`
	A *int64  `parquet:"a,optional"`
}

// TestFilesReadByPositionOnlyWhenAlike: data files whose footers show the
// same columns in the same order are read by position (no union_by_name);
// files that hold the same columns in another order are unified by name,
// and every value lands in its column.
func TestFilesReadByPositionOnlyWhenAlike(t *testing.T) {
	ctx := context.Background()
	n := func(v int64) *int64 { return &v }
	s := func(v string) *string { return &v }
	schema := `{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}},{"name":"b","type":"string","nullable":true,"metadata":{}}]}`
	for _, tc := range []struct {
		name     string
		write    func(root string)
		byName   bool
		wantRows string
	}{
		{"same order", func(root string) {
			writeParquet(t, filepath.Join(root, "1.parquet"), []orderAB{{A: n(1), B: s("one")}})
			writeParquet(t, filepath.Join(root, "2.parquet"), []orderAB{{A: n(2), B: s("two")}})
		}, false, "[[1 one] [2 two]]"},
		{"other order", func(root string) {
			writeParquet(t, filepath.Join(root, "1.parquet"), []orderAB{{A: n(1), B: s("one")}})
			writeParquet(t, filepath.Join(root, "2.parquet"), []orderBA{{A: n(2), B: s("two")}})
		}, true, "[[1 one] [2 two]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lk, dir := newFolderLake(t)
			root := filepath.Join(dir, "t")
			tc.write(root)
			commit, err := delta.EncodeCommit([]delta.Action{
				{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
				{MetaData: &delta.Metadata{ID: "t", Format: delta.Format{Provider: "parquet"}, SchemaString: schema}},
				{Add: &delta.Add{Path: "1.parquet", PartitionValues: map[string]*string{}, DataChange: true}},
				{Add: &delta.Add{Path: "2.parquet", PartitionValues: map[string]*string{}, DataChange: true}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, delta.LogDir), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, delta.LogDir, delta.CommitName(0)), commit, 0o644); err != nil {
				t.Fatal(err)
			}
			snap, err := delta.NewTable(lk.Store, "t").Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			e := openEngine(t, lk, Options{UnsafeFileAccess: true}) // the table is not one of the lake's
			if err := e.createView(ctx, "alike", snap); err != nil {
				t.Fatal(err)
			}
			_, rows := collect(t, e, "SELECT sql FROM duckdb_views() WHERE view_name = 'alike'")
			if byName := strings.Contains(fmt.Sprint(rows), "union_by_name"); byName != tc.byName {
				t.Fatalf("union_by_name in the view: %v, want %v\n%v", byName, tc.byName, rows)
			}
			if _, rows := collect(t, e, "SELECT a, b FROM alike ORDER BY a"); fmt.Sprint(rows) != tc.wantRows {
				t.Fatalf("rows %v, want %s", rows, tc.wantRows)
			}
		})
	}
}

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// querySeedLake is a folder lake loaded from the seed by `lakeops run`.
// With files, only those seed files (relative to testdata/seed) are loaded.
func querySeedLake(t *testing.T, files ...string) string {
	t.Helper()
	lake := t.TempDir()
	addSeedFiles(t, lake, files...)
	return lake
}

// addSeedFiles copies seed files (all when none is named) into the lake's
// bronze layer and runs the pipeline on them.
func addSeedFiles(t *testing.T, lake string, files ...string) {
	t.Helper()
	const seed = "../../testdata/seed"
	if len(files) == 0 {
		err := filepath.WalkDir(seed, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".csv") {
				rel, _ := filepath.Rel(seed, p)
				files = append(files, rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(seed, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(lake, "bronze_layer", f), string(b))
	}
	if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
}

func TestQueryCountCSV(t *testing.T) {
	lake := querySeedLake(t)
	out, stderr, code := run(t, "--lake", lake, "query", "--format", "csv", "SELECT count(*) FROM order_items")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[1] != "40803" {
		t.Fatalf("output:\n%s", out)
	}
	if stderr != "" {
		t.Errorf("stderr in csv format: %q", stderr)
	}
	// A join across the three tables, as JSON lines; the departments add
	// up to every item.
	out, stderr, code = run(t, "--lake", lake, "query", "--format", "jsonl", `SELECT p.department, count(*) AS items, sum(o.total_amount) AS amount
		FROM order_items i JOIN orders o USING (order_id) JOIN products p ON p.product_id = i.product_id GROUP BY ALL ORDER BY 1`)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var total float64
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if _, ok := obj["amount"].(float64); !ok {
			t.Errorf("amount %T, want a JSON number: %s", obj["amount"], line)
		}
		total += obj["items"].(float64)
	}
	if total != 40803 {
		t.Fatalf("items over departments: %v\n%s", total, out)
	}
}

func TestQueryTableFormatAndErrors(t *testing.T) {
	lake := querySeedLake(t, "products.csv")
	out, stderr, code := run(t, "--lake", lake, "query", "SELECT 'a' || chr(27) || '[31m' AS x, 1234 AS n, NULL AS z UNION ALL SELECT 'bb', 5, 'q' ORDER BY n DESC")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "x             n  z\n---------  ----  ----\n" + `a\x1b[31m` + "  1234  NULL\nbb            5  q\n"
	if out != want {
		t.Fatalf("table output:\n%q\nwant\n%q", out, want)
	}
	if !strings.HasPrefix(stderr, "2 rows in ") {
		t.Errorf("stderr %q", stderr)
	}
	// SQL errors: exit 1, DuckDB's message with its caret still under
	// the place in the quoted SQL.
	_, stderr, code = run(t, "--lake", lake, "query", "SELECT * FROM nope")
	if code != ExitFail || !strings.Contains(stderr, "Table with name nope does not exist") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if n := len(lines); n < 3 || !strings.Contains(lines[n-2], "LINE 1: SELECT * FROM nope") ||
		strings.Index(lines[n-1], "^") != strings.Index(lines[n-2], "nope") {
		t.Fatalf("the caret does not point at nope:\n%s", stderr)
	}
	for _, args := range [][]string{{"query"}, {"query", "--format", "xml", "SELECT 1"}, {"query", "--engine", "spark", "SELECT 1"}} {
		if _, stderr, code := run(t, append([]string{"--lake", lake}, args...)...); code != ExitUsage {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
}

func TestQueryTimeTravel(t *testing.T) {
	lake := querySeedLake(t, "products.csv", "orders/orders_2025_04_01.csv")
	addSeedFiles(t, lake, "orders/orders_2025_04_02.csv")
	out, stderr, code := run(t, "--lake", lake, "query", "--format", "csv", "SELECT (SELECT count(*) FROM orders@v1) AS v1, (SELECT count(*) FROM orders) AS latest")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if out != "v1,latest\n500,1000\n" {
		t.Fatalf("output %q", out)
	}
}

func TestTableLs(t *testing.T) {
	lake := querySeedLake(t)
	out, stderr, code := run(t, "--lake", lake, "table", "ls")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("output:\n%s", out)
	}
	var items []string
	for _, l := range lines {
		if strings.HasPrefix(l, "order_items ") {
			items = strings.Fields(l)
		}
	}
	// NAME VERSION FILES ROWS SIZE(2 fields) PARTITIONS LAST_COMMIT(date and time) LOCATION
	if len(items) != 10 || items[2] != "15" || items[3] != "40,803" || items[6] != "date" || len(items[8]) != len("15:04:05") ||
		!strings.HasSuffix(items[9], "silver_layer/order_items") {
		t.Fatalf("order_items line %q in\n%s", items, out)
	}
	out, _, code = run(t, "--lake", lake, "table", "ls", "--format", "jsonl")
	if code != ExitOK {
		t.Fatalf("jsonl: exit %d", code)
	}
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var s tableSummary
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s.Name)
		if s.Name == "rejected_orders" && (s.Rows == nil || *s.Rows != 0 || s.Files != 0 || s.LastCommit.IsZero()) {
			t.Errorf("rejected_orders: %+v", s)
		}
	}
	if strings.Join(names, " ") != "products orders order_items rejected_products rejected_orders rejected_order_items ingest_log" {
		t.Fatalf("tables %v", names)
	}
	// A lake without tables lists none.
	empty := t.TempDir()
	if out, stderr, code := run(t, "--lake", empty, "table", "ls"); code != ExitOK || strings.Count(out, "\n") != 1 {
		t.Fatalf("empty lake: exit %d %q %s", code, out, stderr)
	}
}

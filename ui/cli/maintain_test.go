package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maintenanceLake loads four days of orders, one raw file a run, so that
// the orders table has several small files per partition and a MERGE
// that rewrote one.
func maintenanceLake(t *testing.T) (lake, orders string) {
	t.Helper()
	lake = t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\n")
	for r := 0; r < 4; r++ {
		csv := "order_num,order_id,user_id,order_timestamp,total_amount,date\n"
		for i := 0; i < 6; i++ {
			id := 100*r + i
			csv += fmt.Sprintf("%d,%d,%d,2025-04-0%dT10:00:00,%d.50,2025-04-0%d\n", id, id, i, 1+i%2, id, 1+i%2)
		}
		if r > 0 {
			csv += "0,0,0,2025-04-01T10:00:00,99.00,2025-04-01\n" // an update of the first order
		}
		writeFile(t, filepath.Join(lake, fmt.Sprintf("bronze_layer/orders/orders_%d.csv", r)), csv)
		if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
			t.Fatalf("run %d: exit %d: %s", r, code, stderr)
		}
	}
	return lake, filepath.Join(lake, "silver_layer/orders")
}

func TestTableMaintenanceCommands(t *testing.T) {
	_, orders := maintenanceLake(t)
	read := func() string {
		out, stderr, code := run(t, "table", "read", orders)
		if code != ExitOK {
			t.Fatalf("table read: exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		slices.Sort(lines[1:])
		return strings.Join(lines, "\n")
	}
	before := read()

	out, stderr, code := run(t, "table", "optimize", orders, "--target-size", "64")
	if code != ExitOK || !strings.Contains(out, "packed") || !strings.Contains(out, "into 2 ") {
		t.Fatalf("optimize: exit %d\n%s%s", code, out, stderr)
	}
	if after := read(); after != before {
		t.Fatalf("optimize changed the rows:\n%s\nbefore\n%s", after, before)
	}
	out, _, code = run(t, "table", "optimize", orders)
	if code != ExitOK || !strings.Contains(out, "nothing to pack") {
		t.Fatalf("second optimize: exit %d: %s", code, out)
	}
	out, _, _ = run(t, "table", "history", orders, "--limit", "1")
	if !strings.Contains(out, "OPTIMIZE") {
		t.Fatalf("history:\n%s", out)
	}

	// Everything just removed is inside the default retention (7 days).
	out, _, code = run(t, "table", "vacuum", orders, "--dry-run")
	if code != ExitOK || !strings.Contains(out, "would delete 0 files") || !strings.Contains(out, "retention interval 7 days") {
		t.Fatalf("vacuum --dry-run: exit %d: %s", code, out)
	}
	_, stderr, code = run(t, "table", "vacuum", orders, "--retain", "0")
	if code != ExitFail || !strings.Contains(stderr, "--force") || !strings.Contains(stderr, "delta.deletedFileRetentionDuration") {
		t.Fatalf("vacuum --retain 0 without --force: exit %d: %s", code, stderr)
	}
	out, _, code = run(t, "table", "vacuum", orders, "--retain", "0", "--force", "--dry-run")
	dryFiles := strings.Count(out, "would delete date=")
	if code != ExitOK || dryFiles < 4 {
		t.Fatalf("forced dry run: exit %d: %s", code, out)
	}
	out, stderr, code = run(t, "table", "vacuum", orders, "--retain", "0", "--force")
	if code != ExitOK || strings.Count(out, "deleted date=") != dryFiles {
		t.Fatalf("forced vacuum: exit %d: %s%s (dry run listed %d)", code, out, stderr, dryFiles)
	}
	if after := read(); after != before {
		t.Fatal("vacuum changed the rows")
	}
	_, stderr, code = run(t, "table", "read", orders, "--version", "1")
	if code != ExitFail || !strings.Contains(stderr, "data file") {
		t.Fatalf("version 1 after a forced vacuum: exit %d: %s", code, stderr)
	}

	out, _, code = run(t, "table", "clean-log", orders, "--dry-run")
	if code != ExitOK || !strings.Contains(out, "would delete 0 log files") || !strings.Contains(out, "interval 30 days") {
		t.Fatalf("clean-log: exit %d: %s", code, out)
	}
	out, _, code = run(t, "table", "set-property", orders, "lakeops.parquet.encodings=delta", "delta.logRetentionDuration=interval 60 days")
	if code != ExitOK || !strings.Contains(out, "set lakeops.parquet.encodings=delta") {
		t.Fatalf("set-property: exit %d: %s", code, out)
	}
	out, _, _ = run(t, "table", "clean-log", orders, "--dry-run")
	if !strings.Contains(out, "interval 60 days") {
		t.Fatalf("clean-log after setting the retention: %s", out)
	}
	_, stderr, code = run(t, "table", "set-property", orders, "lakeops.parquet.encodings=fastest")
	if code != ExitFail || !strings.Contains(stderr, "lakeops.parquet.encodings") {
		t.Fatalf("bad property value: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"vacuum"}, {"optimize", orders, "extra"}, {"vacuum", orders, "--retain", "-2"}, {"set-property", orders}, {"optimize", orders, "--target-size", "0"}} {
		if _, _, code := run(t, append([]string{"table"}, args...)...); code != ExitUsage {
			t.Errorf("table %v: exit %d, want a usage error", args, code)
		}
	}
}

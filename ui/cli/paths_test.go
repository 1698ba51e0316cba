package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathsAndKeysAreNotConfused: a file on disk where a lake key is
// expected, a lake key where a URI is expected, and an S3 URI where a folder
// is expected each get one line saying what to give instead.
func TestPathsAndKeysAreNotConfused(t *testing.T) {
	lake := t.TempDir()
	if err := os.MkdirAll(filepath.Join(lake, "gold", "daily"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "orders_2025_04_16.csv")
	writeFile(t, outside, "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,100,7,2025-04-16T10:00:00,10.50,2025-04-16\n")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--lake", lake, "run", outside}, []string{"is a file on disk outside the lake", "bronze_layer/", "lakeops validate " + outside}},
		{[]string{"--lake", "s3://bucket/lake", "run", outside}, []string{"is a path on disk, but the lake is s3://bucket/lake", "s3://bucket/lake/bronze_layer/", "lakeops validate"}},
		{[]string{"--lake", "s3://bucket/lake", "rejects", "--file", "./orders.csv"}, []string{"is a path on disk"}},
		{[]string{"--lake", "s3://bucket/lake", "table", "read", "silver_layer/orders"}, []string{"no folder on disk", "s3://bucket/lake/silver_layer/orders"}},
		{[]string{"--lake", lake, "table", "read", "gold/daily"}, []string{"no folder here", filepath.Join(lake, "gold", "daily")}},
		{[]string{"--lake", "file://" + lake, "table", "read", "gold/daily"}, []string{"no folder here", filepath.Join(lake, "gold", "daily")}},
		{[]string{"gen", "--out", "s3://bucket/lake/bronze_layer"}, []string{"lakeops gen: writes to a folder on disk"}},
		{[]string{"--lake", lake, "run", "/no/such/file.csv"}, []string{"does not exist on disk", "relative"}},
		{[]string{"--lake", "s3://bucket/lake", "demo", "--no-console"}, []string{"a demo lake is a folder on disk, not s3://bucket/lake"}},
	} {
		_, stderr, code := run(t, c.args...)
		if code != ExitUsage || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: %q does not say %q", c.args, stderr, w)
			}
		}
	}
	// A table path that is no folder anywhere, relative or absolute, says so
	// (a failure, not a usage error) with an example under the lake.
	for _, arg := range []string{"no/such/table", filepath.Join(lake, "no", "such")} {
		_, stderr, code := run(t, "--lake", lake, "table", "history", arg)
		if code != ExitFail || !strings.Contains(stderr, arg+": no such table folder") || !strings.Contains(stderr, lake+"/silver_layer/orders") {
			t.Errorf("table history %s: exit %d, stderr %q", arg, code, stderr)
		}
	}
	// A path inside a folder lake is its key.
	inside := filepath.Join(lake, "bronze_layer", "orders", "orders_2025_04_16.csv")
	writeFile(t, inside, "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,100,7,2025-04-16T10:00:00,10.50,2025-04-16\n")
	out, stderr, code := run(t, "--lake", lake, "run", "--json", "--quiet", inside)
	if code != ExitOK || !strings.Contains(out, `"file": "bronze_layer/orders/orders_2025_04_16.csv"`) {
		t.Errorf("a path inside the lake: exit %d %s\n%s", code, stderr, out)
	}
}

// TestEmptyLakeSaysWhatToDoNext: a missing lake and a lake without raw
// files are told how to get one; a lake with nothing new says so.
func TestEmptyLakeSaysWhatToDoNext(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "lake")
	for _, args := range [][]string{{"--lake", missing, "run"}, {"--lake", missing, "console"}, {"--lake", missing, "table", "ls"}} {
		_, stderr, code := run(t, args...)
		if code != ExitFail || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d %q", args, code, stderr)
		}
		for _, w := range []string{"does not exist", "lakeops demo", "lakeops gen --out " + missing + "/bronze_layer", "--use"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: %q does not say %q", args, stderr, w)
			}
		}
	}
	empty := t.TempDir()
	out, stderr, code := run(t, "--lake", empty, "run", "--json")
	if code != ExitOK || !strings.Contains(out, `"files": []`) {
		t.Fatalf("empty lake: exit %d %s\n%s", code, stderr, out)
	}
	for _, w := range []string{"no raw files", empty + "/bronze_layer/", "lakeops gen --out", "lakeops demo"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("empty lake: stderr %q does not say %q", stderr, w)
		}
	}
	writeFile(t, filepath.Join(empty, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\n")
	if _, _, code := run(t, "--lake", empty, "run", "--quiet"); code != ExitOK {
		t.Fatal("first run failed")
	}
	_, stderr, code = run(t, "--lake", empty, "run", "--quiet")
	if code != ExitOK || !strings.Contains(stderr, "nothing new to load") || !strings.Contains(stderr, "--force") {
		t.Errorf("nothing new: exit %d %q", code, stderr)
	}
}

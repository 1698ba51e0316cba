package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRunJSONContractAndExitStatus(t *testing.T) {
	lake := t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\n1,4,Books,A\nx,4,Books,B\n")
	out, stderr, code := run(t, "--lake", lake, "run", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	files := sum["files"].([]any)
	f := files[0].(map[string]any)
	for _, k := range []string{"file", "dataset", "status", "rows_read", "accepted", "rejected", "inserted", "updated", "unchanged", "rejected_by_reason", "error", "unchanged_since"} {
		if _, ok := f[k]; !ok {
			t.Errorf("file result lacks %q: %v", k, f)
		}
	}
	if f["status"] != "succeeded" || f["rows_read"] != 3.0 || f["accepted"] != 1.0 || f["rejected"] != 2.0 {
		t.Fatalf("result %v", f)
	}
	reasons := f["rejected_by_reason"].(map[string]any)
	if reasons["duplicate"] != 1.0 || reasons["type:product_id"] != 1.0 {
		t.Fatalf("reasons %v", reasons)
	}
	totals := sum["totals"].(map[string]any)
	if totals["rows_read"] != 3.0 || sum["run_id"] == "" {
		t.Fatalf("summary %v", sum)
	}
	if !strings.Contains(stderr, "products.csv") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	// Forced again, the file is as its load left it: unchanged_since names
	// that load; with --recheck every row is checked and it is empty.
	for _, recheck := range []bool{false, true} {
		args := []string{"--lake", lake, "run", "--json", "--quiet", "--force", "bronze_layer/products.csv"}
		if recheck {
			args = append(args, "--recheck")
		}
		out, _, code := run(t, args...)
		var forced struct {
			Files []struct {
				Unchanged      int64  `json:"unchanged"`
				UnchangedSince string `json:"unchanged_since"`
			} `json:"files"`
		}
		if err := json.Unmarshal([]byte(out), &forced); code != ExitOK || err != nil || len(forced.Files) != 1 || forced.Files[0].Unchanged != 1 {
			t.Fatalf("forced run (recheck %v): exit %d %v\n%s", recheck, code, err, out)
		}
		if since := forced.Files[0].UnchangedSince; recheck && since != "" || !recheck && since != sum["run_id"] {
			t.Fatalf("forced run (recheck %v): unchanged_since %q, the load was %v", recheck, since, sum["run_id"])
		}
	}
	// A failed file gives exit status 1 and still a JSON summary.
	writeFile(t, filepath.Join(lake, "bronze_layer/orders/orders_x.csv"), "order_id\n1\n")
	out, _, code = run(t, "--lake", lake, "run", "--json", "--quiet")
	if code != ExitFail || !strings.Contains(out, "lacks required column") {
		t.Fatalf("failed file: exit %d\n%s", code, out)
	}
	// Rejects are listed with file, line and reasons: one JSON array, the
	// shape the console's export writes.
	out, _, code = run(t, "--lake", lake, "rejects", "--format", "json")
	var rejected []struct {
		Dataset, File string
		Line          int64
		Reasons       []string
	}
	if err := json.Unmarshal([]byte(out), &rejected); code != ExitOK || err != nil || len(rejected) != 2 ||
		rejected[0].Line != 2 || rejected[1].Line != 4 || rejected[1].Reasons[0] != "type:product_id" {
		t.Fatalf("rejects: exit %d %v\n%s", code, err, out)
	}
	// The CSV guards formula cells (a raw record starting with "=").
	writeFile(t, filepath.Join(lake, "bronze_layer/products_formula.csv"), "product_id,department_id,department,product_name\n=1+1,4,Books,x\n")
	if _, _, code = run(t, "--lake", lake, "run", "--quiet"); code != ExitFail { // orders_x.csv still fails
		t.Fatalf("run: exit %d", code)
	}
	out, _, code = run(t, "--lake", lake, "rejects", "--format", "csv", "--file", "bronze_layer/products_formula.csv")
	if code != ExitOK || !strings.Contains(out, `,"'=1+1,4,Books,x"`+"\n") {
		t.Fatalf("rejects csv: exit %d\n%s", code, out)
	}
	// --read-only refuses to run.
	_, stderr, code = run(t, "--lake", lake, "--read-only", "run", "--force")
	if code != ExitFail || !strings.Contains(stderr, "read-only") {
		t.Fatalf("read-only: exit %d %s", code, stderr)
	}
}

func TestValidateWritesNothing(t *testing.T) {
	lake := t.TempDir()
	src := filepath.Join(t.TempDir(), "order_items_1.csv")
	writeFile(t, src, "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n"+
		"1,100,7,,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
	out, stderr, code := run(t, "--lake", lake, "validate", "--json", src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `"reference:order_id": 1`) || !strings.Contains(out, `"reference:product_id": 1`) {
		t.Fatalf("validate output:\n%s", out)
	}
	entries, _ := os.ReadDir(lake)
	if len(entries) != 0 {
		t.Fatalf("validate wrote into the lake: %v", entries)
	}
}

// TestValidateWithoutALake: files on disk are validated when no lake is
// there (references against empty tables, said on stderr), named by the
// path given, and no lake is made.
func TestValidateWithoutALake(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-lake")
	src := filepath.Join(t.TempDir(), "orders_1.csv")
	writeFile(t, src, "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,2,3,2025-04-01T10:00:00,10.00,2025-04-01\n1,x,3,2025-04-01T10:00:00,10.00,2025-04-01\n")
	out, stderr, code := run(t, "--lake", missing, "validate", "--json", src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "no lake at "+missing) {
		t.Errorf("stderr does not say there is no lake: %q", stderr)
	}
	if !strings.Contains(out, `"file": "`+src+`"`) || !strings.Contains(out, `"type:order_id": 1`) {
		t.Errorf("validate output:\n%s", out)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("validate made the lake %s", missing)
	}
}

// TestValidateAFolder: a folder, on disk or in the lake, stands for the raw
// files under it, as with run; one holding none is an error naming it.
func TestValidateAFolder(t *testing.T) {
	lake := t.TempDir()
	orders := "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,2,3,2025-04-01T10:00:00,10.00,2025-04-01\n"
	writeFile(t, filepath.Join(lake, "bronze_layer/orders/a/orders_1.csv"), orders)
	disk := t.TempDir()
	writeFile(t, filepath.Join(disk, "x/orders_2.csv"), orders)
	writeFile(t, filepath.Join(disk, "x/notes.txt"), "not raw")
	for _, c := range []struct{ arg, want string }{
		{"bronze_layer/orders", `"file": "bronze_layer/orders/a/orders_1.csv"`},
		{disk, `"file": "` + filepath.Join(disk, "x/orders_2.csv") + `"`},
	} {
		out, stderr, code := run(t, "--lake", lake, "validate", "--json", c.arg)
		if code != ExitOK || !strings.Contains(out, c.want) || strings.Contains(out, "notes.txt") {
			t.Errorf("validate %s: exit %d, stderr %q, output\n%s", c.arg, code, stderr, out)
		}
	}
	empty := t.TempDir()
	if _, stderr, code := run(t, "--lake", lake, "validate", empty); code == ExitOK || !strings.Contains(stderr, empty+": no raw file") {
		t.Errorf("an empty folder: exit %d, %q", code, stderr)
	}
}

func TestRunOnS3ThroughTheCLI(t *testing.T) {
	srv := gwtest.Start(t)
	store := srv.NewStore(t, "lakes/demo")
	for _, name := range []string{"products.csv", "orders/orders_2025_04_01.csv", "order_items/order_items_2025_04_01.csv"} {
		f, err := os.Open(filepath.Join("../../testdata/seed", name))
		if err != nil {
			t.Fatal(err)
		}
		err = store.Put(context.Background(), "bronze_layer/"+name, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	uri := "s3://" + srv.Bucket + "/lakes/demo"
	out, stderr, code := run(t, "--lake", uri, "--endpoint-url", srv.Endpoint, "run", "--json", "--quiet")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum struct {
		Totals struct {
			Accepted, Rejected int
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Totals.Accepted != 1000+500+2768 || sum.Totals.Rejected != 0 {
		t.Fatalf("summary %+v (%v)\n%s", sum, err, out)
	}
	out, _, code = run(t, "--endpoint-url", srv.Endpoint, "table", "read", uri+"/silver_layer/orders")
	if code != ExitOK || strings.Count(out, "\n") != 501 {
		t.Fatalf("table read: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	if strings.Contains(out+stderr, srv.SecretKey) {
		t.Fatal("secret printed")
	}
}

func TestTableRegisterLocalCatalog(t *testing.T) {
	lake := t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/orders/orders_1.csv"), "order_num,order_id,user_id,order_timestamp,total_amount,date\n1,100,7,2025-04-01T10:00:00,10.50,2025-04-01\n")
	if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
		t.Fatalf("run: %s", stderr)
	}
	out, stderr, code := run(t, "--lake", lake, "table", "register")
	if code != ExitOK || !strings.Contains(out, "registered orders") {
		t.Fatalf("register: exit %d %s %s", code, out, stderr)
	}
	b, err := os.ReadFile(filepath.Join(lake, "_lakeops/catalog/orders.json"))
	if err != nil || !strings.Contains(string(b), `"table_type": "DELTA"`) && !strings.Contains(string(b), `"table_type":"DELTA"`) || !strings.Contains(string(b), "decimal(12,2)") {
		t.Fatalf("catalog entry: %v\n%s", err, b)
	}
	if _, stderr, code := run(t, "--lake", lake, "--read-only", "table", "register"); code != ExitFail || !strings.Contains(stderr, "read-only") {
		t.Fatalf("read-only register: exit %d %s", code, stderr)
	}
}

func TestLimitsGiveClearErrors(t *testing.T) {
	lake := t.TempDir()
	header := "product_id,department_id,department,product_name\n"
	big := strings.Repeat("x", 3<<20) // a 3 MiB field
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), header+"1,4,Books,"+big+"\n2,4,Books,B\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(header))
	for i := 0; i < 200000; i++ { // ~6 MB decompressed from a few KB
		zw.Write([]byte("3,4,Toys,AAAAAAAAAAAAAAAAAAAAAA\n"))
	}
	zw.Close()
	writeFile(t, filepath.Join(lake, "bronze_layer/products_bomb.csv.gz"), gz.String())
	out, _, code := run(t, "--lake", lake, "run", "--json", "--quiet", "--max-decompressed-bytes", "1000000")
	if code != ExitFail {
		t.Fatalf("exit %d, want 1 (the bomb fails)\n%s", code, out)
	}
	var sum struct {
		Files []struct {
			File, Status, Error string
			Accepted, Rejected  int
			Reasons             map[string]int `json:"rejected_by_reason"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		switch {
		case strings.HasSuffix(f.File, "products.csv"):
			if f.Status != "succeeded" || f.Accepted != 1 || f.Reasons["malformed"] != 1 {
				t.Errorf("3 MiB field: %+v", f)
			}
		case strings.HasSuffix(f.File, ".gz"):
			if f.Status != "failed" || !strings.Contains(f.Error, "decompressed size exceeds") || !strings.Contains(f.Error, "products_bomb.csv.gz") {
				t.Errorf("gzip bomb: %+v", f)
			}
		}
	}
}

// A folder named to run stands for every raw file under it; a folder
// without any is an error naming it.
func TestRunAFolder(t *testing.T) {
	lake := t.TempDir()
	for _, day := range []string{"01", "02"} {
		writeFile(t, filepath.Join(lake, "bronze_layer/orders/2025/orders_2025_04_"+day+".csv"),
			"order_num,order_id,user_id,order_timestamp,total_amount,date\n1,1"+day+",7,2025-04-"+day+"T10:00:00,10.00,2025-04-"+day+"\n")
	}
	writeFile(t, filepath.Join(lake, "bronze_layer/orders/notes.txt"), "not a raw file\n")
	out, stderr, code := run(t, "--lake", lake, "run", "--json", "--quiet", "bronze_layer/orders")
	var sum struct {
		Files []struct{ File, Status string } `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &sum); code != ExitOK || err != nil || len(sum.Files) != 2 ||
		sum.Files[0].File != "bronze_layer/orders/2025/orders_2025_04_01.csv" || sum.Files[1].Status != "succeeded" {
		t.Fatalf("exit %d %v: %s\n%s", code, err, out, stderr)
	}
	if _, stderr, code := run(t, "--lake", lake, "run", "bronze_layer/products"); code == ExitOK || !strings.Contains(stderr, "bronze_layer/products: no raw file") {
		t.Fatalf("a folder without raw files: exit %d: %s", code, stderr)
	}
}

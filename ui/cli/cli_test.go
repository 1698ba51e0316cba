package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
	"github.com/lakeops/lakeops/etl/delta"
)

const golden = "../../testdata/delta-conformance/golden"

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return out.String(), errb.String(), code
}

func TestTableReadCSV(t *testing.T) {
	out, stderr, code := run(t, "table", "read", filepath.Join(golden, "basic-decimal-table/delta"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "part,col1,col2,col3" || len(lines) != 5 {
		t.Fatalf("output:\n%s", out)
	}
	// Decimals as plain text at the column's scale, partition values included.
	for _, want := range []string{"-2342342.23423,-999.99,-99999.99999,-9999999999.9999999999", "0.00004,0.00,0.00000,0.0000000000"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("missing row %q in:\n%s", want, out)
		}
	}
}

func TestTableReadJSONLNestedAndTimestamps(t *testing.T) {
	out, stderr, code := run(t, "table", "read", "--format", "jsonl", filepath.Join(golden, "data-reader-map/delta"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("line 1 is not JSON: %v\n%s", err, lines[0])
	}
	if _, ok := first["i"]; !ok {
		t.Fatalf("row has no column i: %s", lines[0])
	}
	out, _, code = run(t, "table", "read", filepath.Join(golden, "kernel-timestamp-int96/delta"), "--format=jsonl")
	if code != ExitOK || !strings.Contains(out, "Z\"") {
		t.Fatalf("timestamps must end in Z: exit %d\n%s", code, out)
	}
}

func TestTableReadNewerEngineFeatures(t *testing.T) {
	// Deletion vectors: 35 of the data files' 37 rows are left.
	out, stderr, code := run(t, "table", "read", filepath.Join(golden, "dv-with-columnmapping/delta"))
	if code != ExitOK || strings.Count(out, "\n") != 36 || !strings.HasPrefix(out, "part,col1,col2\n") {
		t.Fatalf("exit %d (%s), want the logical column names and 35 rows:\n%s", code, stderr, out)
	}
	// timestamp_ntz prints without a zone.
	out, stderr, code = run(t, "table", "read", filepath.Join(golden, "data-reader-timestamp_ntz/delta"), "--format=jsonl")
	if code != ExitOK || !strings.Contains(out, `"tsNtz":"2021-11-18T02:30:00.123456"`) || strings.Contains(out, `Z"`) {
		t.Fatalf("exit %d (%s): timestamp_ntz values must print without Z:\n%s", code, stderr, out)
	}
}

func TestTableReadVersion(t *testing.T) {
	dir := filepath.Join(golden, "time-travel-start-start20-start40/delta")
	for v, want := range map[string]int{"0": 11, "1": 21, "2": 31} {
		out, stderr, code := run(t, "table", "read", dir, "--version", v)
		if code != ExitOK || strings.Count(out, "\n") != want {
			t.Fatalf("version %s: exit %d (%s), %d lines; want %d (header + rows)", v, code, stderr, strings.Count(out, "\n"), want)
		}
	}
	latest, _, _ := run(t, "table", "read", dir)
	if strings.Count(latest, "\n") != 31 {
		t.Fatalf("latest has %d lines, want 31", strings.Count(latest, "\n"))
	}
}

func TestTableHistory(t *testing.T) {
	out, stderr, code := run(t, "table", "history", filepath.Join(golden, "basic-with-inserts-deletes-checkpoint/delta"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 15 || !strings.HasPrefix(lines[1], "13 ") || !strings.Contains(out, "DELETE") {
		t.Fatalf("history:\n%s", out)
	}
}

func TestErrorsAreOneLineWithStatus(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"table", "read", filepath.Join(golden, "deltalog-invalid-protocol-version/delta")}, ExitFail, "reader version 99"},
		{[]string{"table", "read", filepath.Join(golden, "versions-not-contiguous/delta")}, ExitFail, "not contiguous"},
		{[]string{"table", "read", filepath.Join(golden, "no-such-table")}, ExitFail, "no-such-table: no such table folder"},
		{[]string{"table", "read", filepath.Join(golden, "basic-decimal-table/delta"), "--format", "xml"}, ExitUsage, "--format"},
		{[]string{"table", "read", filepath.Join(golden, "basic-decimal-table/delta"), "--version", "9"}, ExitFail, "version 9 is not available"},
		{[]string{"table", "frobnicate"}, ExitUsage, `lakeops table: unknown command "frobnicate"`},
		{[]string{"nosuchcommand"}, ExitUsage, "unknown command"},
		{[]string{"--bogus-flag"}, ExitUsage, "bogus-flag"},
		{[]string{"table", "read", "ftp://example/x"}, ExitFail, "ftp"},
	}
	for _, c := range cases {
		_, stderr, code := run(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with one line containing %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func TestTableReadFromS3(t *testing.T) {
	srv := gwtest.Start(t)
	store := srv.NewStore(t, "tables/decimal")
	src := filepath.Join(golden, "basic-decimal-table/delta")
	storagetest.PutDir(t, store, "", src)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	local, _, _ := run(t, "table", "read", src)
	remote, stderr, code := run(t, "--endpoint-url", srv.Endpoint, "table", "read", "s3://"+srv.Bucket+"/tables/decimal")
	if code != ExitOK || remote != local {
		t.Fatalf("exit %d (%s): S3 output differs from local:\n%s\nvs\n%s", code, stderr, remote, local)
	}
	// And a table written through S3 reads back.
	if _, err := delta.NewTable(store, "").Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, srv.SecretKey) {
		t.Fatal("secret key printed")
	}
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuerySandboxAndReadOnly runs the examples through the real
// command: under --read-only COPY … TO writes nothing and says why; by
// default read_csv of a file outside the lake is refused with the way to
// allow it; --unsafe-sql-file-access allows it; the lake still answers.
func TestQuerySandboxAndReadOnly(t *testing.T) {
	lake := querySeedLake(t, "products.csv")
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.csv")
	writeFile(t, secret, "user,password\nroot,hunter2\n")
	target := filepath.Join(outside, "x.csv")
	before := snapshotTree(t, lake)

	_, stderr, code := run(t, "--read-only", "--lake", lake, "query", "COPY (SELECT 1) TO '"+target+"'")
	if code != ExitFail || !strings.Contains(stderr, "local file access is off") {
		t.Errorf("read-only COPY TO: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = run(t, "--lake", lake, "--read-only", "query", "CREATE TABLE t AS SELECT 1")
	if code != ExitFail || !strings.Contains(stderr, "--read-only runs only statements that read") {
		t.Errorf("read-only CREATE: exit %d, stderr %q", code, stderr)
	}
	out, stderr, code := run(t, "--lake", lake, "query", "--format", "csv", "SELECT * FROM read_csv('"+secret+"')")
	if code != ExitFail || strings.Contains(out, "hunter2") || !strings.Contains(stderr, "--unsafe-sql-file-access") {
		t.Errorf("read_csv outside the lake: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("the refusal is not one line: %q", stderr)
	}
	_, stderr, code = run(t, "--lake", lake, "query", "ATTACH ':memory:' AS other")
	if code != ExitFail || !strings.Contains(stderr, "ATTACH") {
		t.Errorf("ATTACH: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused COPY wrote %s: %v", target, err)
	}
	if after := snapshotTree(t, lake); after != before {
		t.Fatalf("refused statements changed the lake:\nbefore %s\nafter  %s", before, after)
	}

	out, stderr, code = run(t, "--lake", lake, "--read-only", "query", "--format", "csv", "SELECT count(*) AS n FROM products")
	if code != ExitOK || !strings.Contains(out, "n\n") {
		t.Errorf("read-only SELECT: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	out, stderr, code = run(t, "--unsafe-sql-file-access", "--lake", lake, "query", "--format", "csv", "SELECT password FROM read_csv('"+secret+"')")
	if code != ExitOK || !strings.Contains(out, "hunter2") {
		t.Errorf("--unsafe-sql-file-access read_csv: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadOnlyRefusesEveryWritePath runs every command that writes with
// --read-only: each refuses with a clear message and the lake is unchanged.
func TestReadOnlyRefusesEveryWritePath(t *testing.T) {
	lake := t.TempDir()
	b, err := os.ReadFile("../../testdata/seed/products.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), string(b))
	// One failed execution to try stop and redrive on (no orders: the flow fails).
	out, _, _ := run(t, "--lake", lake, "flow", "run", "--no-wait", "--json")
	m := regexp.MustCompile(`arn:aws:states:local:[^"]+:execution:[^"]+`).FindString(out)
	if m == "" {
		t.Fatalf("no execution ARN in:\n%s", out)
	}
	table := filepath.Join(lake, "silver_layer/products")
	if _, stderr, code := run(t, "--lake", lake, "run", "bronze_layer/products.csv"); code != ExitOK {
		t.Fatalf("load products: %s", stderr)
	}
	before := snapshotTree(t, lake)
	for _, args := range [][]string{
		{"run"}, {"run", "--force", "bronze_layer/products.csv"}, {"reprocess"}, {"table", "register"},
		{"flow", "run", "--no-wait"}, {"flow", "start", "--no-wait"}, {"flow", "stop", m}, {"flow", "redrive", m},
		{"table", "vacuum", table}, {"table", "vacuum", table, "--retain", "0", "--force"}, {"table", "optimize", table},
		{"table", "clean-log", table}, {"table", "set-property", table, "owner=ops"},
	} {
		_, stderr, code := run(t, append([]string{"--lake", lake, "--read-only"}, args...)...)
		if code == ExitOK || !strings.Contains(stderr, "read-only") {
			t.Errorf("%v: exit %d, stderr %q; want a read-only refusal", args, code, stderr)
		}
	}
	if after := snapshotTree(t, lake); after != before {
		t.Fatalf("the lake changed under --read-only:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshotTree lists every file with its size.
func snapshotTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			fmt.Fprintf(&b, "%s:%d ", rel, info.Size())
		}
		return nil
	})
	return b.String()
}

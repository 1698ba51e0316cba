package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// The crash tests re-run this test binary as a child that runs the pipeline
// on a store that SIGKILLs its own process at the Nth write.
const (
	envChild  = "LAKEOPS_CRASH_CHILD_LAKE"
	envKillAt = "LAKEOPS_CRASH_KILL_AT"
	envAfter  = "LAKEOPS_CRASH_KILL_AFTER"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envChild); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

// killStore counts writes and kills the process just before or just after
// write number killAt.
type killStore struct {
	storage.Store
	killAt int64
	after  bool
	writes atomic.Int64
}

func (k *killStore) kill() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // wait for the signal
}

func (k *killStore) write(fn func() error) error {
	n := k.writes.Add(1) // writes run concurrently: each keeps its own number
	if n == k.killAt && !k.after {
		k.kill()
	}
	err := fn()
	if n == k.killAt && k.after {
		k.kill()
	}
	return err
}

func (k *killStore) Put(ctx context.Context, key string, body io.Reader) error {
	return k.write(func() error { return k.Store.Put(ctx, key, body) })
}

func (k *killStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	return k.write(func() error { return k.Store.PutIfAbsent(ctx, key, data) })
}

func (k *killStore) Delete(ctx context.Context, key string) error {
	return k.write(func() error { return k.Store.Delete(ctx, key) })
}

func crashChild(dir string) int {
	st, err := childStore(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	killAt, _ := strconv.ParseInt(os.Getenv(envKillAt), 10, 64)
	ks := &killStore{Store: st, killAt: killAt, after: os.Getenv(envAfter) == "1"}
	sum, err := pipeline.Run(context.Background(), lake.New(ks), pipeline.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("writes=%d failed=%v\n", ks.writes.Load(), sum.Failed())
	return 0
}

// runChild runs the pipeline in a child process that dies at write killAt
// (0: never); it returns the child's stdout and whether it was killed.
func runChild(t *testing.T, dir string, killAt int64, after bool) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	a := "0"
	if after {
		a = "1"
	}
	cmd.Env = append(os.Environ(), envChild+"="+dir, envKillAt+"="+strconv.FormatInt(killAt, 10), envAfter+"="+a)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return out.String(), true
		}
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, errb.String())
	}
	return out.String(), false
}

// dumpLake renders everything a run leaves in the tables, minus run ids and
// times: silver rows, rejected rows (file, line, reasons, raw) and the ledger's
// last status per file.
func dumpLake(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	var b strings.Builder
	for _, ds := range []string{"products", "orders", "order_items"} {
		var lines []string
		snap, err := lk.Silver(ds).Snapshot(ctx)
		if err != nil {
			t.Fatalf("silver %s unreadable: %v", ds, err)
		}
		for row, err := range snap.Rows(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = rowfmt.Text(v)
			}
			lines = append(lines, strings.Join(cells, ","))
		}
		rows, err := rejects.Read(ctx, lk, ds, rejects.Filter{})
		if err != nil {
			t.Fatalf("rejects %s unreadable: %v", ds, err)
		}
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf("REJECT %s:%d %v %q", r.File, r.Line, r.Reasons, r.Raw))
		}
		sort.Strings(lines)
		fmt.Fprintf(&b, "== %s (%d)\n%s\n", ds, len(lines), strings.Join(lines, "\n"))
	}
	entries, err := ledger.Open(lk).Entries(ctx)
	if err != nil {
		t.Fatalf("ledger unreadable: %v", err)
	}
	ingested := map[string]bool{}
	for _, e := range entries {
		if e.Status == ledger.StatusSucceeded {
			ingested[e.File] = true
		}
	}
	var files []string
	for f := range ingested {
		files = append(files, f)
	}
	sort.Strings(files)
	fmt.Fprintf(&b, "== ingested\n%s\n", strings.Join(files, "\n"))
	return b.String()
}

// checkReadable opens every Delta table of the lake at its latest version.
func checkReadable(t *testing.T, dir string) {
	t.Helper()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	tables := []*delta.Table{lk.LedgerTable()}
	for _, ds := range []string{"products", "orders", "order_items"} {
		tables = append(tables, lk.Silver(ds), lk.Rejected(ds))
	}
	for _, tb := range tables {
		if _, err := tb.Snapshot(context.Background()); err != nil && !strings.Contains(err.Error(), delta.ErrNotATable.Error()) {
			t.Fatalf("table %s unreadable after a kill: %v", tb.URI(), err)
		}
	}
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKilledRunsEndInTheCleanRunTables(t *testing.T) {
	raw := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 600, Dirty: 0.05, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	clean := t.TempDir()
	copyDir(t, raw, clean)
	out, killed := runChild(t, clean, 0, false)
	if killed {
		t.Fatal("clean child was killed")
	}
	var writes int64
	if _, err := fmt.Sscanf(out, "writes=%d", &writes); err != nil || writes < 10 {
		t.Fatalf("clean run output %q", out)
	}
	want := dumpLake(t, clean)
	// Every write of the run is a kill point, killed just before and just
	// after it: data files, commits, checkpoints, rejects and the ledger.
	for at := int64(1); at <= writes; at++ {
		for _, after := range []bool{false, true} {
			t.Run(fmt.Sprintf("kill-at-write-%d-after-%v", at, after), func(t *testing.T) {
				dir := t.TempDir()
				copyDir(t, raw, dir)
				if _, killed := runChild(t, dir, at, after); !killed {
					t.Fatalf("child was not killed at write %d of %d", at, writes)
				}
				checkReadable(t, dir)
				if _, killed := runChild(t, dir, 0, false); killed {
					t.Fatal("re-run was killed")
				}
				if got := dumpLake(t, dir); got != want {
					t.Fatalf("after a kill at write %d and a re-run, the tables differ from a clean run:\n%s", at, firstDiff(got, want))
				}
			})
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(al), len(bl))
}

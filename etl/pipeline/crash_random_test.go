package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/aws/storage/gwtest"
	"github.com/lakeops/lakeops/aws/storage/s3store"
	"github.com/lakeops/lakeops/aws/storage/storagetest"
	"github.com/lakeops/lakeops/etl/gen"
)

// envS3 carries the S3 store options (JSON) to a crash child whose lake is "s3".
const envS3 = "LAKEOPS_CRASH_S3"

// childStore opens the crash child's lake: a folder, or S3 when dir is "s3".
func childStore(dir string) (storage.Store, error) {
	if dir != "s3" {
		return folder.New(dir)
	}
	var opts s3store.Options
	if err := json.Unmarshal([]byte(os.Getenv(envS3)), &opts); err != nil {
		return nil, fmt.Errorf("crash child: %s: %w", envS3, err)
	}
	return s3store.New(context.Background(), opts)
}

// runChildKilledAfter starts a child run and SIGKILLs it after delay; it
// reports whether the kill happened before the run ended.
func runChildKilledAfter(t *testing.T, dir string, delay time.Duration) bool {
	killed, _ := runChildKilledAfterTimed(t, dir, delay)
	return killed
}

// runChildKilledAfterTimed is runChildKilledAfter that also says how long
// the child ran when it finished before the signal.
func runChildKilledAfterTimed(t *testing.T, dir string, delay time.Duration) (bool, time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+dir, envKillAt+"=0")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child failed: %v", err)
		}
		return false, time.Since(start)
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := <-done
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return false, time.Since(start) // it finished just before the signal
		}
		ws, ok := ee.Sys().(syscall.WaitStatus)
		return ok && ws.Signaled(), 0
	}
}

// TestKilledAtRandomMomentsFolder kills a run at 100 random moments spread
// over a clean run's duration (reading, writing data files, committing, the
// ledger), runs again each time, and checks the tables equal one clean run's.
func TestKilledAtRandomMomentsFolder(t *testing.T) {
	raw := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 600, Dirty: 0.05, Seed: 21}, nil); err != nil {
		t.Fatal(err)
	}
	clean := t.TempDir()
	copyDir(t, raw, clean)
	start := time.Now()
	runChild(t, clean, 0, false)
	span := time.Since(start)
	want := dumpLake(t, clean)
	r := rand.New(rand.NewPCG(7, 7))
	killed, tries := 0, 0
	// 100 tries, and more (up to 200) while fewer than 50 kills landed
	// mid-run: a run that finishes before its kill shortens the span the
	// next delays are drawn from, so a machine that speeds up after the
	// clean run still gets its kills mid-run.
	for i := 0; i < 100 || (killed < 50 && i < 200); i++ {
		tries++
		dir := t.TempDir()
		copyDir(t, raw, dir)
		delay := time.Duration(r.Int64N(int64(span)))
		k, took := runChildKilledAfterTimed(t, dir, delay)
		if k {
			killed++
			checkReadable(t, dir)
		} else if took > 0 && took < span {
			span = took
		}
		if _, k := runChild(t, dir, 0, false); k {
			t.Fatal("re-run was killed")
		}
		if got := dumpLake(t, dir); got != want {
			t.Fatalf("kill %d after %v: tables differ from a clean run:\n%s", i, delay, firstDiff(got, want))
		}
	}
	t.Logf("%d of %d runs killed mid-way (span at the end %v)", killed, tries, span)
	if killed < 50 {
		t.Fatalf("only %d of %d kills landed mid-run", killed, tries)
	}
}

// TestKilledRunsOnS3 does the same through versitygw, at a sample of write
// numbers (before and after each) and 10 random moments.
func TestKilledRunsOnS3(t *testing.T) {
	srv := gwtest.Start(t)
	raw := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 400, Dirty: 0.05, Seed: 22}, nil); err != nil {
		t.Fatal(err)
	}
	useLake := func(t *testing.T, name string) string {
		t.Helper()
		st := srv.NewStore(t, name)
		storagetest.PutDir(t, st, "", raw)
		b, _ := json.Marshal(srv.Options(name))
		t.Setenv(envS3, string(b))
		return filepath.Join(srv.Dir, srv.Bucket, name) // versitygw keeps objects as plain files here
	}
	cleanDir := useLake(t, "clean")
	out, _ := runChild(t, "s3", 0, false)
	var writes int64
	if _, err := fmt.Sscanf(out, "writes=%d", &writes); err != nil {
		t.Fatalf("clean run: %q", out)
	}
	want := dumpLake(t, cleanDir)
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("kill-%d", i)
		dir := useLake(t, name)
		if i < 10 {
			at, after := 1+r.Int64N(writes), i%2 == 1
			if _, killed := runChild(t, "s3", at, after); !killed {
				t.Fatalf("child not killed at write %d", at)
			}
		} else {
			runChildKilledAfter(t, "s3", time.Duration(r.Int64N(int64(2*time.Second))))
		}
		if _, k := runChild(t, "s3", 0, false); k {
			t.Fatal("re-run was killed")
		}
		if got := dumpLake(t, dir); got != want {
			t.Fatalf("%s: tables differ from a clean run:\n%s", name, firstDiff(got, want))
		}
	}
}

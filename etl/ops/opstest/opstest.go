// Package opstest builds what tests of the front ends need: a temporary
// folder lake with generated raw data, pipeline runs on it, and the
// operations layer over it with a background jobs manager.
package opstest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// Lake makes a folder lake in a temporary directory with generated raw
// data under bronze_layer (600 orders, 5% dirty, seed 1 unless opts say
// otherwise).
func Lake(t testing.TB, opts ...gen.Options) *lake.Lake {
	t.Helper()
	o := gen.Options{Orders: 600, Dirty: 0.05, Seed: 1}
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), o, nil); err != nil {
		t.Fatalf("generate raw data: %v", err)
	}
	st, err := folder.New(dir)
	if err != nil {
		t.Fatalf("open lake: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return lake.New(st)
}

// EmptyLake makes a folder lake with no raw data.
func EmptyLake(t testing.TB) *lake.Lake {
	t.Helper()
	st, err := folder.New(t.TempDir())
	if err != nil {
		t.Fatalf("open lake: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return lake.New(st)
}

// Put writes a file into the lake.
func Put(t testing.TB, lk *lake.Lake, key, body string) {
	t.Helper()
	if err := lk.Store.Put(context.Background(), key, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
}

// Run runs the pipeline on the named raw files (every new one when none).
func Run(t testing.TB, lk *lake.Lake, files ...string) *pipeline.Summary {
	t.Helper()
	sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{Files: files})
	if err != nil {
		t.Fatalf("run pipeline: %v", err)
	}
	return sum
}

// Ops returns the operations on lk with a jobs manager that runs one job
// at a time (closed when the test ends).
func Ops(t testing.TB, lk *lake.Lake) (*ops.Ops, *jobs.Manager) {
	t.Helper()
	jm := jobs.New(lk, 1)
	t.Cleanup(jm.Close)
	return ops.New(lk, ops.Options{Jobs: jm}), jm
}

// WaitJobs waits until no job is queued or running and returns the
// snapshot the relay would send then.
func WaitJobs(t testing.TB, jm *jobs.Manager) jobs.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := jm.Wait(ctx); err != nil {
		t.Fatalf("jobs did not finish: %v", err)
	}
	return jm.Snapshot()
}

package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// BenchmarkFanOut loads 40 order_items files of about 100,000 rows each
// (2% dirty; products and orders loaded before, untimed) through the
// project's flow on the local runner with 1, 2 and 4 workers at once (a
// batch per file), and with one `lakeops run` for comparison. Besides the
// time per load it reports rows/s and the seconds of the staging Map
// (the parallel part) and of the commit (the serial part).
//
//	go test -run XXX -bench FanOut -benchtime 1x ./aws/flows/local/
func BenchmarkFanOut(b *testing.B) {
	ctx := context.Background()
	raw, err := os.MkdirTemp("", "lakeops-fanout-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(raw)
	m, err := gen.Generate(ctx, filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 735_000, Days: 40, Dirty: 0.02, Seed: 42}, nil)
	if err != nil {
		b.Fatal(err)
	}
	rows := m.Datasets["order_items"].Rows
	// A lake with products and orders loaded and the 40 order_items files new.
	newLoad := func(b *testing.B) *lake.Lake {
		dir := b.TempDir()
		copyDir(b, raw, dir)
		st, err := folder.New(dir)
		if err != nil {
			b.Fatal(err)
		}
		lk := lake.New(st)
		base := []string{"bronze_layer/products.csv"}
		ords, _ := filepath.Glob(filepath.Join(dir, "bronze_layer/orders/*.csv"))
		for _, p := range ords {
			rel, _ := filepath.Rel(dir, p)
			base = append(base, filepath.ToSlash(rel))
		}
		if sum, err := pipeline.Run(ctx, lk, pipeline.Options{Files: base}); err != nil || sum.Failed() {
			b.Fatalf("loading products and orders: %v", err)
		}
		return lk
	}
	b.Run("run", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			lk := newLoad(b)
			b.StartTimer()
			if sum, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil || sum.Failed() {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers-%d", workers), func(b *testing.B) {
			var stage, commit time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				lk := newLoad(b)
				clk := asl.RealClock{NoWait: true} // real time: the phases are timed from the events
				res := NewLakeResources(lk, clk)
				s := New(lk, res, clk)
				b.StartTimer()
				e := runFlow(b, s, fmt.Sprintf(`{"batch_files": 1, "max_concurrency": %d}`, workers))
				b.StopTimer()
				s.Close()
				_ = res.Close()
				if e.Status != asl.StatusSucceeded {
					b.Fatalf("%s: %s %s", e.Status, e.Error, e.Cause)
				}
				st, co := phases(e)
				stage += st
				commit += co
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(stage.Seconds()/float64(b.N), "stage-s")
			b.ReportMetric(commit.Seconds()/float64(b.N), "commit-s")
		})
	}
}

// phases measures a load's staging (the Stage state) and commit (the
// Commit state) from its events.
func phases(e *Execution) (stage, commit time.Duration) {
	entered := map[string]time.Time{}
	for _, ev := range e.Events {
		switch ev.Type {
		case "ParallelStateEntered", "MapStateEntered":
			entered[ev.StateName] = ev.Timestamp
		case "ParallelStateExited", "MapStateExited":
			d := ev.Timestamp.Sub(entered[ev.StateName])
			switch ev.StateName {
			case "Stage":
				stage = d
			case "Commit":
				commit = d
			}
		}
	}
	return stage, commit
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

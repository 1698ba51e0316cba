package pipeline_test

import (
	"context"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// BenchmarkLoad50Files runs the pipeline once over 50 daily files of about
// 100,000 order_items rows each (plus their orders and the products), with
// 2% dirt, and reports rows/s and the peak heap.
//
//	go test -run XXX -bench Load50Files -benchtime 1x ./etl/pipeline/
func BenchmarkLoad50Files(b *testing.B) {
	raw := b.TempDir()
	m, err := gen.Generate(context.Background(), filepath.Join(raw, "bronze_layer"), gen.Options{Orders: 919_100, Days: 50, Dirty: 0.02, Seed: 50}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		copyDir(b, raw, dir)
		st, err := folder.New(dir)
		if err != nil {
			b.Fatal(err)
		}
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() { // sample the heap
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
		}()
		b.StartTimer()
		start := time.Now()
		sum, err := pipeline.Run(context.Background(), lake.New(st), pipeline.Options{})
		el := time.Since(start)
		b.StopTimer()
		close(stop)
		if err != nil || sum.Failed() || sum.Totals.RowsRead != m.Totals.Rows {
			b.Fatalf("run: %v, read %d of %d rows", err, sum.Totals.RowsRead, m.Totals.Rows)
		}
		b.ReportMetric(float64(sum.Totals.RowsRead)/el.Seconds(), "rows/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "MB-peak-heap")
		b.ReportMetric(float64(len(sum.Files)), "files")
		b.StartTimer()
	}
}

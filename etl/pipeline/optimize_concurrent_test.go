package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// gateStore holds the first commit to one table's log until released: it
// signals reached, waits for release, then lets the PutIfAbsent through.
type gateStore struct {
	storage.Store
	logPrefix string // e.g. "silver_layer/order_items/_delta_log/"
	once      sync.Once
	reached   chan struct{}
	release   chan struct{}
}

func newGate(st storage.Store, table string) *gateStore {
	return &gateStore{Store: st, logPrefix: table + "/" + delta.LogDir + "/", reached: make(chan struct{}), release: make(chan struct{})}
}

func (g *gateStore) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if strings.HasPrefix(key, g.logPrefix) && strings.HasSuffix(key, ".json") {
		g.once.Do(func() {
			close(g.reached)
			<-g.release
		})
	}
	return g.Store.PutIfAbsent(ctx, key, data)
}

// itemsRun writes one raw order_items file: items ids [from, to) of orders
// 1..3 over three days, with the given product (a changed product is an
// update of an item loaded before).
func itemsRun(t *testing.T, st storage.Store, n int, from, to int, product int) {
	t.Helper()
	csv := itemsHeader
	for id := from; id < to; id++ {
		o := 1 + id%3
		day := fmt.Sprintf("2025-04-0%d", o)
		csv += fmt.Sprintf("%d,%d,%d,,%d,1,0,%sT10:00:00,%s\n", id, 100*o, 7, product, day, day)
	}
	putFile(t, st, fmt.Sprintf("bronze_layer/order_items/items_%02d.csv", n), csv)
}

// optimizeLake loads products, three orders and five small order_items
// runs (several files per partition) into a folder lake.
func optimizeLake(t *testing.T) (*lake.Lake, string) {
	t.Helper()
	lk, dir := newLake(t)
	putFile(t, lk.Store, "bronze_layer/products.csv", productsCSV)
	putFile(t, lk.Store, "bronze_layer/orders/orders.csv", "order_num,order_id,user_id,order_timestamp,total_amount,date\n"+
		"1,100,7,2025-04-01T10:00:00,1.00,2025-04-01\n2,200,7,2025-04-02T10:00:00,2.00,2025-04-02\n3,300,7,2025-04-03T10:00:00,3.00,2025-04-03\n")
	for n := 0; n < 5; n++ {
		itemsRun(t, lk.Store, n, 10*n, 10*n+10, 1)
		if sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{}); err != nil || sum.Failed() {
			t.Fatalf("run %d: %v %+v", n, err, sum)
		}
	}
	return lk, dir
}

// expectedAfter loads the same runs plus the concurrent one into a lake
// of its own, without optimize: the tables the concurrent pair must end with.
func expectedAfter(t *testing.T, concurrent func(st storage.Store)) string {
	t.Helper()
	lk, dir := optimizeLake(t)
	concurrent(lk.Store)
	if sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{}); err != nil || sum.Failed() {
		t.Fatalf("reference run: %v %+v", err, sum)
	}
	return dumpLake(t, dir)
}

// TestOptimizeWinsAndTheConcurrentRunReplans: a pipeline run plans a MERGE
// that updates items in files optimize is packing; optimize commits first;
// the run's commit finds that optimize removed files it read, re-plans on
// the new version and commits. No row is lost or doubled.
func TestOptimizeWinsAndTheConcurrentRunReplans(t *testing.T) {
	ctx := context.Background()
	update := func(st storage.Store) { itemsRun(t, st, 5, 0, 45, 2) } // updates ids 0..39, inserts 40..44
	want := expectedAfter(t, update)
	lk, dir := optimizeLake(t)
	update(lk.Store)
	gate := newGate(lk.Store, "silver_layer/order_items")
	done := make(chan error, 1)
	go func() {
		sum, err := pipeline.Run(ctx, lake.New(gate), pipeline.Options{})
		if err == nil && sum.Failed() {
			err = fmt.Errorf("run failed: %+v", sum.Files)
		}
		done <- err
	}()
	<-gate.reached
	items := lk.Silver("order_items")
	res, err := items.Optimize(ctx, delta.OptimizeOptions{})
	if err != nil || res.Version < 0 || res.Attempts != 1 {
		t.Fatalf("optimize: %+v, %v", res, err)
	}
	close(gate.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hist, err := items.History(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if hist[0].Operation != "MERGE" || hist[1].Operation != "OPTIMIZE" || hist[0].ReadVersion == nil || *hist[0].ReadVersion != hist[1].Version {
		t.Fatalf("history %+v: want the MERGE re-planned on the OPTIMIZE version", hist)
	}
	if got := dumpLake(t, dir); got != want {
		t.Fatalf("tables differ from a run without optimize:\n%s", firstDiff(got, want))
	}
}

// TestConcurrentRunWinsAndOptimizeReplans: optimize has packed its bins
// when a pipeline run commits first. An update that rewrote a file being
// packed makes optimize drop its files and plan again; an insert into new
// files lets its commit go through at the next version. Either way the
// tables end as without optimize.
func TestConcurrentRunWinsAndOptimizeReplans(t *testing.T) {
	for _, tc := range []struct {
		name     string
		run      func(st storage.Store)
		attempts int
	}{
		{"update", func(st storage.Store) { itemsRun(t, st, 5, 0, 3, 2) }, 2},
		{"insert", func(st storage.Store) { itemsRun(t, st, 5, 1000, 1003, 1) }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			want := expectedAfter(t, tc.run)
			lk, dir := optimizeLake(t)
			tc.run(lk.Store)
			gate := newGate(lk.Store, "silver_layer/order_items")
			items := delta.NewTable(gate, "silver_layer/order_items")
			type result struct {
				res *delta.OptimizeResult
				err error
			}
			done := make(chan result, 1)
			go func() {
				res, err := items.Optimize(ctx, delta.OptimizeOptions{})
				done <- result{res, err}
			}()
			<-gate.reached
			sum, err := pipeline.Run(ctx, lk, pipeline.Options{})
			if err != nil || sum.Failed() {
				t.Fatalf("run: %v %+v", err, sum)
			}
			close(gate.release)
			r := <-done
			if r.err != nil || r.res.Version < 0 || r.res.Attempts != tc.attempts {
				t.Fatalf("optimize: %+v, %v; want a commit after %d attempts", r.res, r.err, tc.attempts)
			}
			if got := dumpLake(t, dir); got != want {
				t.Fatalf("tables differ from a run without optimize:\n%s", firstDiff(got, want))
			}
			// No file optimize wrote and dropped is left behind as live data.
			snap, err := lk.Silver("order_items").Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			parts, _ := filepath.Glob(filepath.Join(dir, "silver_layer/order_items/date=*/*.parquet"))
			if tc.attempts == 1 && len(parts) < len(snap.Files()) {
				t.Fatalf("%d data files on disk, %d live", len(parts), len(snap.Files()))
			}
		})
	}
}

// TestOptimizeDuringRunsKeepsEveryRow runs optimize in a loop while four
// pipeline runs update and insert items; the tables end as without it.
func TestOptimizeDuringRunsKeepsEveryRow(t *testing.T) {
	ctx := context.Background()
	runs := func(st storage.Store, run func()) {
		for n := 5; n < 9; n++ {
			itemsRun(t, st, n, 5*n-20, 5*n, 1+n%2)
			run()
		}
	}
	ref, refDir := optimizeLake(t)
	runs(ref.Store, func() {
		if _, err := pipeline.Run(ctx, ref, pipeline.Options{}); err != nil {
			t.Fatal(err)
		}
	})
	want := dumpLake(t, refDir)
	lk, dir := optimizeLake(t)
	stop := make(chan struct{})
	optimized := make(chan int, 1)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				optimized <- n
				return
			default:
			}
			st, err := folder.New(dir)
			if err != nil {
				t.Error(err)
				optimized <- n
				return
			}
			if res, err := delta.NewTable(st, "silver_layer/order_items").Optimize(ctx, delta.OptimizeOptions{MaxAttempts: 20}); err != nil {
				t.Error(err)
			} else if res.Version >= 0 {
				n++
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	runs(lk.Store, func() {
		if sum, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil || sum.Failed() {
			t.Errorf("run: %v %+v", err, sum)
		}
	})
	close(stop)
	n := <-optimized
	if got := dumpLake(t, dir); got != want {
		t.Fatalf("tables differ from runs without optimize (%d optimize commits):\n%s", n, firstDiff(got, want))
	}
	if n == 0 {
		t.Fatal("optimize never committed while the runs went on")
	}
	t.Logf("%d optimize commits during 4 runs", n)
}

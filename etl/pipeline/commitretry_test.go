package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/pipeline/pipelinetest"
)

// failAfter fails every write to a key containing key once armed is set
// and a write to a key containing trigger has happened.
type failAfter struct {
	storage.Store
	trigger, key string
	armed        atomic.Bool
	fired        atomic.Bool
}

var errInjected = errors.New("injected failure")

func (f *failAfter) check(key string) error {
	if f.armed.Load() && f.fired.Load() && strings.Contains(key, f.key) {
		return errInjected
	}
	return nil
}

func (f *failAfter) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	if err := f.check(key); err != nil {
		return err
	}
	err := f.Store.PutIfAbsent(ctx, key, data)
	if f.armed.Load() && strings.Contains(key, f.trigger) {
		f.fired.Store(true)
	}
	return err
}

// A commit that dies after its MERGE committed finishes, when retried,
// from the record it kept: the MERGE is not applied again (the silver
// table gets no new version) and the counts are those of the first attempt.
func TestStagedCommitRetriedAfterItsMergeDoesNotApplyTwice(t *testing.T) {
	ctx := context.Background()
	base, _ := newLake(t)
	fa := &failAfter{Store: base.Store, trigger: "silver_layer/orders/_delta_log/", key: "rejected/orders/_delta_log/"}
	lk := lake.New(fa)
	if _, err := pipelinetest.RawZone(ctx, t.TempDir(), lk.Store, gen.Options{Orders: 1500, Days: 4, Dirty: 0.05, Seed: 3}, 1, 5); err != nil {
		t.Fatal(err)
	}
	const load = "retry-1"
	plan, err := pipeline.Plan(ctx, lk, pipeline.PlanOptions{Load: load, BatchFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, dp := range plan.Sets {
		for i := 0; i < len(dp.Items); i += dp.BatchFiles {
			if _, err := pipeline.StageBatch(ctx, lk, pipeline.BatchOptions{Load: load, Dataset: dp.Dataset, Files: dp.Items[i:min(i+dp.BatchFiles, len(dp.Items))]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: load, Dataset: dataset.Products}); err != nil {
		t.Fatal(err)
	}
	fa.armed.Store(true)
	if _, err := pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: load, Dataset: dataset.Orders}); !errors.Is(err, errInjected) {
		t.Fatalf("the first commit of orders: %v, want the injected failure", err)
	}
	fa.armed.Store(false)
	snap, err := lk.Silver(dataset.Orders).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := snap.State().TxnVersion("lakeops-load:" + load); !ok {
		t.Fatal("the MERGE did not record the load's txn")
	}
	sum, err := pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: load, Dataset: dataset.Orders})
	if err != nil {
		t.Fatal(err)
	}
	again, err := lk.Silver(dataset.Orders).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again.Version() != snap.Version() {
		t.Errorf("the retried commit committed to silver again: version %d -> %d", snap.Version(), again.Version())
	}
	if sum.Failed() || sum.Totals.Inserted != 1500 || sum.Totals.Unchanged != 0 || sum.Totals.Rejected == 0 {
		t.Errorf("retried commit totals %+v, want the first attempt's (1500 inserted)", sum.Totals)
	}
	// A third commit finds every file loaded and does nothing.
	sum, err = pipeline.CommitStaged(ctx, lk, pipeline.CommitOptions{Load: load, Dataset: dataset.Orders})
	if err != nil || sum.Totals.RowsRead != 0 || len(sum.Files) == 0 || sum.Files[0].Status != "skipped" {
		t.Errorf("a commit after the load: %v %+v", err, sum)
	}
}

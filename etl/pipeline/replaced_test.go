package pipeline_test

import (
	"context"
	"testing"

	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rejects"
)

// TestNewVersionReplacesOldRejects: a file that lands again under the same
// key with other bytes is loaded as a new version; the open rejected rows
// of the earlier version are closed as replaced (not left open beside the
// new version's), rows a reprocess resolved stay resolved, and a forced
// run of the same version closes nothing.
func TestNewVersionReplacesOldRejects(t *testing.T) {
	ctx := context.Background()
	lk, _ := newLake(t)
	const key = "bronze_layer/orders/orders_2025_04_01.csv"
	const header = "order_num,order_id,user_id,order_timestamp,total_amount,date\n"
	putFile(t, lk.Store, key, header+
		"1,40000,7,2025-04-01T11:27:00,229.53,2025-04-01\n"+
		"2,x,7,2025-04-01T11:27:00,229.53,2025-04-01\n"+ // type:order_id
		"3,40002,7,2025-04-01T11:27:00,-1,2025-04-01\n") // range:total_amount
	loaded(t, lk, pipeline.Options{})
	first := readRejects(t, lk)
	if len(first) != 2 {
		t.Fatalf("first version: %d rejects, want 2", len(first))
	}
	// Line 3 is resolved (as a reprocess would); line 4 stays open.
	for _, r := range first {
		if r.Line == 3 {
			if n, err := rejects.Resolve(ctx, lk, "orders", map[rejects.RowKey]bool{r.Key(): true}, "reprocess-1", r.RejectedAt); err != nil || n != 1 {
				t.Fatalf("resolve: %d %v", n, err)
			}
		}
	}

	loaded(t, lk, pipeline.Options{Files: []string{key}, Force: true, Recheck: true})
	if rs := readRejects(t, lk); len(rs) != 2 || statusOf(rs, 4) != rejects.StatusOpen {
		t.Fatalf("a forced run of the same version changed the rejects: %+v", rs)
	}

	putFile(t, lk.Store, key, header+ // the new version: line 2 is bad now
		"1,x,7,2025-04-01T11:27:00,229.53,2025-04-01\n"+
		"2,40001,7,2025-04-01T11:27:00,229.53,2025-04-01\n")
	sum := loaded(t, lk, pipeline.Options{})
	rs := readRejects(t, lk)
	if len(rs) != 3 {
		t.Fatalf("%d rejected rows after the new version, want 3 (two of the old version, one of the new): %+v", len(rs), rs)
	}
	open := 0
	for _, r := range rs {
		old := r.FileIdentity == first[0].FileIdentity
		switch {
		case old && r.Line == 3 && r.Status != rejects.StatusResolved:
			t.Errorf("the resolved row of the old version is %s now", r.Status)
		case old && r.Line == 4 && (r.Status != rejects.StatusReplaced || r.ResolvedRunID != sum.RunID):
			t.Errorf("the open row of the old version is %s (by %q), want replaced by %s", r.Status, r.ResolvedRunID, sum.RunID)
		case !old && (r.Line != 2 || r.Status != rejects.StatusOpen):
			t.Errorf("the new version's reject: line %d %s, want line 2 open", r.Line, r.Status)
		}
		if r.Status == rejects.StatusOpen {
			open++
		}
	}
	if open != 1 {
		t.Fatalf("%d open rejected rows, want the new version's one", open)
	}
}

func readRejects(t *testing.T, lk *lake.Lake) []rejects.Row {
	t.Helper()
	rows, err := rejects.Read(context.Background(), lk, "orders", rejects.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func statusOf(rs []rejects.Row, line int64) string {
	for _, r := range rs {
		if r.Line == line {
			return r.Status
		}
	}
	return ""
}

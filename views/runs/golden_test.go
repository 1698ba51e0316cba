package runs

import (
	"context"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

var goldenTime = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

const longName = "bronze_layer/order_items/order_items_2025_04_01_backfill_from_the_legacy_warehouse_export_batch_0001.csv"

type goldenRuns struct{}

func (goldenRuns) RawRoot() string                                   { return "bronze_layer/" }
func (goldenRuns) RunHistory(context.Context) ([]ops.PastRun, error) { return nil, nil }
func (goldenRuns) Cancel(int) bool                                   { return false }

// goldenJob is a running job of four files: one big file in its merge
// pass (3.3 million rows), one done, one failed, one waiting.
func goldenJob() ops.Job {
	done := &ops.FileResult{File: "bronze_layer/orders/orders_2025_04_01.csv", Dataset: "orders", Status: ops.FileSucceeded}
	done.RowsRead, done.Accepted, done.Rejected = 1_234_567, 1_230_000, 4_567
	failed := &ops.FileResult{File: "bronze_layer/orders/orders_2025_04_02.csv", Dataset: "orders", Status: ops.FileFailed,
		Error: "bronze_layer/orders/orders_2025_04_02.csv:1: header lacks required column(s) order_timestamp, total_amount, date of dataset orders"}
	return ops.Job{ID: 7, Spec: ops.JobSpec{Title: "run 4 files"}, State: ops.JobRunning, Queued: goldenTime,
		Started: goldenTime, RunID: "20261125T093000Z-0badc0de",
		Files: []ops.FileProgress{
			{File: done.File, Dataset: "orders", Stage: "done", BytesRead: 80 << 20, BytesTotal: 80 << 20, Rows: 1_234_567,
				Accepted: 1_230_000, Rejected: 4_567, ByReason: map[string]int64{"duplicate": 4_000, "range:total_amount": 567}, Result: done},
			{File: longName, Dataset: "order_items", Stage: "merge", BytesRead: 120 << 20, BytesTotal: 192 << 20, Rows: 3_302_817,
				Accepted: 3_290_001, Rejected: 12_816, RowsPerSec: 412_345, ETA: 95 * time.Second,
				ByReason: map[string]int64{"reference:order_id": 12_816}},
			{File: failed.File, Dataset: "orders", Stage: "done", BytesRead: 21, BytesTotal: 21, Result: failed},
			{File: "bronze_layer/products.csv", Dataset: "products", Stage: "queued", BytesTotal: 31 << 10},
		},
		Recent: ops.JobRate{RowsPerSec: 412_345, BytesPerSec: 25 << 20},
		Log: []ops.LogLine{{At: goldenTime, Text: "queued: run 4 files"}, {At: goldenTime, Text: "started"},
			{At: goldenTime, Text: failed.File + ": failed, 0 read, 0 accepted, 0 rejected: " + failed.Error}}}
}

// TestGoldenJobDetail: one job's screen at 80×24 and 200×50 with a long
// file name and 7-digit counts; at 200 columns nothing is cut.
func TestGoldenJobDetail(t *testing.T) {
	time.Local = time.UTC
	m := New(goldenRuns{})
	m.now = func() time.Time { return goldenTime.Add(83 * time.Second) }
	h := viewtest.New(t, m)
	h.Send(ops.JobSnapshot{Jobs: []ops.Job{goldenJob()}})
	h.Send(ui.ShowJob{ID: 7})
	h.Golden(t, []string{"order_items/order_items_2025_04_01_backfill_from_the_legacy_warehouse_export_batch_0001.csv", "3,302,817",
		"3,290,001", "1,234,567", "4,537,384 rows read", "line 1: header lacks"},
		[]string{"3,302,817", "3,290,001", "1,234,567", "4,537,384 rows read", "76%"})
}

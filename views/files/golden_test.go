package files

import (
	"context"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

// goldenTime is the fixed clock of the golden screens.
var goldenTime = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// longName is a raw file name as a backfill names them.
const longName = "orders_2025_04_01_backfill_from_the_legacy_warehouse_export_batch_0001.csv"

// goldenFiles is a fixed folder: long names, a file of 3.2 GiB, every status.
type goldenFiles struct{}

func (goldenFiles) RawRoot() string { return "bronze_layer/" }

func (goldenFiles) ListRaw(_ context.Context, dir, _ string, _ int) (ops.RawPage, error) {
	e := func(name string, size int64) ops.RawEntry {
		return ops.RawEntry{Key: dir + name, Name: name, Size: size, Modified: goldenTime, ETag: name, Dataset: "orders", Raw: true}
	}
	return ops.RawPage{Entries: []ops.RawEntry{
		{Key: dir + "order_items/", Name: "order_items/", Folder: true, Dataset: "order_items"},
		{Key: dir + "orders/", Name: "orders/", Folder: true, Dataset: "orders"},
		e(longName, 3_435_973_837),
		e("orders_2025_04_02.csv", 1_234_567),
		e("orders_2025_04_03_partial.csv", 98_304),
		e("orders_2025_04_04_failed.csv", 21),
	}}, nil
}

func (goldenFiles) IngestIndex(context.Context) (ops.IngestIndex, error) {
	entry := func(name, status string, rejected int64) ops.LogEntry {
		return ops.LogEntry{File: "bronze_layer/" + name, ETag: name, Status: status, Accepted: 100, Rejected: rejected, EndedAt: goldenTime}
	}
	return ops.NewIngestIndex([]ops.LogEntry{entry("orders_2025_04_02.csv", ops.FileSucceeded, 0),
		entry("orders_2025_04_03_partial.csv", ops.FileSucceeded, 12), entry("orders_2025_04_04_failed.csv", ops.FileFailed, 0)}), nil
}

func (goldenFiles) Preview(context.Context, string, int) (*ops.Preview, error) { return nil, nil }
func (goldenFiles) Validate(context.Context, ...string) (*ops.Summary, error)  { return nil, nil }
func (goldenFiles) Submit(ops.JobSpec) (int, error)                            { return 0, nil }

// TestGoldenFiles: the Files view at 80×24 and 200×50 with a long file
// name and every status; at 200 columns nothing is cut.
func TestGoldenFiles(t *testing.T) {
	time.Local = time.UTC
	h := viewtest.New(t, New(goldenFiles{}))
	h.Golden(t, []string{longName, "3.2 GiB", "partially rejected", "2026-11-25 09:30:00"}, []string{"3.2 GiB", "partially rejected"})
}

func (goldenFiles) RawFilesUnder(context.Context, string) ([]string, error) { return nil, nil }
func (goldenFiles) ArchiveRoot() string                                     { return "archive/" }
func (goldenFiles) PlanLoad(context.Context, []string, bool, time.Time) (ops.LoadPlan, error) {
	return ops.LoadPlan{}, nil
}

package rejects

import (
	"context"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

const longFile = "bronze_layer/order_items/order_items_2025_04_01_backfill_from_the_legacy_warehouse_export_batch_0001.csv"

type goldenRejects struct{}

func (goldenRejects) RawRoot() string                 { return "bronze_layer/" }
func (goldenRejects) Submit(ops.JobSpec) (int, error) { return 0, nil }

func (goldenRejects) Rejects(_ context.Context, ds string, _ ops.RejectFilter) ([]ops.RejectRow, error) {
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	header := "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date"
	row := func(line int64, raw string, status string, reasons ...string) ops.RejectRow {
		return ops.RejectRow{RunID: "20261125T093000Z-0badc0de", RejectedAt: at, File: longFile, Line: line, Raw: raw,
			Reasons: reasons, Status: status, Header: header}
	}
	if ds != "order_items" {
		return nil, nil
	}
	return []ops.RejectRow{
		row(1_234_567, "9000001,8000000016,8145,,1234,1,0,2025-04-01T03:58:00,2025-04-01", ops.RejectOpen, "reference:order_id"),
		row(2_345_678, "9000002,10351,3253,3,99,0,1,2025-04-01T00:58:00,2025-04-01", ops.RejectOpen, "range:add_to_cart_order"),
		row(3_302_817, "9000003,10363,5588,2,17,1,1,2025-04-01T15:41:00", ops.RejectResolved, "malformed"),
	}, nil
}

// TestGoldenRejects: the Rejects view at 80×24 and 200×50 with a long
// file name and 7-digit line numbers; at 200 columns nothing is cut.
func TestGoldenRejects(t *testing.T) {
	time.Local = time.UTC
	h := viewtest.New(t, New(goldenRejects{}))
	h.Golden(t, []string{"order_items_2025_04_01_backfill_from_the_legacy_warehouse_export_batch_0001.csv", "1,234,567", "3,302,817",
		"reference:order_id", "9000001,8000000016,8145,,1234,1,0,2025-04-01T03:58:00,2025-04-01"}, []string{"1,234,567", "3,302,817"})
}

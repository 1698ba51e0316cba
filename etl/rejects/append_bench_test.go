package rejects

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/lake"
)

// BenchmarkAppend writes 100,000 rejected rows of 15 files in one append,
// as a run of the bench's daily files does.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var rows []Row
	var ids []string
	for f := range 15 {
		id := fmt.Sprintf("etag-%d:size-%d", f, 20_000_000+f)
		ids = append(ids, id)
		for i := range 100_000 / 15 {
			raw := fmt.Sprintf("%d,%d,%d,,%d,%d,1,2025-04-%02d 10:%02d:%02d,2025-04-%02d", f*1_000_000+i, 77*i, 13*i, i%5000, i%20, f+1, i%60, i%60, f+1)
			rows = append(rows, NewRow("run-1", at, fmt.Sprintf("bronze_layer/order_items/order_items_2025_04_%02d.csv", f+1), id,
				"id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date", int64(i+2), []byte(raw), []string{"required:days_since_prior_order"}))
		}
	}
	b.ResetTimer()
	for range b.N {
		st, err := folder.New(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if err := Append(ctx, lake.New(st), "order_items", ids, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows)), "rows/op")
}

package tables

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/views/internal/viewtest"
)

var goldenTime = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// goldenTables is three tables with 7- and 8-digit counts.
type goldenTables struct{}

func (goldenTables) infos() []ops.TableInfo {
	return []ops.TableInfo{
		{Name: "order_items", Location: "file:///lake/silver_layer/order_items", Version: 42, Partitions: []string{"date"}},
		{Name: "orders", Location: "file:///lake/silver_layer/orders", Version: 41, Partitions: []string{"date"}},
		{Name: "products", Location: "file:///lake/silver_layer/products", Version: 3},
	}
}

func (g goldenTables) ListTables(context.Context) (ops.TableList, error) {
	return ops.TableList{Tables: g.infos(), Source: "local engine"}, nil
}

func (goldenTables) Summaries(_ context.Context, infos []ops.TableInfo) []*ops.TableSummary {
	sizes := map[string][3]int64{"order_items": {2401, 33_028_170, 1_932_735_283}, "orders": {1201, 3_302_817, 193_273_528}, "products": {1, 49_688, 1_048_576}}
	out := make([]*ops.TableSummary, len(infos))
	for i, in := range infos {
		s := sizes[in.Name]
		out[i] = &ops.TableSummary{Name: in.Name, Location: in.Location, Version: in.Version, Files: int(s[0]), Rows: s[1],
			RowsKnown: true, SizeBytes: s[2], Partitions: in.Partitions, LastCommit: goldenTime, LastOp: "MERGE"}
	}
	return out
}

func (goldenTables) TableDetail(_ context.Context, info ops.TableInfo) (*ops.TableDetail, error) {
	d := &ops.TableDetail{Name: info.Name, Version: info.Version, Partitions: info.Partitions, InLake: true}
	for _, f := range [][2]string{{"id", "long"}, {"order_id", "long"}, {"user_id", "long"}, {"days_since_prior_order", "integer"},
		{"product_id", "long"}, {"add_to_cart_order", "integer"}, {"reordered", "boolean"}, {"order_timestamp", "timestamp"}, {"date", "date"}} {
		d.Fields = append(d.Fields, ops.Field{Name: f[0], Type: f[1], Nullable: "no", Partition: f[0] == "date"})
	}
	for v := info.Version; v > info.Version-3; v-- {
		d.History = append(d.History, ops.TableVersion{Version: v, Timestamp: goldenTime, Operation: "MERGE",
			Metrics: map[string]string{"numTargetRowsInserted": "1234567", "numTargetRowsUpdated": "0"}})
	}
	for day := 1; day <= 3; day++ {
		d.PartitionStats = append(d.PartitionStats, ops.PartitionStat{Values: fmt.Sprintf("date=2025-04-%02d", day), Files: 4,
			Rows: int64(1_100_000 * day), RowsKnown: true, Bytes: int64(64<<20) * int64(day)})
	}
	return d, nil
}

// TestGoldenTables: the table list and one table's schema and history at
// 80×24 and 200×50, with 7- and 8-digit counts uncut; at 80×24 the whole
// schema shows when the history leaves room.
func TestGoldenTables(t *testing.T) {
	time.Local = time.UTC
	h := viewtest.New(t, New(goldenTables{}))
	t.Run("list", func(t *testing.T) {
		h.Golden(t, []string{"33,028,170", "3,302,817", "1.8 GiB", "2026-11-25 09:30:00 MERGE"}, []string{"33,028,170", "3,302,817"})
	})
	h.T = t
	h.Press("enter")
	t.Run("detail", func(t *testing.T) {
		h.Golden(t, []string{"days_since_prior_order", "order_timestamp", "numTargetRowsInserted=1234567 numTargetRowsUpdated=0"}, []string{"days_since_prior_order", "order_timestamp", "date"})
	})
	h.T = t
	h.Press("c", "c") // the partitions
	t.Run("partitions", func(t *testing.T) {
		h.Golden(t, []string{"date=2025-04-03", "3,300,000", "192.0 MiB"}, []string{"date=2025-04-03", "3,300,000", "192.0 MiB"})
	})
}

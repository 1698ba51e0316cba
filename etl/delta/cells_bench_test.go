package delta_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/internal/cputime"
)

// orderItemsSchema is the shape of the order_items dataset as the pipeline
// writes it: every column nullable, partitioned by date.
func orderItemsSchema() *delta.StructType {
	return &delta.StructType{Fields: []delta.StructField{
		{Name: "id", Type: delta.Primitive(delta.TypeLong), Nullable: true},
		{Name: "order_id", Type: delta.Primitive(delta.TypeLong), Nullable: true},
		{Name: "user_id", Type: delta.Primitive(delta.TypeLong), Nullable: true},
		{Name: "days_since_prior_order", Type: delta.Primitive(delta.TypeInteger), Nullable: true},
		{Name: "product_id", Type: delta.Primitive(delta.TypeLong), Nullable: true},
		{Name: "add_to_cart_order", Type: delta.Primitive(delta.TypeInteger), Nullable: true},
		{Name: "reordered", Type: delta.Primitive(delta.TypeBoolean), Nullable: true},
		{Name: "order_timestamp", Type: delta.Primitive(delta.TypeTimestamp), Nullable: true},
		{Name: "date", Type: delta.Primitive(delta.TypeDate), Nullable: true},
	}}
}

// BenchmarkWriteCells writes 1M rows of the order_items shape as cells, four
// days of 250k rows each (one data file per day), into a folder store. Besides
// ns/op it reports the process CPU time per op, encoder goroutines included.
func BenchmarkWriteCells(b *testing.B) {
	const rows, days, pool = 1_000_000, 4, 8192
	ctx := context.Background()
	st, err := folder.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	tbl := delta.NewTable(st, "order_items")
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: orderItemsSchema(), PartitionColumns: []string{"date"}})
	if err != nil {
		b.Fatal(err)
	}
	fw, err := delta.NewFileWriter(tbl, snap.Schema(), snap.PartitionColumns())
	if err != nil {
		b.Fatal(err)
	}
	// A pool of rows to cycle through, so generating rows costs little.
	r := rand.New(rand.NewPCG(1, 2))
	src := make([][]delta.Cell, pool)
	base := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := range src {
		c := make([]delta.Cell, 9)
		c[1].I = r.Int64N(3_000_000)
		c[2].I = r.Int64N(200_000)
		if r.IntN(100) < 6 {
			c[3].Null = true
		} else {
			c[3].I = int64(r.IntN(31))
		}
		c[4].I = r.Int64N(50_000)
		c[5].I = int64(1 + r.IntN(30))
		c[6].I = int64(r.IntN(2))
		c[7].I = base + r.Int64N(86_400_000_000)
		src[i] = c
	}
	row := make([]delta.Cell, 9)
	var cpu time.Duration
	var bytes int64
	measured := true
	for b.Loop() {
		c0, ok := cputime.Process()
		measured = measured && ok
		id := int64(0)
		for d := range days {
			day := time.Date(2025, 4, 1+d, 0, 0, 0, 0, time.UTC)
			ds := day.Format(time.DateOnly)
			pf := fw.Open(ctx, map[string]*string{"date": &ds})
			for range rows / days {
				copy(row, src[id%pool])
				row[0].I = id
				row[7].I += int64(d) * 86_400_000_000
				row[8].I = day.Unix() / 86400
				if err := pf.WriteCells(row); err != nil {
					b.Fatal(err)
				}
				id++
			}
			a, err := pf.Close(ctx)
			if err != nil {
				b.Fatal(err)
			}
			bytes += a.Size
		}
		c1, _ := cputime.Process()
		cpu += c1 - c0
	}
	b.ReportMetric(float64(bytes)/float64(b.N), "file-bytes/op")
	if measured {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

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
// days of 250k rows each (one data file per day), into a folder store, with
// each value of lakeops.parquet.encodings. Besides ns/op it reports the
// process CPU time per op, encoder goroutines included, and the bytes of
// the files.
func BenchmarkWriteCells(b *testing.B) {
	for _, enc := range []string{delta.EncodingsCompatible, delta.EncodingsDelta} {
		b.Run(enc, func(b *testing.B) { benchmarkWriteCells(b, enc) })
	}
}

func benchmarkWriteCells(b *testing.B, encodings string) {
	const rows, days, pool = 1_000_000, 4, 1 << 16 // the pool is larger than a page: no page repeats itself
	ctx := context.Background()
	st, err := folder.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	tbl := delta.NewTable(st, "order_items")
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: orderItemsSchema(), PartitionColumns: []string{"date"},
		Configuration: map[string]string{delta.EncodingsProperty: encodings}})
	if err != nil {
		b.Fatal(err)
	}
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		b.Fatal(err)
	}
	// A pool of rows to cycle through, so generating rows costs little,
	// shaped like gen's order items: orders of 1 to 10 items, whose items
	// share order_id, user_id, days_since_prior_order and order_timestamp;
	// 1,000 products.
	r := rand.New(rand.NewPCG(1, 2))
	src := make([][]delta.Cell, pool)
	base := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := 0; i < pool; {
		order, user, ts := r.Int64N(3_000_000), r.Int64N(200_000), base+r.Int64N(86_400)*1_000_000
		days := delta.Cell{I: int64(r.IntN(31)), Null: r.IntN(100) < 6}
		items := 1 + r.IntN(10)
		for item := 1; item <= items && i < pool; item++ {
			c := make([]delta.Cell, 9)
			c[1].I, c[2].I, c[3], c[7].I = order, user, days, ts
			c[4].I = 1 + r.Int64N(1000)
			c[5].I = int64(item)
			c[6].I = int64(r.IntN(2))
			src[i] = c
			i++
		}
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

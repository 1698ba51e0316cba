package dataset

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lakeops/lakeops/etl/csvread"
)

// orderItemsLines are n order_items lines shaped as gen writes them.
func orderItemsLines(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		day := 1 + r.IntN(15)
		out[i] = fmt.Appendf(nil, "%d,%d,%d,%d,%d,%d,%d,2025-04-%02dT%02d:%02d:%02d,2025-04-%02d",
			4_000_000+i, 1_200_000+i/5, 1+r.IntN(200_000), r.IntN(31), 1+r.IntN(50_000), 1+r.IntN(10), r.IntN(2),
			day, r.IntN(24), r.IntN(60), r.IntN(60), day)
	}
	return out
}

// BenchmarkCheckOrderItems splits and checks order_items lines as the
// row pass's checkers do (csvread.SplitPlain, then Check).
func BenchmarkCheckOrderItems(b *testing.B) {
	lines := orderItemsLines(100_000)
	d, err := ByName(OrderItems)
	if err != nil {
		b.Fatal(err)
	}
	m, err := d.MapHeader(bytes.Split([]byte("id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date"), []byte(",")))
	if err != nil {
		b.Fatal(err)
	}
	chk := m.NewChecker()
	vals := make([]Value, len(d.Columns))
	var fields [][]byte
	var reasons []string
	rejected := 0
	b.ResetTimer()
	for range b.N {
		for _, l := range lines {
			var ascii bool
			fields, ascii = csvread.SplitPlain(l, fields[:0])
			if reasons = chk.Check(fields, l, ascii, vals, reasons[:0]); len(reasons) > 0 {
				rejected++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/line")
	if rejected != 0 {
		b.Fatalf("%d valid lines rejected", rejected)
	}
}

package pipeline

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
)

// Kept rows give back every cell as added, whether a column's strings and
// nulls start at its first row, later, or never.
func TestKeptRowsGiveBackTheCells(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const ncol, rows = 5, 3000
	var all []dataset.Value
	for i := range rows {
		for c := range ncol {
			v := dataset.Value{I: r.Int64N(1000) - 500}
			switch {
			case c == 1 && i >= 700 && r.IntN(3) == 0: // strings from row 700
				v = dataset.Value{S: fmt.Sprint("s", i)}
			case c == 2 && r.IntN(4) == 0: // nulls from the start
				v = dataset.Value{Null: true}
			case c == 3 && i > 2500 && r.IntN(2) == 0: // both, late
				v = dataset.Value{S: "x", Null: i%2 == 0}
			}
			all = append(all, v)
		}
	}
	k := newKeptRows(ncol, 10)
	for off := 0; off < rows; { // batches of uneven sizes
		n := min(1+r.IntN(400), rows-off)
		k.add(all[off*ncol:(off+n)*ncol], n)
		off += n
	}
	if k.n != rows {
		t.Fatalf("kept %d rows, want %d", k.n, rows)
	}
	if k.strs[0] != nil || k.nulls[0] != nil || k.strs[4] != nil || k.nulls[4] != nil {
		t.Error("a column of integers only keeps strings or nulls")
	}
	got := make([]dataset.Value, ncol)
	for i := range rows {
		k.row(i, got)
		for c := range ncol {
			if got[c] != all[i*ncol+c] {
				t.Fatalf("row %d column %d: %+v, want %+v", i, c, got[c], all[i*ncol+c])
			}
		}
	}
}

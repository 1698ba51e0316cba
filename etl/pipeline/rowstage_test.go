package pipeline

import (
	"fmt"
	"slices"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
)

// TestRowStageGroupsByPartitionInInputOrder: staged rows come out
// partition by partition, partitions in the order they first came, each
// partition's rows in input order, with integer partitions whose low bits
// collide, a null partition and string partitions.
func TestRowStageGroupsByPartitionInInputOrder(t *testing.T) {
	var parts []dataset.Value
	for i := range 5 {
		parts = append(parts, dataset.Value{I: int64(i * 64)}) // one slot for all five
	}
	parts = append(parts, dataset.Value{Null: true}, dataset.Value{S: "a"}, dataset.Value{S: "b"}, dataset.Value{I: 3})
	var s rowStage
	var want [][]string
	wantParts := map[dataset.Value]int{}
	var order []dataset.Value
	for i := range 500 {
		p := parts[(i*7+i/3)%len(parts)]
		if _, ok := wantParts[p]; !ok {
			wantParts[p] = len(order)
			order = append(order, p)
			want = append(want, nil)
		}
		row := []dataset.Value{{I: int64(i)}, p, {S: fmt.Sprint("row ", i)}}
		want[wantParts[p]] = append(want[wantParts[p]], row[2].S)
		if full := s.add(p, row); full {
			t.Fatalf("full after %d rows", i+1)
		}
	}
	var got [][]string
	var gotOrder []dataset.Value
	err := s.grouped(func(p dataset.Value, row []dataset.Value) error {
		if row[1] != p {
			t.Fatalf("row %v handed with partition %v", row, p)
		}
		if len(gotOrder) == 0 || gotOrder[len(gotOrder)-1] != p {
			gotOrder = append(gotOrder, p)
			got = append(got, nil)
		}
		got[len(got)-1] = append(got[len(got)-1], row[2].S)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotOrder, order) {
		t.Fatalf("partitions %v, want %v", gotOrder, order)
	}
	for g := range want {
		if !slices.Equal(got[g], want[g]) {
			t.Fatalf("partition %v: rows %v, want %v", order[g], got[g], want[g])
		}
	}
	s.reset()
	for i := range stageRows - 1 {
		if s.add(parts[0], []dataset.Value{{I: int64(i)}}) {
			t.Fatalf("full after %d rows", i+1)
		}
	}
	if !s.add(parts[0], []dataset.Value{{}}) {
		t.Fatalf("not full after %d rows", stageRows)
	}
}

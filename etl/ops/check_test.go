package ops

import (
	"slices"
	"testing"

	"github.com/lakeops/lakeops/etl/dataset"
)

func TestRecheck(t *testing.T) {
	ds, _ := dataset.ByName(dataset.Orders)
	hdr := "order_num,order_id,user_id,order_timestamp,total_amount,date"
	row, err := recheck(ds, hdr, []byte("1,10,x,2025-04-01T10:00:00Z,-5,2025-04-02"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"type:user_id", "range:total_amount", "mismatch:date"}
	if !slices.Equal(row.Reasons, want) {
		t.Fatalf("reasons %v", row.Reasons)
	}
	if !slices.Equal(row.Bad, []bool{false, false, true, true, true, true}) {
		t.Fatalf("bad %v", row.Bad)
	}
	if row.Cells[2] != "x" {
		t.Fatalf("cells %v", row.Cells)
	}
	row, err = recheck(ds, hdr, []byte(`1,"10`))
	if err != nil || !slices.Equal(row.Reasons, []string{"malformed"}) || row.Raw == "" {
		t.Fatalf("malformed: %+v %v", row, err)
	}
	row, _ = recheck(ds, hdr, []byte("1,2,3"))
	if !slices.Equal(row.Reasons, []string{"malformed"}) || row.Cells[1] != "2" {
		t.Fatalf("short record: %+v", row)
	}
	if _, err := recheck(ds, "a,b", nil); err == nil {
		t.Fatal("bad header accepted")
	}
}

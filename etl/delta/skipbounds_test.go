package delta_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/etl/delta"
)

// SkipBounds leaves the Parquet min and max out for the named column only;
// the Delta statistics keep them.
func TestSkipBoundsDropsParquetBoundsOfThatColumnOnly(t *testing.T) {
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	schema := &delta.StructType{Fields: []delta.StructField{
		{Name: "id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "raw", Type: delta.Primitive(delta.TypeString)},
		{Name: "name", Type: delta.Primitive(delta.TypeString)},
	}}
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		t.Fatal(err)
	}
	fw.SkipBounds("raw")
	pf := fw.Open(ctx, map[string]*string{})
	for i := range 5000 {
		if err := pf.WriteCells([]delta.Cell{{I: int64(i)}, {S: fmt.Sprintf("line %05d,x", i)}, {S: fmt.Sprintf("n%d", i%7)}}); err != nil {
			t.Fatal(err)
		}
	}
	add, err := pf.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, add.Path))
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range f.Metadata().RowGroups {
		for _, cc := range rg.Columns {
			name, st := cc.MetaData.PathInSchema[0], cc.MetaData.Statistics
			hasBounds := st.MinValue != nil || st.MaxValue != nil
			if want := name != "raw"; hasBounds != want {
				t.Errorf("column %s: Parquet min/max present = %v, want %v", name, hasBounds, want)
			}
		}
	}
	st, err := delta.ParseStats(add.Stats)
	if err != nil {
		t.Fatal(err)
	}
	if st.MinValues["raw"] != "line 00000,x" || st.MaxValues["raw"] != "line 04999,x" {
		t.Fatalf("Delta stats of raw: min %v max %v", st.MinValues["raw"], st.MaxValues["raw"])
	}
}

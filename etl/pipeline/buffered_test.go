package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/internal/interop"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// TestBufferedRowsBoundRowGroupsOfInterleavedRows: one file whose rows
// cycle through six dates, loaded with room for 6,144 buffered rows, makes
// data files whose row groups hold at most 1,024 rows (the share of each of
// the six open files), every page readable by arrow-go's page reader as
// Spark 3.1 and Parquet 1.0 engines need it; the table holds what the same
// rows give with their dates in order and the default buffer (whose row
// groups are bigger).
func TestBufferedRowsBoundRowGroupsOfInterleavedRows(t *testing.T) {
	ctx := context.Background()
	raw := t.TempDir()
	if _, err := gen.Generate(ctx, raw, gen.Options{Orders: 3000, Days: 6, Dirty: 0.02, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	days, err := filepath.Glob(filepath.Join(raw, "order_items", "*.csv"))
	if err != nil || len(days) != 6 {
		t.Fatalf("%v %v", days, err)
	}
	var header string
	var perDay [][]string
	for _, p := range days {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		header = lines[0]
		perDay = append(perDay, lines[1:])
	}
	var inOrder, interleaved strings.Builder
	inOrder.WriteString(header + "\n")
	interleaved.WriteString(header + "\n")
	for _, lines := range perDay {
		inOrder.WriteString(strings.Join(lines, "\n") + "\n")
	}
	for i := 0; ; i++ {
		wrote := false
		for _, lines := range perDay {
			if i < len(lines) {
				interleaved.WriteString(lines[i] + "\n")
				wrote = true
			}
		}
		if !wrote {
			break
		}
	}
	load := func(items string, limits pipeline.Limits) (map[int64][]string, string) {
		lk, dir := newLake(t)
		putTree(t, lk, raw)
		for _, p := range days {
			if err := lk.Store.Delete(ctx, "bronze_layer/order_items/"+filepath.Base(p)); err != nil {
				t.Fatal(err)
			}
		}
		putFile(t, lk.Store, "bronze_layer/order_items/items.csv", items)
		if sum, err := pipeline.Run(ctx, lk, pipeline.Options{Limits: limits}); err != nil || sum.Failed() {
			t.Fatalf("%v %+v", err, sum)
		}
		rows, _ := tableByKey(t, lk, "order_items", "id")
		return rows, dir
	}
	want, inOrderDir := load(inOrder.String(), pipeline.Limits{})
	got, dir := load(interleaved.String(), pipeline.Limits{BufferedRows: 6 * 1024})
	if len(got) != len(want) || len(got) < 10_000 {
		t.Fatalf("%d rows interleaved, %d in order", len(got), len(want))
	}
	for k, row := range want {
		if !slices.Equal(got[k], row) {
			t.Fatalf("id %d: %v interleaved, %v in order", k, got[k], row)
		}
	}
	groups := func(dir string) (most int, files int) {
		paths, err := filepath.Glob(filepath.Join(dir, "silver_layer", "order_items", "date=*", "*.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := interop.CheckPages(data); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			r, err := file.NewParquetReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			for g := range r.NumRowGroups() {
				most = max(most, int(r.RowGroup(g).NumRows()))
			}
			r.Close()
		}
		return most, len(paths)
	}
	if most, files := groups(dir); files != 6 || most != 1024 {
		t.Errorf("interleaved with 6,144 buffered rows: %d files, row groups of up to %d rows; want 6 files, 1,024", files, most)
	}
	if most, _ := groups(inOrderDir); most <= 1024 {
		t.Errorf("in order with the default buffer: row groups of up to %d rows; the bound would not be shown", most)
	}
}

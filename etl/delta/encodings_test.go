package delta_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/internal/interop"
)

// writeCellsFile writes rows of cells as one data file of a new table
// (created with the given configuration) and returns the file's bytes.
func writeCellsFile(t *testing.T, schema *delta.StructType, config map[string]string, rows [][]delta.Cell) (*delta.Snapshot, *delta.Add, []byte) {
	t.Helper()
	ctx := context.Background()
	tbl, dir := newFolderTable(t)
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: schema, Configuration: config})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := delta.NewFileWriterFor(snap)
	if err != nil {
		t.Fatal(err)
	}
	pf := fw.Open(ctx, map[string]*string{})
	for _, r := range rows {
		if err := pf.WriteCells(r); err != nil {
			t.Fatal(err)
		}
	}
	add, err := pf.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx := snap.NewTransaction()
	tx.Add(add)
	if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	if snap, err = tbl.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, add.Path))
	if err != nil {
		t.Fatal(err)
	}
	return snap, add, data
}

func itemsCells(n int) [][]delta.Cell {
	r := rand.New(rand.NewPCG(3, 4))
	rows := make([][]delta.Cell, n)
	for i := range rows {
		c := make([]delta.Cell, 9)
		c[0].I = int64(i)              // id: unique, PLAIN
		c[1].I = int64(i / 5)          // order_id: runs, PLAIN
		c[2].I = r.Int64N(1_000_000)   // user_id
		c[3].I = int64(r.IntN(31))     // days_since_prior_order: few values, dictionary
		c[3].Null = i%17 == 0          //
		c[4].I = int64(r.IntN(12))     // product_id: few values, dictionary
		c[5].I = int64(1 + i%5)        // add_to_cart_order
		c[6].I = int64(i % 2)          // reordered
		c[7].I = 1_743_465_600_000_000 // order_timestamp
		c[8].I = 20179                 // date
		rows[i] = c
	}
	return rows
}

// TestEncodingsProperty: by default a file is compatible (v1 pages, PLAIN
// and dictionary pages, Snappy: CheckPages passes) and low-cardinality
// columns get a dictionary; with lakeops.parquet.encodings=delta it is
// DATA_PAGE_V2 with DELTA_BINARY_PACKED, which CheckPages refuses; both read
// back the same; an unknown value is refused naming the property.
func TestEncodingsProperty(t *testing.T) {
	rows := itemsCells(20_000)
	_, _, compat := writeCellsFile(t, orderItemsSchema(), nil, rows)
	sum, err := interop.CheckPages(compat)
	if err != nil {
		t.Fatalf("default encodings: %v", err)
	}
	if sum.Encodings["PLAIN"] == 0 || sum.Encodings["RLE_DICTIONARY"] == 0 || sum.DictionaryPages == 0 {
		t.Errorf("default encodings: pages %+v, want PLAIN and dictionary pages", sum)
	}
	snapDelta, _, fast := writeCellsFile(t, orderItemsSchema(), map[string]string{delta.EncodingsProperty: delta.EncodingsDelta}, rows)
	if _, err := interop.CheckPages(fast); err == nil || !strings.Contains(err.Error(), "DATA_PAGE_V2") || !strings.Contains(err.Error(), "DELTA_BINARY_PACKED") {
		t.Errorf("delta encodings: CheckPages = %v, want DATA_PAGE_V2 DELTA_BINARY_PACKED pages", err)
	}
	if len(fast) >= len(compat) {
		t.Errorf("delta encodings wrote %d bytes, compatible %d; want smaller", len(fast), len(compat))
	}
	n := 0
	for row, err := range snapDelta.Rows(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if want := rows[n][0].I; row[0] != want {
			t.Fatalf("row %d: id %v, want %d", n, row[0], want)
		}
		n++
	}
	if n != len(rows) {
		t.Fatalf("read %d rows, want %d", n, len(rows))
	}
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: orderItemsSchema(), Configuration: map[string]string{delta.EncodingsProperty: "zstd"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := delta.NewFileWriterFor(snap); err == nil || !strings.Contains(err.Error(), delta.EncodingsProperty) {
		t.Errorf("unknown encodings value: %v, want an error naming %s", err, delta.EncodingsProperty)
	}
}

// TestDictionaryFallsBackToPlain: a string column with eight values in its
// first rows gets a dictionary; when distinct long strings follow in
// the same row group, the dictionary outgrows 1 MiB and the rest of the
// column chunk is PLAIN, as parquet-mr falls back. DuckDB reads every value.
func TestDictionaryFallsBackToPlain(t *testing.T) {
	schema := &delta.StructType{Fields: []delta.StructField{{Name: "s", Type: delta.Primitive(delta.TypeString), Nullable: true}}}
	var rows [][]delta.Cell
	for i := 0; i < 2048; i++ {
		rows = append(rows, []delta.Cell{{S: fmt.Sprintf("v%d", i%8)}})
	}
	for i := 0; i < 24_000; i++ {
		rows = append(rows, []delta.Cell{{S: fmt.Sprintf("%0200d", i)}})
	}
	snap, add, data := writeCellsFile(t, schema, nil, rows)
	sum, err := interop.CheckPages(data)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Encodings["RLE_DICTIONARY"] == 0 || sum.Encodings["PLAIN"] == 0 {
		t.Fatalf("pages %+v: want dictionary pages, then PLAIN ones", sum)
	}
	key, err := snap.Table().DataKey(add.Path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dir := strings.TrimPrefix(snap.Table().Store().URI(), "file://")
	var total, distinct int
	q := fmt.Sprintf("SELECT count(*), count(DISTINCT s) FROM read_parquet('%s')", filepath.Join(dir, key))
	if err := db.QueryRow(q).Scan(&total, &distinct); err != nil {
		t.Fatal(err)
	}
	if total != len(rows) || distinct != 24_008 {
		t.Fatalf("duckdb read %d rows, %d distinct; want %d and 24008", total, distinct, len(rows))
	}
}

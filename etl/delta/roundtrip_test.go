package delta_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// itemsSchema has every column type the datasets use (order_items plus a
// decimal amount and a string), with nullable and required columns.
func itemsSchema() *delta.StructType {
	return &delta.StructType{Fields: []delta.StructField{
		{Name: "id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "order_id", Type: delta.Primitive(delta.TypeLong)},
		{Name: "days_since_prior_order", Type: delta.Primitive(delta.TypeInteger), Nullable: true},
		{Name: "reordered", Type: delta.Primitive(delta.TypeBoolean), Nullable: true},
		{Name: "department", Type: delta.Primitive(delta.TypeString), Nullable: true},
		{Name: "total_amount", Type: &delta.DecimalType{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "order_timestamp", Type: delta.Primitive(delta.TypeTimestamp), Nullable: true},
		{Name: "date", Type: delta.Primitive(delta.TypeDate), Nullable: true},
	}}
}

func makeRow(r *rand.Rand, id int64) []any {
	ts := time.Date(2024, 3, 1+r.IntN(5), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1e6)*1000, time.UTC)
	row := []any{id, r.Int64N(1000), int32(r.IntN(30)), r.IntN(2) == 1, fmt.Sprintf("dept, \"%d\"\n", r.IntN(9)),
		parquetrows.Decimal{Unscaled: big.NewInt(r.Int64N(1e8) - 5e7), Scale: 2, Precision: 12},
		ts, parquetrows.Date(ts.Unix() / 86400)}
	if id%7 == 0 { // nulls in every nullable column
		for i := 2; i < len(row)-1; i++ {
			row[i] = nil
		}
	}
	return row
}

func partitionOf(row []any) map[string]*string {
	if row[7] == nil {
		return map[string]*string{"date": nil}
	}
	s := row[7].(parquetrows.Date).String()
	return map[string]*string{"date": &s}
}

func newFolderTable(t *testing.T) (*delta.Table, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return delta.NewTable(st, "tbl"), filepath.Join(dir, "tbl")
}

// writeHistory creates a table and runs 14 commits of appends, rewrites and
// deletes; it returns the rows the latest version must hold, keyed by id.
func writeHistory(t *testing.T, tbl *delta.Table, partitioned bool) map[int64][]any {
	return writeVersions(t, tbl, partitioned, 14)
}

// writeVersions is writeHistory with the given number of commits after the
// create. Every commit also records a txn for one of two writers ("even"
// and "odd", the first at version 0), so checkpoints hold txn actions.
func writeVersions(t *testing.T, tbl *delta.Table, partitioned bool, versions int) map[int64][]any {
	ctx := context.Background()
	var parts []string
	if partitioned {
		parts = []string{"date"}
	}
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema(), PartitionColumns: parts})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	want := map[int64][]any{}
	fileRows := map[string][][]any{} // path -> rows
	nextID := int64(1)
	for v := 1; v <= versions; v++ {
		fw, err := delta.NewFileWriter(tbl, snap.Schema(), snap.PartitionColumns())
		if err != nil {
			t.Fatal(err)
		}
		tx := snap.NewTransaction()
		// Append a batch, split by partition.
		groups := map[string][][]any{}
		pvs := map[string]map[string]*string{}
		for i := 0; i < 40; i++ {
			row := makeRow(r, nextID)
			nextID++
			pv := map[string]*string{}
			if partitioned {
				pv = partitionOf(row)
			}
			k := delta.PartitionKey(parts, pv)
			groups[k] = append(groups[k], row)
			pvs[k] = pv
			want[row[0].(int64)] = row
		}
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add, err := fw.WriteFile(ctx, pvs[k], groups[k])
			if err != nil {
				t.Fatal(err)
			}
			tx.Add(add)
			fileRows[add.Path] = groups[k]
		}
		// Every third version, rewrite the oldest file without its even ids.
		if v%3 == 0 {
			old := snap.Files()[0]
			tx.Remove(old, true)
			var keep [][]any
			for _, row := range fileRows[old.Path] {
				if row[0].(int64)%2 == 0 {
					delete(want, row[0].(int64))
				} else {
					keep = append(keep, row)
				}
			}
			if len(keep) > 0 {
				add, err := fw.WriteFile(ctx, old.PartitionValues, keep)
				if err != nil {
					t.Fatal(err)
				}
				tx.Add(add)
				fileRows[add.Path] = keep
			}
		}
		tx.SetTxn([]string{"even", "odd"}[v%2], int64(v/2))
		got, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"})
		if err != nil {
			t.Fatalf("commit %d: %v", v, err)
		}
		if got != int64(v) {
			t.Fatalf("commit landed at version %d, want %d", got, v)
		}
		if snap, err = tbl.Snapshot(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return want
}

func rowText(row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = rowfmt.Text(v)
	}
	return strings.Join(parts, "|")
}

func sortedTexts(rows map[int64][]any) []string {
	var out []string
	for _, r := range rows {
		out = append(out, rowText(r))
	}
	sort.Strings(out)
	return out
}

func TestRoundTripOwnReaderAndDuckDB(t *testing.T) {
	for _, partitioned := range []bool{false, true} {
		t.Run(fmt.Sprintf("partitioned=%v", partitioned), func(t *testing.T) {
			ctx := context.Background()
			tbl, dir := newFolderTable(t)
			want := writeHistory(t, tbl, partitioned)
			// A checkpoint was written at version 10 and the hint points at it.
			hint, err := storage.ReadAll(ctx, tbl.Store(), "tbl/_delta_log/_last_checkpoint")
			if err != nil || !strings.Contains(string(hint), `"version":10`) {
				t.Fatalf("_last_checkpoint = %s, %v", hint, err)
			}
			snap, err := tbl.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if snap.Version() != 14 {
				t.Fatalf("version %d, want 14", snap.Version())
			}
			got := map[int64][]any{}
			for row, err := range snap.Rows(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				if _, dup := got[row[0].(int64)]; dup {
					t.Fatalf("id %d read twice", row[0])
				}
				got[row[0].(int64)] = row
			}
			g, w := sortedTexts(got), sortedTexts(want)
			if strings.Join(g, "\n") != strings.Join(w, "\n") {
				t.Fatalf("own reader: %d rows differ from the %d written", len(g), len(w))
			}
			// The checkpoint alone must reproduce the state: drop commits 0..10 and read again.
			for v := int64(0); v <= 10; v++ {
				if err := tbl.Store().Delete(ctx, "tbl/_delta_log/"+delta.CommitName(v)); err != nil {
					t.Fatal(err)
				}
			}
			fromCkpt, err := tbl.Snapshot(ctx)
			if err != nil {
				t.Fatalf("snapshot from checkpoint: %v", err)
			}
			if a, b := fmt.Sprint(paths(fromCkpt)), fmt.Sprint(paths(snap)); a != b {
				t.Fatalf("files from checkpoint differ:\n%s\n%s", a, b)
			}
			compareWithDuckDB(t, snap, dir, w, partitioned)
		})
	}
}

func paths(s *delta.Snapshot) []string {
	var out []string
	for _, a := range s.Files() {
		out = append(out, a.Path)
	}
	return out
}

// compareWithDuckDB reads the snapshot's files with DuckDB's read_parquet and
// compares the rows, rendered the same way, with what was written.
func compareWithDuckDB(t *testing.T, snap *delta.Snapshot, dir string, want []string, partitioned bool) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var files []string
	for _, a := range snap.Files() {
		key, err := snap.Table().DataKey(a.Path)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, "'"+filepath.Join(filepath.Dir(dir), key)+"'")
	}
	opts := ""
	if partitioned {
		opts = ", hive_partitioning = true, hive_types = {'date': DATE}"
	}
	q := fmt.Sprintf(`SELECT id, order_id, days_since_prior_order, reordered, department, CAST(total_amount AS VARCHAR),
		epoch_us(order_timestamp), CAST(date AS VARCHAR) FROM read_parquet([%s]%s)`, strings.Join(files, ","), opts)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("duckdb: %v", err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, orderID int64
		var days sql.NullInt32
		var reordered sql.NullBool
		var dept, amount, date sql.NullString
		var micros sql.NullInt64
		if err := rows.Scan(&id, &orderID, &days, &reordered, &dept, &amount, &micros, &date); err != nil {
			t.Fatal(err)
		}
		cells := []string{strconv.FormatInt(id, 10), strconv.FormatInt(orderID, 10), nullText(days.Valid, strconv.Itoa(int(days.Int32))),
			nullText(reordered.Valid, strconv.FormatBool(reordered.Bool)), nullText(dept.Valid, dept.String),
			nullText(amount.Valid, amount.String), nullText(micros.Valid, time.UnixMicro(micros.Int64).UTC().Format(rowfmt.TimestampLayout)),
			nullText(date.Valid, strings.TrimSuffix(date.String, "T00:00:00Z"))}
		got = append(got, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if len(got) != len(want) {
		t.Fatalf("duckdb read %d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("duckdb row %d:\n got  %q\n want %q", i, got[i], want[i])
		}
	}
}

func nullText(valid bool, s string) string {
	if !valid {
		return ""
	}
	return s
}

// TestWriteCellsMatchesWrite writes the same rows boxed and as cells: the
// files read back the same and carry the same stats.
func TestWriteCellsMatchesWrite(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	snap, err := tbl.Create(ctx, delta.CreateOptions{Schema: itemsSchema()})
	if err != nil {
		t.Fatal(err)
	}
	fw, err := delta.NewFileWriter(tbl, snap.Schema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	boxed, cells := fw.Open(ctx, nil), fw.Open(ctx, nil)
	for id := int64(1); id <= 3000; id++ {
		row := makeRow(r, id)
		if err := boxed.Write(row); err != nil {
			t.Fatal(err)
		}
		c := make([]delta.Cell, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case nil:
				c[i].Null = true
			case int64:
				c[i].I = x
			case int32:
				c[i].I = int64(x)
			case bool:
				if x {
					c[i].I = 1
				}
			case string:
				c[i].S = x
			case parquetrows.Decimal:
				c[i].I = x.Unscaled.Int64()
			case time.Time:
				c[i].I = x.UnixMicro()
			case parquetrows.Date:
				c[i].I = int64(x)
			}
		}
		if err := cells.WriteCells(c); err != nil {
			t.Fatal(err)
		}
	}
	a1, err := boxed.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := cells.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Stats != a2.Stats {
		t.Fatalf("stats differ:\n%s\n%s", a1.Stats, a2.Stats)
	}
	tx := snap.NewTransaction()
	tx.Add(a1)
	if _, err := tx.Commit(ctx, delta.Operation{Name: "WRITE"}); err != nil {
		t.Fatal(err)
	}
	snap, _ = tbl.Snapshot(ctx)
	var t1, t2 []string
	for row, err := range snap.FileRows(ctx, a1) {
		if err != nil {
			t.Fatal(err)
		}
		t1 = append(t1, rowText(row))
	}
	for row, err := range snap.FileRows(ctx, a2) {
		if err != nil {
			t.Fatal(err)
		}
		t2 = append(t2, rowText(row))
	}
	if len(t1) != 3000 || strings.Join(t1, "\n") != strings.Join(t2, "\n") {
		t.Fatalf("rows differ (%d vs %d)", len(t1), len(t2))
	}
}

// TestInt64ColumnMatchesProject reads the key column of a table with a
// history (updates, removes, a checkpoint) both ways.
func TestInt64ColumnMatchesProject(t *testing.T) {
	ctx := context.Background()
	tbl, _ := newFolderTable(t)
	writeHistory(t, tbl, true)
	snap, err := tbl.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []int64
	for row, err := range snap.Project(ctx, "id") {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, row[0].(int64))
	}
	if err := snap.Int64Column(ctx, "id", func(v []int64) error { got = append(got, v...); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("Int64Column gave %d ids, Project %d", len(got), len(want))
	}
	if err := snap.Int64Column(ctx, "date", func([]int64) error { return nil }); !errors.Is(err, parquetrows.ErrNotInt64) {
		t.Fatalf("partition column: %v", err)
	}
}

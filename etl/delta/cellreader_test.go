package delta_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/delta/deltatest"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
)

// cellColumns are the columns of a snapshot a Cell can hold.
func cellColumns(snap *delta.Snapshot) []string {
	var out []string
	for _, f := range snap.Schema().Fields {
		switch t := f.Type.(type) {
		case *delta.PrimitiveType:
			switch t.Name {
			case delta.TypeFloat, delta.TypeDouble, delta.TypeTimestampNtz:
				continue
			}
		case *delta.DecimalType:
		default:
			continue
		}
		out = append(out, f.Name)
	}
	return out
}

// checkCells compares the cells of every file of a snapshot, read with a
// CellReader in batches of the given size, with CellOf of the row path's
// values; when the row path fails on a file, or CellOf on one of its values
// (a decimal wider than 18 digits), the cell reader must fail too, and the
// rows before agree (read one by one, it fails at the same row). It returns
// the rows compared.
func checkCells(t *testing.T, snap *delta.Snapshot, cols []string, batch int) int {
	t.Helper()
	ctx := context.Background()
	fields := make([]delta.StructField, len(cols))
	for i, c := range cols {
		fields[i] = *snap.Schema().Field(c)
	}
	rows := 0
	for _, a := range snap.Files() {
		var want [][]delta.Cell
		var werr error
		for row, err := range snap.ProjectFile(ctx, a, cols...) {
			if err != nil {
				werr = err
				break
			}
			cells := make([]delta.Cell, len(row))
			for i, v := range row {
				c, err := delta.CellOf(v, fields[i].Type)
				if err != nil && werr == nil {
					werr = err
				}
				cells[i] = c
			}
			if werr != nil {
				break
			}
			want = append(want, cells)
		}
		got, gerr := readCells(ctx, snap, a, cols, batch)
		switch {
		case werr != nil && gerr == nil:
			t.Fatalf("%s: the row path fails (%v), the cell reader does not", a.Path, werr)
		case werr == nil && gerr != nil:
			t.Fatalf("%s: %v", a.Path, gerr)
		case werr != nil && batch == 1 && len(got) != len(want):
			t.Fatalf("%s: the cell reader fails after %d rows (%v), the row path after %d (%v)", a.Path, len(got), gerr, len(want), werr)
		case werr == nil && len(got) != len(want), len(got) > len(want):
			t.Fatalf("%s: %d rows of cells, the row path %d", a.Path, len(got), len(want))
		}
		want = want[:len(got)] // up to where both fail
		for r := range want {
			for i := range want[r] {
				if got[r][i] != want[r][i] {
					t.Fatalf("%s row %d column %s: cell %+v, the row path's %+v", a.Path, r, cols[i], got[r][i], want[r][i])
				}
			}
		}
		rows += len(want)
	}
	return rows
}

func readCells(ctx context.Context, snap *delta.Snapshot, a *delta.Add, cols []string, batch int) ([][]delta.Cell, error) {
	sc, err := snap.ScanFile(ctx, a, cols...)
	if err != nil {
		return nil, err
	}
	r, err := sc.CellReader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]delta.Cell, batch*len(cols))
	var out [][]delta.Cell
	for {
		n, err := r.Read(buf, batch)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		for i := range n {
			out = append(out, append([]delta.Cell(nil), buf[i*len(cols):(i+1)*len(cols)]...))
		}
	}
}

// TestCellReaderMatchesRowPathOnCorpus reads every table of the conformance
// corpus (Spark, Delta standalone and delta-rs files: INT96 and millisecond
// timestamps, decimals in INT32, INT64 and byte arrays, dictionary pages,
// v2 pages, column mapping by name and id, deletion vectors, partition
// values) as cells and compares them with the row path.
func TestCellReaderMatchesRowPathOnCorpus(t *testing.T) {
	tables, rows := 0, 0
	for _, ct := range loadIndex(t) {
		t.Run(ct.name, func(t *testing.T) {
			snap, err := openCorpusTable(t, ct.dir).Snapshot(context.Background())
			if err != nil {
				return // tables the reader refuses (see TestConformanceCorpus)
			}
			cols := cellColumns(snap)
			if len(cols) == 0 {
				return
			}
			tables++
			for _, batch := range []int{1, 7, 4096} {
				n := checkCells(t, snap, cols, batch)
				if batch == 4096 {
					rows += n
				}
			}
		})
	}
	t.Logf("%d tables, %d rows the same", tables, rows)
	if tables < 50 || rows < 1000 {
		t.Fatalf("only %d tables, %d rows", tables, rows)
	}
}

// TestCellReaderMatchesRowPathOnGeneratedLake runs the pipeline on
// generated dirty raw files and compares every table of the lake (silver
// with partition values and nulls, rejects with long strings, the ledger)
// read as cells with the row path, also in a column order other than the
// schema's.
func TestCellReaderMatchesRowPathOnGeneratedLake(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(ctx, filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 2000, Days: 3, Dirty: 0.1, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	lk := lake.New(st)
	if _, err := pipeline.Run(ctx, lk, pipeline.Options{}); err != nil {
		t.Fatal(err)
	}
	tables := []*delta.Table{lk.LedgerTable()}
	for _, d := range dataset.All() {
		tables = append(tables, lk.Silver(d.Name), lk.Rejected(d.Name))
	}
	total := 0
	for _, tbl := range tables {
		snap, err := tbl.Snapshot(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tbl.URI(), err)
		}
		cols := cellColumns(snap)
		reversed := make([]string, len(cols))
		for i, c := range cols {
			reversed[len(cols)-1-i] = c
		}
		n := checkCells(t, snap, cols, 1000)
		if n == 0 {
			t.Fatalf("%s is empty", tbl.URI())
		}
		if m := checkCells(t, snap, reversed, 333); m != n {
			t.Fatalf("%s: %d rows in reverse column order, %d in order", tbl.URI(), m, n)
		}
		total += n
	}
	t.Logf("%d rows the same", total)
}

// TestCellReaderRefusesWhatCellsCannotHold names the column.
func TestCellReaderRefusesWhatCellsCannotHold(t *testing.T) {
	for _, ct := range loadIndex(t) {
		if ct.name != "parquet-all-types" {
			continue
		}
		snap, err := openCorpusTable(t, ct.dir).Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range snap.Schema().Fields {
			p, ok := f.Type.(*delta.PrimitiveType)
			if !ok || p.Name != delta.TypeDouble {
				continue
			}
			sc, err := snap.ScanFile(context.Background(), snap.Files()[0], f.Name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = sc.CellReader()
			if !errors.Is(err, delta.ErrNotCells) || !strings.Contains(err.Error(), f.Name) {
				t.Fatalf("a double column: %v, want ErrNotCells naming %s", err, f.Name)
			}
			return
		}
		t.Fatal("no double column in parquet-all-types")
	}
	t.Fatal("no parquet-all-types table in the corpus")
}

// TestCellReaderMatchesRowPathOnEveryStorage reads the columns a Cell can
// hold of a table with every primitive type stored in every way (see
// deltatest.WideTable) as cells: typed where the vector holds the cell,
// value by value where it does not (INT96, an integer out of a narrower
// column's range, a decimal at another scale), in batches that cross pages
// and row groups.
func TestCellReaderMatchesRowPathOnEveryStorage(t *testing.T) {
	dir := t.TempDir()
	rows := deltatest.WideTable(t, dir)
	snap, err := openCorpusTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var cols []string // every column but dec38, whose big values no cell holds
	for _, c := range cellColumns(snap) {
		if c != "dec38" {
			cols = append(cols, c)
		}
	}
	if len(cols) < 15 {
		t.Fatalf("only %d columns: %v", len(cols), cols)
	}
	for _, batch := range []int{1, 333, 4096} {
		if n := checkCells(t, snap, cols, batch); n != int(rows) {
			t.Fatalf("%d rows compared, the table has %d", n, rows)
		}
	}
	// dec38: the values that fit are cells; the first that does not fails.
	if n := checkCells(t, snap, []string{"id", "dec38"}, 1); n == 0 {
		t.Fatal("no decimal(38,6) row read as cells")
	}
}

// TestCellReaderOutOfRangeNamesTheColumn: an INT64 value beyond an integer
// column's range fails as the row path fails, naming the file and column.
func TestCellReaderOutOfRangeNamesTheColumn(t *testing.T) {
	dir := t.TempDir()
	schema := parquet.NewSchema("t", parquet.Group{"n": parquet.Int(64)})
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	if _, err := w.WriteRows([]parquet.Row{{parquet.Int64Value(1)}, {parquet.Int64Value(1 << 40)}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f.parquet"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	deltatest.WriteLog(t, dir, 0,
		delta.Action{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
		delta.Action{MetaData: &delta.Metadata{ID: "t", Format: delta.Format{Provider: "parquet"},
			SchemaString: `{"type":"struct","fields":[{"name":"n","type":"integer","nullable":true,"metadata":{}}]}`}},
		delta.Action{Add: &delta.Add{Path: "f.parquet", PartitionValues: map[string]*string{}, Size: int64(buf.Len()), DataChange: true}})
	snap, err := openCorpusTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = readCells(context.Background(), snap, snap.Files()[0], []string{"n"}, 10)
	if err == nil || !strings.Contains(err.Error(), "f.parquet") || !strings.Contains(err.Error(), "column n") || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("error does not name the file and column: %v", err)
	}
}

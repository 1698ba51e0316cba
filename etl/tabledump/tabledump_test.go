package tabledump_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/delta/deltatest"
	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/etl/rowfmt"
	"github.com/lakeops/lakeops/etl/tabledump"
)

// rowPath is how table read wrote a snapshot before this package: the rows
// of Snapshot.Rows through rowfmt's writers. It is the reference the fast
// path must equal byte for byte.
func rowPath(ctx context.Context, snap *delta.Snapshot, format tabledump.Format) ([]byte, error) {
	var b bytes.Buffer
	cols := snap.Schema().Names()
	var w rowfmt.Writer
	if format == tabledump.CSV {
		var err error
		if w, err = rowfmt.NewCSV(&b, cols); err != nil {
			return nil, err
		}
	} else {
		w = rowfmt.NewJSONL(&b, cols)
	}
	for row, err := range snap.Rows(ctx) {
		if err != nil {
			return b.Bytes(), err
		}
		if err := w.Write(row); err != nil {
			return b.Bytes(), err
		}
	}
	err := w.Flush()
	return b.Bytes(), err
}

// checkSame compares the fast path with the row path in both formats and
// with several worker counts; when the row path fails, the fast path must
// fail too.
func checkSame(t *testing.T, snap *delta.Snapshot) (rows int) {
	t.Helper()
	ctx := context.Background()
	for _, format := range []tabledump.Format{tabledump.CSV, tabledump.JSONL} {
		want, werr := rowPath(ctx, snap, format)
		for _, workers := range []int{1, 3} {
			var got bytes.Buffer
			err := tabledump.Write(ctx, &got, snap, format, tabledump.Options{Workers: workers})
			if werr != nil {
				if err == nil {
					t.Fatalf("row path fails (%v), fast path does not", werr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("format %d, %d workers: %v", format, workers, err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("format %d, %d workers: output differs from the row path at byte %d:\nfast: %.300q\nrows: %.300q",
					format, workers, firstDiff(got.Bytes(), want), tail(got.Bytes(), want), tail(want, got.Bytes()))
			}
		}
		if format == tabledump.JSONL {
			rows = bytes.Count(want, []byte("\n"))
		}
	}
	return rows
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// tail is a's text from a little before where it departs from b.
func tail(a, b []byte) []byte {
	i := max(firstDiff(a, b)-80, 0)
	return a[i:]
}

func folderTable(t *testing.T, dir string) *delta.Table {
	t.Helper()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return delta.NewTable(st, "")
}

// TestCorpusMatchesRowPath writes every table of the Delta conformance
// corpus — Spark, Delta standalone and delta-rs tables with every type,
// nested columns, column mapping by name and by id, deletion vectors,
// timestamp_ntz, checkpoints — with the fast path and the row path.
func TestCorpusMatchesRowPath(t *testing.T) {
	const corpus = "../../testdata/delta-conformance"
	f, err := os.Open(filepath.Join(corpus, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	tables, rows := 0, 0
	for sc.Scan() {
		rel, _, _ := strings.Cut(sc.Text(), "\t")
		if !strings.HasPrefix(rel, "golden/") || strings.Contains(rel, "parquet-decimal-dictionaries") {
			continue // the header; the two million-row tables the repository leaves out
		}
		t.Run(rel, func(t *testing.T) {
			snap, err := folderTable(t, filepath.Join(corpus, rel)).Snapshot(context.Background())
			if err != nil {
				return // tables the reader refuses (see etl/delta's conformance test)
			}
			tables++
			rows += checkSame(t, snap)
		})
	}
	t.Logf("%d tables, %d rows the same", tables, rows)
	if tables < 80 || rows < 1000 {
		t.Fatalf("only %d tables, %d rows", tables, rows)
	}
}

// TestGeneratedLakeMatchesRowPath runs the pipeline on generated raw files
// with dirt of every kind and compares every table of the lake: silver,
// rejected rows (raw lines with quotes, commas, newlines, invalid UTF-8 and
// control characters) and the ingest log.
func TestGeneratedLakeMatchesRowPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := folder.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(ctx, filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 3000, Days: 4, Dirty: 0.1, Seed: 16}, nil); err != nil {
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
		n := checkSame(t, snap)
		if n == 0 {
			t.Fatalf("%s is empty", tbl.URI())
		}
		total += n
	}
	t.Logf("%d rows the same", total)
}

// TestEveryTypeMatchesRowPath writes a table of seven files with every
// primitive type stored in several ways (INT96, millisecond and nanosecond
// timestamps, timestamp_ntz, decimals in INT32, INT64 and 16 bytes, a
// decimal at another scale than the table's, integers wider or narrower
// than the table's), nulls, NaN and infinities, strings that need quoting
// and escaping, partition values that do too (and a null one), and a column
// only the later files have.
func TestEveryTypeMatchesRowPath(t *testing.T) {
	dir := t.TempDir()
	rows := deltatest.WideTable(t, dir)
	snap, err := folderTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := checkSame(t, snap); n != int(rows) {
		t.Fatalf("%d rows, want %d", n, rows)
	}
}

// nestedRow has list, map and struct columns beside flat ones.
type nestedRow struct {
	ID     int64             `parquet:"id"`
	Tags   []string          `parquet:"tags,list"`
	Attrs  map[string]int64  `parquet:"attrs"`
	ByInt  map[int32]string  `parquet:"by_int"`
	Point  *nestedPoint      `parquet:"point,optional"`
	Points []nestedPoint     `parquet:"points,list"`
	Name   *string           `parquet:"name,optional"`
	When   *time.Time        `parquet:"when,optional,timestamp(microsecond)"`
	Empty  map[string]string `parquet:"empty"`
}

type nestedPoint struct {
	X float64 `parquet:"x"`
	Y *string `parquet:"y,optional"`
}

const nestedSchema = `{"type":"struct","fields":[` +
	`{"name":"id","type":"long","nullable":false,"metadata":{}},` +
	`{"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},` +
	`{"name":"attrs","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":true},"nullable":true,"metadata":{}},` +
	`{"name":"by_int","type":{"type":"map","keyType":"integer","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{}},` +
	`{"name":"point","type":{"type":"struct","fields":[{"name":"x","type":"double","nullable":false,"metadata":{}},{"name":"y","type":"string","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},` +
	`{"name":"points","type":{"type":"array","elementType":{"type":"struct","fields":[{"name":"x","type":"double","nullable":false,"metadata":{}},{"name":"y","type":"string","nullable":true,"metadata":{}}]},"containsNull":true},"nullable":true,"metadata":{}},` +
	`{"name":"name","type":"string","nullable":true,"metadata":{}},` +
	`{"name":"when","type":"timestamp","nullable":true,"metadata":{}},` +
	`{"name":"empty","type":{"type":"map","keyType":"string","valueType":"string","valueContainsNull":true},"nullable":true,"metadata":{}}]}`

// TestNestedMatchesRowPath mixes nested columns (read as rows) with flat
// ones (read typed) in the same files.
func TestNestedMatchesRowPath(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(16, 3))
	str := func() *string {
		if r.IntN(4) == 0 {
			return nil
		}
		v := deltatest.Awkward[r.IntN(len(deltatest.Awkward))]
		return &v
	}
	actions := []delta.Action{
		{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
		{MetaData: &delta.Metadata{ID: "nested", Format: delta.Format{Provider: "parquet"}, SchemaString: nestedSchema}},
	}
	id := int64(0)
	for k := range 3 {
		rows := make([]nestedRow, 300+r.IntN(300))
		for i := range rows {
			row := nestedRow{ID: id, Name: str(), Attrs: map[string]int64{}, ByInt: map[int32]string{}}
			id++
			for range r.IntN(4) {
				if v := str(); v != nil {
					row.Tags = append(row.Tags, *v)
				}
				row.Attrs[deltatest.Awkward[r.IntN(len(deltatest.Awkward))]] = r.Int64()
				row.ByInt[r.Int32()] = deltatest.Awkward[r.IntN(len(deltatest.Awkward))]
				row.Points = append(row.Points, nestedPoint{X: r.NormFloat64(), Y: str()})
			}
			if r.IntN(3) > 0 {
				row.Point = &nestedPoint{X: math.Inf(1 - 2*r.IntN(2)), Y: str()}
			}
			if r.IntN(3) > 0 {
				w := time.UnixMicro(r.Int64N(4e15)).UTC()
				row.When = &w
			}
			rows[i] = row
		}
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[nestedRow](&buf, parquet.PageBufferSize(1024))
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("n-%d.parquet", k)
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, delta.Action{Add: &delta.Add{Path: name, PartitionValues: map[string]*string{}, Size: int64(buf.Len()), DataChange: true}})
	}
	deltatest.WriteLog(t, dir, 0, actions...)
	snap, err := folderTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := checkSame(t, snap); n != int(id) {
		t.Fatalf("%d rows, want %d", n, id)
	}
}

// TestOutOfRangeNamesTheColumn: a value the table's type cannot hold fails
// the fast path as it fails the row path, naming the file and the column.
func TestOutOfRangeNamesTheColumn(t *testing.T) {
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
	snap, err := folderTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, rerr := rowPath(context.Background(), snap, tabledump.CSV)
	err = tabledump.Write(context.Background(), &bytes.Buffer{}, snap, tabledump.CSV, tabledump.Options{})
	if err == nil || rerr == nil || err.Error() != rerr.Error() {
		t.Fatalf("fast path: %v; row path: %v", err, rerr)
	}
	if !strings.Contains(err.Error(), "f.parquet") || !strings.Contains(err.Error(), "column n") || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("error does not name the file and column: %v", err)
	}
}

// TestMissingFileWritesNothing: a table whose data file is gone fails,
// naming the file, before it writes anything (the CSV header included),
// as the row path's buffered writers did.
func TestMissingFileWritesNothing(t *testing.T) {
	dir := t.TempDir()
	deltatest.WriteLog(t, dir, 0,
		delta.Action{Protocol: &delta.Protocol{MinReaderVersion: 1, MinWriterVersion: 2}},
		delta.Action{MetaData: &delta.Metadata{ID: "t", Format: delta.Format{Provider: "parquet"},
			SchemaString: `{"type":"struct","fields":[{"name":"n","type":"long","nullable":true,"metadata":{}}]}`}},
		delta.Action{Add: &delta.Add{Path: "gone.parquet", PartitionValues: map[string]*string{}, Size: 10, DataChange: true}})
	snap, err := folderTable(t, dir).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []tabledump.Format{tabledump.CSV, tabledump.JSONL} {
		var out bytes.Buffer
		err := tabledump.Write(context.Background(), &out, snap, format, tabledump.Options{})
		if err == nil || !strings.Contains(err.Error(), "gone.parquet") || out.Len() != 0 {
			t.Fatalf("format %d: err %v, wrote %q", format, err, out.String())
		}
	}
}

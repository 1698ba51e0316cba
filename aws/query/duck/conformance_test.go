package duck

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/storage/folder"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// goldenDir holds the Delta conformance tables (see testdata/delta-conformance).
const goldenDir = "../../../testdata/delta-conformance"

// sqlNewerEngines are the tables with reader-2/3 features (column mapping,
// deletion vectors, timestampNtz, v2 checkpoints, vacuumProtocolCheck)
// that the views must read exactly.
var sqlNewerEngines = []string{
	"basic-with-vacuum-protocol-check-feature", "data-reader-timestamp_ntz", "data-reader-timestamp_ntz-id-mode",
	"data-reader-timestamp_ntz-name-mode", "data-skipping-basic-stats-all-types-columnmapping-id",
	"data-skipping-basic-stats-all-types-columnmapping-name", "dv-partitioned-with-checkpoint", "dv-with-columnmapping",
	"log-replay-dv-key-cases", "log-replay-latest-metadata-protocol", "parquet-all-types", "parquet-all-types-legacy-format",
	"table-with-columnmapping-mode-id", "table-with-columnmapping-mode-name", "v2-checkpoint-json", "v2-checkpoint-parquet",
}

// TestConformanceCorpusThroughSQL builds the view of every conformance
// table that has expected rows and checks that SELECT * returns exactly
// those rows (multisets, by column name) as DuckDB reads them from the
// expected Parquet files.
func TestConformanceCorpusThroughSQL(t *testing.T) {
	ctx := context.Background()
	st, err := folder.New(filepath.Join(goldenDir, "golden"))
	if err != nil {
		t.Fatal(err)
	}
	// The corpus tables are not lake tables, and the expected files are
	// read too: the sandbox (which allows only the lake's table folders) is off.
	e := openEngine(t, lake.New(st), Options{UnsafeFileAccess: true})
	f, err := os.Open(filepath.Join(goldenDir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[1] != "expected=yes" {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(cols[0], "golden/"), "/delta")
		if strings.HasPrefix(name, "parquet-decimal-dictionaries") {
			continue // not carried in the repository (testdata/delta-conformance/README.lakeops.md)
		}
		t.Run(name, func(t *testing.T) {
			snap, err := delta.NewTable(st, name+"/delta").Snapshot(ctx)
			if err != nil {
				t.Fatalf("snapshot: %v", err)
			}
			view := "t_" + strings.NewReplacer("-", "_", "/", "_").Replace(name)
			if err := e.createView(ctx, view, snap); err != nil {
				t.Fatal(err)
			}
			gotCols, got := collect(t, e, "SELECT * FROM "+QuoteIdent(view))
			expected, err := filepath.Glob(filepath.Join(goldenDir, "golden", name, "expected", "*.parquet"))
			if err != nil || len(expected) == 0 {
				t.Fatalf("no expected files (%v)", err)
			}
			lits := make([]string, len(expected))
			for i, p := range expected {
				lits[i] = quoteString(p)
			}
			wantCols, want := collect(t, e, "SELECT * FROM read_parquet(["+strings.Join(lits, ", ")+"])")
			for i, fld := range snap.Schema().Fields {
				if fld.Type.String() == delta.TypeTimestampNtz && gotCols[i].Type != "TIMESTAMP" {
					t.Errorf("timestamp_ntz column %s is %s, want TIMESTAMP", fld.Name, gotCols[i].Type)
				}
				if fld.Type.String() == delta.TypeTimestamp && gotCols[i].Type != "TIMESTAMPTZ" {
					t.Errorf("timestamp column %s is %s, want TIMESTAMPTZ", fld.Name, gotCols[i].Type)
				}
			}
			skip := map[string]bool{}
			if name == "data-reader-partition-values" {
				skip["as_timestamp"] = true // known wrong in the expected rows (corpus README)
			}
			g, w := sqlCanonical(gotCols, got, skip), sqlCanonical(wantCols, want, skip)
			if len(g) != len(w) {
				t.Fatalf("got %d rows, want %d", len(g), len(w))
			}
			for i := range g {
				if g[i] != w[i] {
					t.Fatalf("row %d (sorted) differs:\n got  %s\n want %s", i, g[i], w[i])
				}
			}
			done[name] = true
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(done) < 60 {
		t.Errorf("only %d tables compared", len(done))
	}
	for _, name := range sqlNewerEngines {
		if !done[name] {
			t.Errorf("table %s was not read through SQL and compared with its expected rows", name)
		}
	}
}

// sqlCanonical renders result rows as sorted "name=value" lists, sorted.
func sqlCanonical(cols []query.Column, rows [][]any, skip map[string]bool) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		parts := make([]string, 0, len(cols))
		for i, c := range cols {
			if skip[c.Name] {
				continue
			}
			v := "<null>"
			if r[i] != nil {
				v = rowfmt.Text(r[i])
			}
			parts = append(parts, c.Name+"="+v)
		}
		sort.Strings(parts)
		out = append(out, strings.Join(parts, " | "))
	}
	sort.Strings(out)
	return out
}

// idFileA names the columns of an id-mode table by unrelated names: only
// field ids tie them to the schema; col-gone has a schema column's physical
// name but no id, so it is not that column.
type idFileA struct {
	X1      *int64   `parquet:"x1,optional,id(1)"`
	X2      *idInner `parquet:"x2,optional,id(2)"`
	ColGone *string  `parquet:"col-gone,optional"`
}

type idInner struct {
	Y *string `parquet:"y,optional,id(3)"`
}

// idFileB names them by physical name, as Spark does.
type idFileB struct {
	A *int64    `parquet:"col-a,optional,id(1)"`
	S *idInnerB `parquet:"col-s,optional,id(2)"`
}

type idInnerB struct {
	Inner *string `parquet:"col-inner,optional,id(3)"`
}

// TestColumnMappingByFieldIDThroughSQL reads an id-mode table whose two
// data files name the columns differently (two scans, one per naming) and
// one of which has a deletion vector, through SQL and through the Delta
// reader, and checks both give the same rows.
func TestColumnMappingByFieldIDThroughSQL(t *testing.T) {
	ctx := context.Background()
	lk, dir := newFolderLake(t)
	root := filepath.Join(dir, "t")
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	writeParquet(t, filepath.Join(root, "p=x", "a.parquet"), []idFileA{{X1: n(1), X2: &idInner{Y: s("one")}, ColGone: s("no")}, {X1: n(2)}})
	writeParquet(t, filepath.Join(root, "p=y", "b.parquet"), []idFileB{{A: n(3), S: &idInnerB{Inner: s("three")}}, {A: n(4), S: &idInnerB{}}})
	// A deletion vector of the corpus deleting row indexes 0, 7 and 14.
	dvName := "deletion_vector_d12e7d16-e46d-48c9-8a71-b222c26dfc3b.bin"
	b, err := os.ReadFile(filepath.Join(goldenDir, "golden/log-replay-dv-key-cases/delta", dvName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, dvName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	off := int32(1)
	schema := `{"type":"struct","fields":[` +
		`{"name":"a","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-a"}},` +
		`{"name":"s","type":{"type":"struct","fields":[{"name":"inner","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":3,"delta.columnMapping.physicalName":"col-inner"}}]},"nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-s"}},` +
		`{"name":"gone","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":9,"delta.columnMapping.physicalName":"col-gone"}},` +
		`{"name":"P","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":4,"delta.columnMapping.physicalName":"p"}}]}`
	commit, err := delta.EncodeCommit([]delta.Action{
		{Protocol: &delta.Protocol{MinReaderVersion: 3, MinWriterVersion: 7, ReaderFeatures: []string{delta.FeatureColumnMapping, delta.FeatureDeletionVectors},
			WriterFeatures: []string{delta.FeatureColumnMapping, delta.FeatureDeletionVectors}}},
		{MetaData: &delta.Metadata{ID: "t", Format: delta.Format{Provider: "parquet"}, SchemaString: schema, PartitionColumns: []string{"P"},
			Configuration: map[string]string{delta.ColumnMappingModeKey: delta.ColumnMappingID}}},
		{Add: &delta.Add{Path: "p=x/a.parquet", PartitionValues: map[string]*string{"p": s("x")}, DataChange: true,
			DeletionVector: &delta.DeletionVector{StorageType: "u", PathOrInlineDv: "^jP?.<zvDfIGb{C.FPij", Offset: &off, SizeInBytes: 38, Cardinality: 3}}},
		{Add: &delta.Add{Path: "p=y/b.parquet", PartitionValues: map[string]*string{"p": s("y")}, DataChange: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, delta.LogDir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, delta.LogDir, delta.CommitName(0)), commit, 0o644); err != nil {
		t.Fatal(err)
	}
	snap, err := delta.NewTable(lk.Store, "t").Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Table().URI(); !strings.HasSuffix(got, "/t") {
		t.Fatalf("table at %s", got)
	}
	e := openEngine(t, lk, Options{UnsafeFileAccess: true}) // the table is not one of the lake's
	if err := e.createView(ctx, "mapped", snap); err != nil {
		t.Fatal(err)
	}
	cols, rows := collect(t, e, `SELECT a, s, gone, "P" FROM mapped ORDER BY a`)
	got := fmt.Sprint(rows)
	want := `[[2 <nil> <nil> x] [3 {"inner":"three"} <nil> y] [4 {"inner":null} <nil> y]]`
	if got != want {
		t.Fatalf("rows %s, want %s", got, want)
	}
	if !strings.Contains(cols[1].Type, "inner") {
		t.Fatalf("struct column type %s does not carry the logical field name", cols[1].Type)
	}
	var fromReader []string
	for r, err := range snap.Rows(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		fromReader = append(fromReader, fmt.Sprint(r))
	}
	sort.Strings(fromReader)
	if w := "[[2 <nil> <nil> x] [3 [{inner three}] <nil> y] [4 [{inner <nil>}] <nil> y]]"; fmt.Sprint(fromReader) != w {
		t.Fatalf("Delta reader rows %v, want %s", fromReader, w)
	}
	if _, rows := collect(t, e, `EXPLAIN SELECT * FROM mapped`); !strings.Contains(fmt.Sprint(rows), "UNION") {
		t.Fatalf("the two namings are not two scans:\n%v", rows)
	}
}

func writeParquet[T any](t *testing.T, path string, rows []T) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

package duck

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

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
	e := openEngine(t, lake.New(st), Options{})
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

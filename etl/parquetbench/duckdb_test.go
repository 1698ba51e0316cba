package parquetbench

import (
	"bytes"
	"database/sql"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// TestParquetGoReadBack writes the dataset with each parquet-go variant and
// checks what DuckDB reads back.
func TestParquetGoReadBack(t *testing.T) {
	testReadBack(t, newDataset(numRows), parquetGoVariants())
}

// TestArrowReadBack writes the dataset with each pqarrow variant and checks
// what DuckDB reads back.
func TestArrowReadBack(t *testing.T) {
	testReadBack(t, newDataset(numRows), arrowVariants())
}

// wantTypes are the DuckDB column types of the written columns, in order,
// but for order_timestamp, which may be either of timestampTypes.
func wantTypes() []string {
	return []string{"BIGINT", "BIGINT", "BIGINT", "INTEGER", "BIGINT", "INTEGER", "BOOLEAN", ""}
}

// timestampTypes are the DuckDB types accepted for order_timestamp: a
// TIMESTAMP(isAdjustedToUTC=true) Parquet column reads as the first.
func timestampTypes() []string { return []string{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP"} }

func testReadBack(t *testing.T, d *dataset, variants []variant) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version string
	if err := db.QueryRow(`SELECT version()`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("DuckDB %s", version)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			fw := v.new()
			var total int64
			for i := range d.parts {
				p := &d.parts[i]
				var buf bytes.Buffer
				if err := fw.WriteFile(&buf, d, p); err != nil {
					t.Fatal(err)
				}
				total += int64(buf.Len())
				path := filepath.Join(dir, "date="+p.Day().Format(time.DateOnly)+".parquet")
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				tsType := checkFile(t, db, path, p)
				if i == 0 {
					enc, groups := encodings(t, db, sqlString(path))
					t.Logf("order_timestamp reads as %s; %d row group(s) per file; encodings %v", tsType, groups, enc)
				}
			}
			t.Logf("%d files, %d bytes", len(d.parts), total)
		})
	}
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// checkFile checks that DuckDB reads back the rows of p from the file at
// path, with the expected column names, types and repetitions, and Snappy
// compression throughout. It returns the DuckDB type of order_timestamp.
func checkFile(t *testing.T, db *sql.DB, path string, p *partition) (tsType string) {
	t.Helper()
	file := sqlString(path)

	var count, nonNullDays int64
	var sumID any
	var minTS, maxTS time.Time
	err := db.QueryRow(`SELECT count(*), sum(id), min(order_timestamp), max(order_timestamp), count(days_since_prior_order) FROM read_parquet(`+file+`)`).
		Scan(&count, &sumID, &minTS, &maxTS, &nonNullDays)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if count != p.count || nonNullDays != p.nonNullDays {
		t.Errorf("%s: count(*), count(days_since_prior_order) = %d, %d; want %d, %d", path, count, nonNullDays, p.count, p.nonNullDays)
	}
	if got, err := toBigInt(sumID); err != nil || got.Cmp(big.NewInt(p.sumID)) != 0 {
		t.Errorf("%s: sum(id) = %v (%v); want %d", path, sumID, err, p.sumID)
	}
	if want := time.UnixMicro(p.minTS); !minTS.Equal(want) {
		t.Errorf("%s: min(order_timestamp) = %v; want %v", path, minTS, want.UTC())
	}
	if want := time.UnixMicro(p.maxTS); !maxTS.Equal(want) {
		t.Errorf("%s: max(order_timestamp) = %v; want %v", path, maxTS, want.UTC())
	}

	names, types := describe(t, db, file)
	if !slices.Equal(names, columnNames()) {
		t.Errorf("%s: columns %v; want %v", path, names, columnNames())
	}
	want := wantTypes()
	for i := range min(len(types), len(want)) {
		if want[i] == "" {
			if !slices.Contains(timestampTypes(), types[i]) {
				t.Errorf("%s: %s is %s; want one of %q", path, names[i], types[i], timestampTypes())
			}
			tsType = types[i]
			continue
		}
		if types[i] != want[i] {
			t.Errorf("%s: %s is %s; want %s", path, names[i], types[i], want[i])
		}
	}

	rows, err := db.Query(`SELECT name, repetition_type FROM parquet_schema(` + file + `) WHERE num_children IS NULL OR num_children = 0`)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, rep string
		if err := rows.Scan(&name, &rep); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		wantRep := "REQUIRED"
		if name == "days_since_prior_order" {
			wantRep = "OPTIONAL"
		}
		if rep != wantRep {
			t.Errorf("%s: %s is %s; want %s", path, name, rep, wantRep)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}

	var codecs string
	if err := db.QueryRow(`SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(` + file + `)`).Scan(&codecs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if codecs != "SNAPPY" {
		t.Errorf("%s: compression %s; want SNAPPY", path, codecs)
	}
	return tsType
}

// encodings returns, for each column of the file, its encodings as
// parquet_metadata lists them, and the number of row groups.
func encodings(t *testing.T, db *sql.DB, file string) (map[string]string, int64) {
	t.Helper()
	rows, err := db.Query(`SELECT path_in_schema, string_agg(DISTINCT encodings, ' '), count(DISTINCT row_group_id) FROM parquet_metadata(` + file + `) GROUP BY path_in_schema`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	enc := map[string]string{}
	var groups int64
	for rows.Next() {
		var name, e string
		if err := rows.Scan(&name, &e, &groups); err != nil {
			t.Fatal(err)
		}
		enc[name] = e
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return enc, groups
}

// describe returns the column names and DuckDB types of a Parquet file.
func describe(t *testing.T, db *sql.DB, file string) (names, types []string) {
	t.Helper()
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(` + file + `))`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		names, types = append(names, name), append(types, typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names, types
}

// toBigInt converts what DuckDB returns for a sum of BIGINT (a HUGEINT).
func toBigInt(v any) (*big.Int, error) {
	switch x := v.(type) {
	case *big.Int:
		return x, nil
	case int64:
		return big.NewInt(x), nil
	default:
		return nil, fmt.Errorf("unexpected %T", v)
	}
}

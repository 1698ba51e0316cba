//go:build cgo

// Package duckpeer is the DuckDB side of `lakeops bench`: for each bench
// case, what a DuckDB user would run to do the same job, through
// duckdb-go in a process of its own (`lakeops bench-duckdb JOB ARGS…`), so
// that the bench can time it and read its peak memory beside lakeops'.
//
// The jobs (every path a local folder or file):
//
//	load CSV OUT           typed read_csv of order_items files (a folder's *.csv, or one file),
//	                       invalid rows dropped by lakeops' rules, one row per id (latest
//	                       order_timestamp), Parquet partitioned by date into OUT
//	upsert CSV BASE OUT    the same CSV rows upserted into BASE (a load's output): existing and
//	                       new rows by id, the new row winning, every partition rewritten into OUT
//	upsert-day CSV BASE OUT DATE
//	                       the same for one day: BASE's partition date=DATE and the CSV rows of
//	                       that date, the partition rewritten into OUT
//	read GLOB OUT csv|json COPY of the Parquet files GLOB matches (hive partitions) to one file
//	count GLOB             SELECT count(*) over the Parquet files GLOB matches
//
// Each prints one line: the number of rows it wrote, upserted or counted.
package duckpeer

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the DuckDB driver
)

// itemsColumns types the order_items CSV columns.
const itemsColumns = `{'id': 'BIGINT', 'order_id': 'BIGINT', 'user_id': 'BIGINT', 'days_since_prior_order': 'INTEGER',
  'product_id': 'BIGINT', 'add_to_cart_order': 'INTEGER', 'reordered': 'BOOLEAN',
  'order_timestamp': 'TIMESTAMP', 'date': 'DATE'}`

// validItems is lakeops' order_items rules as a WHERE clause.
const validItems = `id IS NOT NULL AND order_id IS NOT NULL AND user_id IS NOT NULL AND product_id IS NOT NULL
  AND add_to_cart_order >= 1 AND (days_since_prior_order IS NULL OR days_since_prior_order >= 0)
  AND reordered IS NOT NULL AND order_timestamp IS NOT NULL AND date = CAST(order_timestamp AS DATE)`

// Run runs one job and prints its row count to out.
func Run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("bench-duckdb needs a job: load, upsert, upsert-day, read or count")
	}
	job, args := args[0], args[1:]
	need := map[string]int{"load": 2, "upsert": 3, "upsert-day": 4, "read": 3, "count": 1}
	n, ok := need[job]
	if !ok {
		return fmt.Errorf("bench-duckdb: unknown job %q (want load, upsert, upsert-day, read or count)", job)
	}
	if len(args) != n {
		return fmt.Errorf("bench-duckdb %s needs %d arguments, got %d", job, n, len(args))
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return fmt.Errorf("bench-duckdb: open DuckDB: %w", err)
	}
	defer db.Close()
	var q string
	switch job {
	case "load":
		q = fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, PARTITION_BY (date))", dedupSQL(csvSQL(args[0])), lit(args[1]))
	case "upsert":
		q = fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, PARTITION_BY (date))",
			upsertSQL("SELECT * FROM "+parquetSQL(filepath.Join(args[1], "**", "*.parquet")), csvSQL(args[0])), lit(args[2]))
	case "upsert-day":
		day := lit(args[3])
		base := fmt.Sprintf("SELECT *, CAST(%s AS DATE) AS date FROM read_parquet(%s, hive_partitioning = false)", day,
			lit(filepath.Join(args[1], "date="+args[3], "*.parquet")))
		fresh := fmt.Sprintf("SELECT * FROM (%s) WHERE date = CAST(%s AS DATE)", csvSQL(args[0]), day)
		dir := filepath.Join(args[2], "date="+args[3])
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("bench-duckdb upsert-day: %w", err)
		}
		q = fmt.Sprintf("COPY (SELECT * EXCLUDE (date) FROM (%s)) TO %s (FORMAT parquet)",
			upsertSQL(base, fresh), lit(filepath.Join(dir, "data.parquet")))
	case "read":
		format := args[2]
		if format != "csv" && format != "json" {
			return fmt.Errorf("bench-duckdb read: format %q, want csv or json", format)
		}
		q = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT %s)", parquetSQL(args[0]), lit(args[1]), format)
	case "count":
		var rows int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+parquetSQL(args[0])).Scan(&rows); err != nil {
			return fmt.Errorf("bench-duckdb count: %w", err)
		}
		_, err := fmt.Fprintln(out, rows)
		return err
	}
	res, err := db.ExecContext(ctx, q)
	if err != nil {
		return fmt.Errorf("bench-duckdb %s: %w", job, err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("bench-duckdb %s: %w", job, err)
	}
	_, err = fmt.Fprintln(out, rows)
	return err
}

// lit quotes a string as a SQL literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// csvSQL reads order_items CSVs, typed, keeping the rows lakeops accepts.
func csvSQL(path string) string {
	glob := path
	if !strings.HasSuffix(path, ".csv") {
		glob = filepath.Join(path, "*.csv")
	}
	return fmt.Sprintf("SELECT * FROM read_csv(%s, header = true, ignore_errors = true, columns = %s) WHERE %s",
		lit(glob), itemsColumns, validItems)
}

// parquetSQL reads the Parquet files a glob matches, partition values
// from the folder names.
func parquetSQL(glob string) string {
	return fmt.Sprintf("read_parquet(%s, hive_partitioning = true)", lit(glob))
}

// dedupSQL keeps one row per id: the latest order_timestamp.
func dedupSQL(rows string) string {
	return fmt.Sprintf(`SELECT * EXCLUDE (rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY id ORDER BY order_timestamp DESC) AS rn FROM (%s))
WHERE rn = 1`, rows)
}

// upsertSQL merges fresh rows (deduplicated) into base ones by id, the
// fresh row winning.
func upsertSQL(base, fresh string) string {
	return fmt.Sprintf(`SELECT * EXCLUDE (src, rn) FROM (
  SELECT *, row_number() OVER (PARTITION BY id ORDER BY src DESC, order_timestamp DESC) AS rn FROM (
    SELECT *, 0 AS src FROM (%s)
    UNION ALL BY NAME
    SELECT *, 1 AS src FROM (%s)))
WHERE rn = 1`, base, fresh)
}

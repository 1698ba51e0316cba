package duck

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/gen"
)

// FuzzReadOnlySQL runs arbitrary SQL on a read-only engine and checks
// that nothing was written: the lake and a folder beside it are unchanged
// byte for byte, and DuckDB's catalog (tables, views, macros, types,
// sequences, schemas, databases, variables) and settings are as before.
func FuzzReadOnlySQL(f *testing.F) {
	lk, dir := newFolderLake(f)
	if _, err := gen.Generate(context.Background(), filepath.Join(dir, "bronze_layer"), gen.Options{Orders: 40, Days: 2, Seed: 7}, nil); err != nil {
		f.Fatal(err)
	}
	runPipeline(f, lk)
	out := f.TempDir()
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("untouched"), 0o644); err != nil {
		f.Fatal(err)
	}
	e := openEngine(f, lk, Options{ReadOnly: true})
	// One connection, so that the catalog check sees what a statement's
	// connection made (temporary objects belong to a connection).
	mustDB(f, e).SetMaxOpenConns(1)
	collect(f, e, "SELECT 1") // names no lake table: creates every view
	files := treeState(f, dir, out)
	catalog := catalogState(f, e)
	for _, s := range readOnlySeeds() {
		f.Add(strings.NewReplacer("OUT", out, "LAKE", dir).Replace(s))
	}
	f.Fuzz(func(t *testing.T, sql string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if r, err := e.Query(ctx, sql); err == nil {
			for i := 0; i < 1000; i++ {
				if _, err := r.Next(ctx); err == io.EOF || err != nil {
					break
				}
			}
			r.Close()
		}
		if got := treeState(t, dir, out); got != files {
			t.Fatalf("%q changed the file system", sql)
		}
		if got := catalogState(t, e); got != catalog {
			t.Fatalf("%q changed DuckDB's catalog or settings:\nbefore: %s\nafter:  %s", sql, catalog, got)
		}
	})
}

// readOnlySeeds returns statements that write, in every form DuckDB takes
// them, and statements built to confuse a checker that matched text.
func readOnlySeeds() []string {
	return []string{
		"SELECT 1",
		"CREATE TABLE t AS SELECT 1 AS a",
		"CREATE OR REPLACE VIEW orders AS SELECT 1 AS a",
		"DROP VIEW orders",
		"CREATE MACRO m(x) AS x + 1",
		"CREATE TYPE mood AS ENUM ('a', 'b')",
		"CREATE SEQUENCE s",
		"CREATE SCHEMA s",
		"ATTACH ':memory:' AS m",
		"SET VARIABLE v = 1",
		"SET threads = 1",
		"PRAGMA enable_profiling",
		"PRAGMA threads = 1",
		"RESET threads",
		"USE memory",
		"BEGIN; CREATE TABLE t (a INT); COMMIT",
		"SELECT 1; CREATE TABLE t (a INT)",
		"SELECT ';'; CREATE TABLE t (a INT)",
		"SELECT $$;$$; CREATE TABLE t (a INT)",
		"SELECT E'\\';'; CREATE TABLE t (a INT)",
		"SELECT 1 -- ;\n; CREATE TABLE t (a INT)",
		"/* ; */ CREATE TABLE t (a INT)",
		"EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
		"EXPLAIN ANALYZE COPY (SELECT 1) TO 'OUT/e.csv'",
		"COPY (SELECT 1) TO 'OUT/c.csv'",
		"COPY (SELECT 1) TO 'LAKE/silver_layer/orders/c.csv'",
		"EXPORT DATABASE 'LAKE/silver_layer/orders/exp'",
		"PREPARE p AS SELECT 1",
		"EXECUTE p",
		"CHECKPOINT",
		"CALL pragma_version()",
		"INSTALL httpfs",
		"LOAD json",
		"CREATE TEMP TABLE t AS SELECT * FROM orders",
		"INSERT INTO orders SELECT * FROM orders",
		"DETACH memory",
		"CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
		"SELECT * FROM query('CREATE TABLE t (a INT)')",
		"PIVOT orders ON date USING count(*)",
		"WITH x AS (SELECT 1) SELECT * FROM x",
		"SUMMARIZE orders",
		"DESCRIBE orders",
	}
}

// catalogState fingerprints what a statement could create or change in
// DuckDB, read past the engine's policy.
func catalogState(t testing.TB, e *Engine) string {
	t.Helper()
	var parts []string
	for _, q := range []string{
		"SELECT coalesce(string_agg(database_name || '.' || schema_name || '.' || table_name, ',' ORDER BY 1), '') FROM duckdb_tables()",
		"SELECT coalesce(string_agg(schema_name || '.' || view_name || ':' || sql, ',' ORDER BY 1), '') FROM duckdb_views() WHERE NOT internal",
		"SELECT coalesce(string_agg(schema_name || '.' || function_name, ',' ORDER BY 1), '') FROM duckdb_functions() WHERE NOT internal",
		"SELECT coalesce(string_agg(schema_name || '.' || type_name, ',' ORDER BY 1), '') FROM duckdb_types() WHERE NOT internal",
		"SELECT coalesce(string_agg(sequence_name, ',' ORDER BY 1), '') FROM duckdb_sequences()",
		"SELECT coalesce(string_agg(database_name || '.' || schema_name, ',' ORDER BY 1), '') FROM duckdb_schemas()",
		"SELECT coalesce(string_agg(database_name, ',' ORDER BY 1), '') FROM duckdb_databases()",
		"SELECT coalesce(string_agg(name, ',' ORDER BY 1), '') FROM duckdb_variables()",
		"SELECT coalesce(string_agg(name || '=' || coalesce(value, ''), ',' ORDER BY 1), '') FROM duckdb_settings()",
	} {
		var s string
		if err := mustDB(t, e).QueryRow(q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

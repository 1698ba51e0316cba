package athena

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lakeops/lakeops/aws/query"
)

func TestReadOnlyRefusal(t *testing.T) {
	queries := []string{
		"SELECT 1",
		"select * from orders",
		"  -- a comment; with a semicolon\n/* and ; another */ SELECT count(*) FROM orders",
		"WITH x AS (SELECT 1 AS a) SELECT a FROM x",
		"(SELECT 1) UNION ALL (SELECT 2)",
		"VALUES (1, 2)",
		"TABLE orders",
		"SHOW TABLES",
		"SHOW CREATE TABLE orders",
		"SHOW PARTITIONS orders",
		"DESCRIBE orders",
		"DESC orders",
		"EXPLAIN SELECT 1",
		"EXPLAIN ANALYZE SELECT count(*) FROM orders",
		"EXPLAIN ANALYZE VERBOSE SELECT 1",
		"EXPLAIN (FORMAT JSON) SELECT 1",
		"EXPLAIN (TYPE DISTRIBUTED, FORMAT TEXT) WITH a AS (SELECT 1) SELECT * FROM a",
		"EXPLAIN (SELECT 1)",
		"SELECT 'DROP TABLE x; CREATE TABLE y'",
		"SELECT 1;",
	}
	for _, q := range queries {
		if err := readOnlyRefusal(q); err != nil {
			t.Errorf("%q refused: %v", q, err)
		}
	}
	writes := []string{
		"CREATE TABLE t AS SELECT 1",
		"CREATE EXTERNAL TABLE t (a int) LOCATION 's3://b/p/'",
		"INSERT INTO orders SELECT * FROM orders",
		"DELETE FROM orders",
		"UPDATE orders SET a = 1",
		"MERGE INTO orders USING x ON true WHEN MATCHED THEN DELETE",
		"DROP TABLE orders",
		"ALTER TABLE orders ADD COLUMNS (x int)",
		"MSCK REPAIR TABLE orders",
		"UNLOAD (SELECT 1) TO 's3://b/p/' WITH (format = 'PARQUET')",
		"OPTIMIZE orders REWRITE DATA USING BIN_PACK",
		"VACUUM orders",
		"USE other",
		"PREPARE p FROM SELECT 1",
		"EXECUTE p",
		"EXPLAIN ANALYZE INSERT INTO t SELECT 1",
		"EXPLAIN (FORMAT JSON) INSERT INTO t SELECT 1",
		"EXPLAIN EXPLAIN SELECT 1",
		"SELECT 1; DROP TABLE orders",
		"/* SELECT */ DROP TABLE orders",
		"-- SELECT\nDROP TABLE orders",
		"",
		"  -- only a comment",
		"(INSERT INTO t SELECT 1)",
	}
	for _, q := range writes {
		err := readOnlyRefusal(q)
		var re *query.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "--read-only") {
			t.Errorf("%q: %v, want a --read-only refusal", q, err)
		}
	}
}

// TestProtocolReadOnlySendsNothing checks that a refused statement never
// reaches Athena: the fake service, scripted with no reply, sees no request.
func TestProtocolReadOnlySendsNothing(t *testing.T) {
	f := newFakeService(t, "AmazonAthena.")
	clock := newFakeClock()
	e := New(f.Config(), clock.options(Options{Database: "lakeops", ReadOnly: true}))
	_, err := e.Query(context.Background(), "DROP TABLE orders")
	var re *query.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("Query: %v, want a refusal", err)
	}
	if ops := f.Ops(); len(ops) != 0 {
		t.Fatalf("requests sent: %v", ops)
	}
}

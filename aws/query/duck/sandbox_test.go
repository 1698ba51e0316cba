package duck

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/parquetrows"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// treeState fingerprints every file and folder below the roots: path,
// kind, size and content hash.
func treeState(t testing.TB, roots ...string) string {
	t.Helper()
	var lines []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				lines = append(lines, "d "+p)
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			lines = append(lines, "f "+p+" "+hex.EncodeToString(sum[:8]))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// outsideDir is a folder outside the lake holding a CSV and a Parquet file
// (written by an unrestricted engine).
func outsideDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.csv"), []byte("user,password\nroot,hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{UnsafeFileAccess: true})
	collect(t, e, "COPY (SELECT 42 AS answer) TO "+quoteString(filepath.Join(dir, "secret.parquet")))
	return dir
}

// refused runs sql and wants a *query.RefusedError whose message holds
// every part of want.
func refused(t *testing.T, e query.Engine, sql string, want ...string) {
	t.Helper()
	_, _, err := tryCollect(e, sql)
	var re *query.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("%s: got %v, want a refusal", sql, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: refusal %q does not say %q", sql, err, w)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("%s: refusal is not one line: %q", sql, err)
	}
}

// TestSandboxRefusesWhatReachesOutside runs every way out of the lake that
// DuckDB offers against the default engine: each one fails with a message
// that says what is off and how to allow it, and neither the lake nor the
// folder outside it changes.
func TestSandboxRefusesWhatReachesOutside(t *testing.T) {
	lk, dir := seedLake(t)
	out := outsideDir(t)
	e := openEngine(t, lk, Options{})
	before := treeState(t, dir, out)
	q := func(p string) string { return quoteString(p) }
	inLake := filepath.Join(dir, "silver_layer", "orders")
	raw := filepath.Join(dir, "bronze_layer", "orders", "orders_2021-01-01.csv")
	cases := []struct {
		name, sql string
		want      []string
	}{
		{"copy to outside", "COPY (SELECT 1) TO " + q(filepath.Join(out, "x.csv")), []string{FileAccessFlag}},
		{"copy to a lake folder", "COPY (SELECT * FROM orders) TO " + q(filepath.Join(inLake, "stray.parquet")), []string{"COPY", FileAccessFlag}},
		{"copy from", "CREATE TABLE t(user VARCHAR, password VARCHAR); COPY t FROM " + q(filepath.Join(out, "secret.csv")), []string{FileAccessFlag}},
		{"copy from a lake file", "CREATE TABLE t2(a VARCHAR); COPY t2 FROM " + q(raw), []string{FileAccessFlag}},
		{"explain analyze copy", "EXPLAIN ANALYZE COPY (SELECT 1) TO " + q(filepath.Join(inLake, "e.csv")), []string{"COPY"}},
		{"export database", "EXPORT DATABASE " + q(filepath.Join(inLake, "exp")), []string{"EXPORT"}},
		{"read_csv outside", "SELECT * FROM read_csv(" + q(filepath.Join(out, "secret.csv")) + ")", []string{"local file access is off", FileAccessFlag}},
		{"read_csv of /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')", []string{"/etc/passwd", FileAccessFlag}},
		{"read_parquet outside", "SELECT * FROM read_parquet(" + q(filepath.Join(out, "secret.parquet")) + ")", []string{"local file access is off"}},
		{"replacement scan", "SELECT * FROM " + q(filepath.Join(out, "secret.csv")), []string{"local file access is off"}},
		{"glob outside", "SELECT * FROM glob(" + q(out+"/*") + ")", []string{"local file access is off"}},
		{"dot-dot out of a table folder", "SELECT * FROM read_csv(" + q(inLake+"/../../../"+filepath.Base(out)+"/secret.csv") + ")", []string{"local file access is off"}},
		{"raw zone", "SELECT * FROM read_csv(" + q(raw) + ")", []string{"local file access is off"}},
		{"attach memory", "ATTACH ':memory:' AS other", []string{"ATTACH"}},
		{"attach a file in the lake", "ATTACH " + q(filepath.Join(inLake, "x.db")) + " AS other", []string{"ATTACH"}},
		{"install", "INSTALL httpfs", []string{"INSTALL and LOAD"}},
		{"load", "LOAD json", []string{"INSTALL and LOAD"}},
		{"lift external access", "SET enable_external_access = true", []string{"SET"}},
		{"unlock", "SET lock_configuration = false", []string{"SET"}},
		{"allow more folders", "SET allowed_directories = ['/']", []string{"SET"}},
		{"reset", "RESET enable_external_access", []string{"SET"}},
		{"pragma that sets", "PRAGMA enable_profiling", []string{"PRAGMA"}},
		{"export after a comment", "/* x */ export database " + q(filepath.Join(inLake, "exp2")), []string{"EXPORT"}},
		{"prepare a copy", "PREPARE p AS COPY (SELECT 1) TO " + q(filepath.Join(inLake, "p.csv")), []string{"PREPARE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refused(t, e, c.sql, c.want...)
			if after := treeState(t, dir, out); after != before {
				t.Fatalf("%s changed the file system:\nbefore:\n%s\nafter:\n%s", c.sql, before, after)
			}
		})
	}
	// The configuration is locked: a SET that slipped past the type check
	// would still fail, and the settings hold.
	_, rows := collect(t, e, "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')")
	if rows[0][0] != false || rows[0][1] != true {
		t.Fatalf("enable_external_access, lock_configuration = %v, want false, true", rows[0])
	}
}

// TestSandboxKeepsTheLake checks that the lake's views, time travel, joins,
// the describing statements and tables of one's own still work in the
// sandbox, on a folder lake.
func TestSandboxKeepsTheLake(t *testing.T) {
	lk, _ := seedLake(t)
	e := openEngine(t, lk, Options{})
	if n := count(t, e, "SELECT count(*) FROM order_items i JOIN orders o USING (order_id) JOIN products p USING (product_id)"); n != 40803 {
		t.Fatalf("join count %d, want 40803", n)
	}
	if old, now := count(t, e, "SELECT count(*) FROM orders@v1"), count(t, e, "SELECT count(*) FROM orders"); old != now || old == 0 {
		t.Fatalf("orders@v1 has %d rows, orders %d", old, now)
	}
	for _, s := range []string{"DESCRIBE orders", "SHOW TABLES", "SUMMARIZE products", "EXPLAIN SELECT * FROM orders",
		"EXPLAIN ANALYZE SELECT count(*) FROM orders", "PRAGMA table_info('orders')", "SELECT * FROM ingest_log",
		"SELECT * FROM rejected_orders"} {
		if _, _, err := tryCollect(e, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if n := count(t, e, "CREATE TEMP TABLE mine AS SELECT order_id FROM orders LIMIT 5; SELECT count(*) FROM mine"); n != 5 {
		t.Fatalf("own table: %d rows, want 5", n)
	}
}

// TestReadOnlySQL runs the writing statements under ReadOnly: each is
// refused before it runs, in a script too, while reading ones run.
func TestReadOnlySQL(t *testing.T) {
	lk, dir := seedLake(t)
	e := openEngine(t, lk, Options{ReadOnly: true})
	before := treeState(t, dir)
	for _, s := range []string{
		"CREATE TABLE t AS SELECT 1 AS a",
		"CREATE VIEW v AS SELECT * FROM orders",
		"CREATE TEMP TABLE t (a INTEGER)",
		"CREATE MACRO m(x) AS x + 1",
		"DROP VIEW orders",
		"ALTER VIEW orders RENAME TO o2",
		"SELECT 1; DROP VIEW orders",
		"SELECT 1; CREATE TABLE later (a INTEGER)",
		"EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1",
		"BEGIN TRANSACTION",
		"CALL pragma_version()",
		"SET VARIABLE x = 1",
		"COPY (SELECT 1) TO " + quoteString(filepath.Join(dir, "silver_layer", "orders", "x.csv")),
	} {
		refused(t, e, s, "--read-only")
	}
	// Writes to the views fail already when DuckDB binds them.
	for _, s := range []string{"INSERT INTO orders SELECT * FROM orders", "UPDATE orders SET total_amount = 0", "DELETE FROM orders"} {
		if _, _, err := tryCollect(e, s); err == nil {
			t.Errorf("%s ran", s)
		}
	}
	if after := treeState(t, dir); after != before {
		t.Fatal("a refused statement changed the lake")
	}
	for _, s := range []string{"SELECT count(*) FROM orders", "WITH x AS (SELECT 1 AS a) SELECT * FROM x", "DESCRIBE orders",
		"SHOW TABLES", "SUMMARIZE products", "EXPLAIN SELECT 1", "EXPLAIN ANALYZE SELECT count(*) FROM products",
		"PRAGMA table_info('orders')", "FROM orders LIMIT 1", "SELECT 1; SELECT 2", "/* c */ -- line\n SELECT 'a;b'"} {
		if _, _, err := tryCollect(e, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	// Nothing of the refused statements exists.
	if n := count(t, e, "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('t', 'later')"); n != 0 {
		t.Fatalf("%d refused tables exist", n)
	}
	if n := count(t, e, "SELECT count(*) FROM orders"); n == 0 {
		t.Fatal("orders lost its rows")
	}
}

// TestUnsafeFileAccessLiftsTheSandbox checks the opt-in: local files can be
// read and written, and with ReadOnly still only read.
func TestUnsafeFileAccessLiftsTheSandbox(t *testing.T) {
	lk, _ := seedLake(t)
	out := outsideDir(t)
	e := openEngine(t, lk, Options{UnsafeFileAccess: true})
	if n := count(t, e, "SELECT count(*) FROM read_csv("+quoteString(filepath.Join(out, "secret.csv"))+")"); n != 1 {
		t.Fatalf("read_csv: %d rows, want 1", n)
	}
	target := filepath.Join(out, "written.csv")
	collect(t, e, "COPY (SELECT count(*) AS n FROM orders) TO "+quoteString(target))
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("COPY TO with file access: %v", err)
	}
	ro := openEngine(t, lk, Options{UnsafeFileAccess: true, ReadOnly: true})
	if n := count(t, ro, "SELECT count(*) FROM read_parquet("+quoteString(filepath.Join(out, "secret.parquet"))+")"); n != 1 {
		t.Fatalf("read_parquet read-only: %d rows, want 1", n)
	}
	refused(t, ro, "COPY (SELECT 1) TO "+quoteString(filepath.Join(out, "ro.csv")), "--read-only")
	if _, err := os.Stat(filepath.Join(out, "ro.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read-only COPY wrote a file: %v", err)
	}
}

// TestSandboxTempFolderRemoved checks that Close removes the engine's own
// temporary folder.
func TestSandboxTempFolderRemoved(t *testing.T) {
	lk, _ := newFolderLake(t)
	e, err := Open(t.Context(), lk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := e.box.tempDir
	if st, err := os.Stat(tmp); err != nil || !st.IsDir() {
		t.Fatalf("temp folder %s: %v", tmp, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temp folder %s left behind: %v", tmp, err)
	}
}

// TestTimestampWithoutZoneIsLocal checks that TIMESTAMP values (Delta's
// timestamp_ntz) come back as local date-times, printed without "Z", and
// TIMESTAMPTZ values as instants.
func TestTimestampWithoutZoneIsLocal(t *testing.T) {
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{})
	_, rows := collect(t, e, "SELECT TIMESTAMP '2021-01-02 03:04:05.5' AS ntz, TIMESTAMPTZ '2021-01-02 03:04:05+00' AS tz")
	ntz, ok := rows[0][0].(parquetrows.LocalTimestamp)
	if !ok || rowfmt.Text(ntz) != "2021-01-02T03:04:05.5" {
		t.Errorf("TIMESTAMP = %T %v, want a local date-time printed 2021-01-02T03:04:05.5", rows[0][0], rowfmt.Text(rows[0][0]))
	}
	if tz, ok := rows[0][1].(time.Time); !ok || !strings.HasSuffix(rowfmt.Text(tz), "Z") {
		t.Errorf("TIMESTAMPTZ = %T %v, want an instant", rows[0][1], rows[0][1])
	}
}

// TestKilledEnginesTempFoldersAreRemoved: a folder left by an engine whose
// process is gone is removed by the next engine once it is an hour old; a
// living process's folder and a new one stay.
func TestKilledEnginesTempFoldersAreRemoved(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	base := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "lakeops", "duckdb-tmp")
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, at time.Time) string {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := mk("engine-999999999-1", old) // no such process
	alive := mk(fmt.Sprintf("engine-%d-2", os.Getpid()), old)
	fresh := mk("engine-999999999-3", time.Now())
	lk, _ := newFolderLake(t)
	e := openEngine(t, lk, Options{})
	if !strings.HasPrefix(e.box.tempDir, base) {
		t.Fatalf("temp folder %s is not under %s", e.box.tempDir, base)
	}
	if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a killed engine's old folder is still there: %v", err)
	}
	for _, p := range []string{alive, fresh} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

package duck

import (
	"database/sql"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"
)

// FuzzQuoteIdent checks that QuoteIdent(s) names exactly s in DuckDB: used
// as a column alias it either runs and the column is called s, or DuckDB
// refuses it; it never yields another identifier or runs injected SQL (a
// sentinel table survives every attempt).
func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"", "a", "order_id", `a"b`, `"`, `""`, `x"; DROP TABLE sentinel; --`,
		`x" AS y, 2 AS "z`, "a b", "ünï", "a\x00b", "\xff", "a\nb", "'", `\`, "select", "SeLeCt"} {
		f.Add(s)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database
	f.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE sentinel (v INTEGER); INSERT INTO sentinel VALUES (42)"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuoteIdent(s)
		if !strings.HasPrefix(q, `"`) || !strings.HasSuffix(q, `"`) || len(q) < 2 ||
			strings.Contains(strings.ReplaceAll(q[1:len(q)-1], `""`, ""), `"`) {
			t.Fatalf("QuoteIdent(%q) = %q is not one quoted identifier", s, q)
		}
		for _, stmt := range []string{"SELECT 1 AS " + q, "SELECT 1 AS " + q + "; DROP TABLE x"} {
			rows, err := db.Query(stmt)
			if err == nil {
				cols, cerr := rows.Columns()
				n := 0
				for rows.Next() {
					n++
				}
				rerr := rows.Err()
				rows.Close()
				if cerr == nil && rerr == nil {
					if len(cols) != 1 || cols[0] != s || n != 1 {
						t.Fatalf("%q: columns %q (%d rows), want [%q]", stmt, cols, n, s)
					}
				}
			} else if utf8.ValidString(s) && !strings.ContainsRune(s, 0) && !strings.Contains(stmt, "DROP") {
				t.Logf("DuckDB refused %q: %v", stmt, err)
			}
			var v int
			if err := db.QueryRow("SELECT v FROM sentinel").Scan(&v); err != nil || v != 42 {
				t.Fatalf("after %q the sentinel table is gone or changed: %v %d", stmt, err, v)
			}
		}
	})
}

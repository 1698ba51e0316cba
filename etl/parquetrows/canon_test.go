package parquetrows

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// canon renders a value as canonical JSON-like text, so that the rows of
// this package and the rows DuckDB returns for the same file can be
// compared: numbers in shortest form, decimals as plain text, byte strings
// in hex, dates and timestamps as RFC 3339 in UTC, maps as [[k,v],...] in
// file order, structs as objects with sorted keys.
func canon(v any) string {
	var b strings.Builder
	writeCanon(&b, v)
	return b.String()
}

func writeCanon(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		fmt.Fprintf(b, "%d", x)
	case *big.Int:
		b.WriteString(x.String())
	case float32:
		writeFloat(b, float64(x), 32)
	case float64:
		writeFloat(b, x, 64)
	case string:
		b.WriteString(strconv.Quote(x))
	case []byte:
		b.WriteString(`"0x` + hex.EncodeToString(x) + `"`)
	case Decimal:
		b.WriteString(x.String())
	case duckdb.Decimal:
		// An independent rendering: exact rational, fixed number of digits.
		r := new(big.Rat).SetFrac(x.Value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil))
		b.WriteString(r.FloatString(int(x.Scale)))
	case Date:
		writeTime(b, x.Time())
	case time.Time:
		writeTime(b, x)
	case List:
		writeList(b, x)
	case []any:
		writeList(b, x)
	case Map:
		keys, vals := make([]any, len(x)), make([]any, len(x))
		for i, e := range x {
			keys[i], vals[i] = e.Key, e.Value
		}
		writeMap(b, keys, vals)
	case duckdb.OrderedMap:
		writeMap(b, x.Keys(), x.Values())
	case *duckdb.OrderedMap:
		writeMap(b, x.Keys(), x.Values())
	case Struct:
		m := make(map[string]any, len(x))
		for _, f := range x {
			m[f.Name] = f.Value
		}
		writeObject(b, m)
	case map[string]any:
		writeObject(b, x)
	default:
		fmt.Fprintf(b, "<%T %v>", v, v)
	}
}

func writeFloat(b *strings.Builder, f float64, bits int) {
	switch {
	case math.IsNaN(f):
		b.WriteString(`"NaN"`)
	case math.IsInf(f, 0):
		b.WriteString(`"` + strconv.FormatFloat(f, 'g', -1, 64) + `"`)
	default:
		b.WriteString(strconv.FormatFloat(f, 'g', -1, bits))
	}
}

func writeTime(b *strings.Builder, t time.Time) {
	b.WriteString(`"` + t.UTC().Format(time.RFC3339Nano) + `"`)
}

func writeList(b *strings.Builder, l []any) {
	b.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		writeCanon(b, e)
	}
	b.WriteByte(']')
}

func writeMap(b *strings.Builder, keys, vals []any) {
	b.WriteByte('[')
	for i := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		writeCanon(b, keys[i])
		b.WriteByte(',')
		writeCanon(b, vals[i])
		b.WriteByte(']')
	}
	b.WriteByte(']')
}

func writeObject(b *strings.Builder, m map[string]any) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k) + ":")
		writeCanon(b, m[k])
	}
	b.WriteByte('}')
}

// canonRows renders rows as a sorted multiset of canonical lines.
func canonRows(rows [][]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = canon(r)
	}
	slices.Sort(out)
	return out
}

// openDuckDB opens an in-memory DuckDB database for the test.
func openDuckDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("opening duckdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// duckRows reads a Parquet file with DuckDB: column names and rows.
func duckRows(t testing.TB, db *sql.DB, path string) ([]string, [][]any) {
	t.Helper()
	q := "SELECT * FROM read_parquet('" + strings.ReplaceAll(path, "'", "''") + "', hive_partitioning = false)"
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", path, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("duckdb scan %s: %v", path, err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("duckdb rows %s: %v", path, err)
	}
	return names, out
}

// decodeFile reads every row of a file with this package.
func decodeFile(t testing.TB, path string) (*File, [][]any) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(fh, st.Size())
	if err != nil {
		t.Fatalf("Open %s: %v", path, err)
	}
	rows, err := f.ReadAll()
	if err != nil {
		t.Fatalf("ReadAll %s: %v", path, err)
	}
	return f, rows
}

// crossCheck compares the rows decoded by this package with DuckDB's, as
// sorted multisets of canonical rows, and the column names.
func crossCheck(t *testing.T, db *sql.DB, path string) {
	t.Helper()
	f, got := decodeFile(t, path)
	if int64(len(got)) != f.NumRows() {
		t.Errorf("%s: decoded %d rows, footer says %d", path, len(got), f.NumRows())
	}
	names, want := duckRows(t, db, path)
	var gotNames []string
	for _, c := range f.Columns() {
		gotNames = append(gotNames, c.Name)
	}
	if !slices.Equal(gotNames, names) {
		t.Errorf("%s: columns %q, duckdb %q", path, gotNames, names)
	}
	g, w := canonRows(got), canonRows(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d rows, duckdb %d", path, len(g), len(w))
	}
	bad := 0
	for i := range g {
		if g[i] != w[i] {
			if bad++; bad <= 3 {
				t.Errorf("%s: row %d differs\n got: %s\nwant: %s", path, i, g[i], w[i])
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d rows differ in all", path, bad)
	}
}

func parseInt(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

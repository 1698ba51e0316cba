//go:build cgo

package duck

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"strings"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// Which columns a view's data files hold, and whether DuckDB may read them
// by position: from their footers when a few files agree (sameColumns),
// else from the add actions' stats when they show every column
// (statsColumns), else from DuckDB (scanColumns).

// maxFooterChecks is the most data files whose footers sameColumns reads;
// DuckDB unifies the columns of more.
const maxFooterChecks = 64

// sameColumns reads the footers of local data files and reports whether
// they all hold the same top-level columns, in the same order and of the
// same types (their schemas encode to the same bytes), and which. DuckDB
// then reads them by position, binding the view from one footer and
// reading the others as it scans, in parallel, instead of reading every
// footer to unify their columns by name (union_by_name) before the first
// row. Only the first file's footer is decoded whole.
func sameColumns(paths []string) ([]parquetrows.Column, bool) {
	if len(paths) == 0 || len(paths) > maxFooterChecks {
		return nil, false
	}
	var first []byte
	for i, p := range paths {
		schema, err := schemaBytes(p)
		if err != nil || (i > 0 && !bytes.Equal(schema, first)) {
			return nil, false
		}
		if i == 0 {
			first = schema
		}
	}
	cols, err := parquetColumns(paths[0])
	if err != nil {
		return nil, false
	}
	return cols, true
}

// schemaBytes reads the encoded schema of a local Parquet file.
func schemaBytes(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return parquetrows.SchemaBytes(f, st.Size())
}

// statsColumns tells, from the add actions' statistics, which data columns
// some file holds: a column with a null count in a file's stats was in what
// the file was written from. It reports false, and the files' footers must
// be asked (scanColumns), unless the stats show every data column in some
// file; then columns the files lack (schema evolution) are known too.
func statsColumns(cols []column, mapping []delta.FieldMapping, adds []*delta.Add) (map[string]bool, bool) {
	present := map[string]bool{}
	for _, a := range adds {
		if a.Stats == "" {
			continue
		}
		st, err := delta.ParseStats(a.Stats)
		if err != nil {
			return nil, false
		}
		for k := range st.NullCount {
			present[strings.ToLower(k)] = true
		}
	}
	for i, c := range cols {
		if !c.part && mapping[i].Source != "" && !present[strings.ToLower(mapping[i].Source)] {
			return nil, false
		}
	}
	return present, true
}

// scanColumns returns the lower-cased names of the columns a scan yields.
func scanColumns(ctx context.Context, db *sql.DB, scan string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+scan+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[strings.ToLower(n)] = true
	}
	return out, rows.Err()
}

//go:build cgo

package duck

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/parquetrows"
)

// fileGroup is a set of data files (indexes into snap.Files()) that name
// the data columns alike.
type fileGroup struct {
	files   []int
	mapping []delta.FieldMapping // one per view column
}

// fileGroups groups the data files by how they name the view's columns.
// Without column mapping, or in mode name, the schema says it and there is
// one group; in mode id each file's footer tells what each field id is
// called there.
func fileGroups(snap *delta.Snapshot, cols []column, paths []string) ([]fileGroup, error) {
	fields := make([]delta.StructField, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	mode := snap.ColumnMapping()
	if mode != delta.ColumnMappingID {
		all := make([]int, len(paths))
		for i := range all {
			all[i] = i
		}
		return []fileGroup{{files: all, mapping: delta.MapFields(fields, mode, nil)}}, nil
	}
	var groups []fileGroup
	index := map[string]int{}
	for i, p := range paths {
		fileCols, err := parquetColumns(p)
		if err != nil {
			return nil, fmt.Errorf("data file %s: %w", p, err)
		}
		m := delta.MapFields(fields, mode, fileCols)
		sig := mappingSignature(m)
		g, ok := index[sig]
		if !ok {
			g = len(groups)
			index[sig] = g
			groups = append(groups, fileGroup{mapping: m})
		}
		groups[g].files = append(groups[g].files, i)
	}
	return groups, nil
}

// parquetColumns reads the top-level columns of a local Parquet file.
func parquetColumns(path string) ([]parquetrows.Column, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf, err := parquetrows.Open(f, st.Size())
	if err != nil {
		return nil, err
	}
	return pf.Columns(), nil
}

// mappingSignature renders the source names of a mapping, nested ones
// included, so that files that name everything alike share it.
func mappingSignature(ms []delta.FieldMapping) string {
	var b strings.Builder
	var walk func(m *delta.FieldMapping)
	walk = func(m *delta.FieldMapping) {
		b.WriteString(strconv.Quote(m.Source))
		b.WriteByte('(')
		for i := range m.Fields {
			walk(&m.Fields[i])
		}
		for _, c := range []*delta.FieldMapping{m.Elem, m.Key, m.Value} {
			if c != nil {
				walk(c)
			}
		}
		b.WriteByte(')')
	}
	for i := range ms {
		walk(&ms[i])
	}
	return b.String()
}

// logicalExpr renders the SQL that turns expr, a value as the data file
// holds it, into the shape of the mapped field: struct fields taken by
// their source names and renamed, fields the file lacks NULL. depth names
// the lambda variables of nested lists and maps.
func logicalExpr(expr string, m *delta.FieldMapping, depth int) string {
	if !m.Renames {
		return expr
	}
	switch {
	case m.Fields != nil:
		parts := make([]string, len(m.Fields))
		for i := range m.Fields {
			c := &m.Fields[i]
			v := "NULL"
			if c.Source != "" {
				v = logicalExpr("struct_extract("+expr+", "+quoteString(c.Source)+")", c, depth)
			}
			parts[i] = QuoteIdent(c.Field.Name) + " := " + v
		}
		return "CASE WHEN " + expr + " IS NULL THEN NULL ELSE struct_pack(" + strings.Join(parts, ", ") + ") END"
	case m.Elem != nil:
		x := "__lakeops_e" + strconv.Itoa(depth)
		return "list_transform(" + expr + ", lambda " + x + ": " + logicalExpr(x, m.Elem, depth+1) + ")"
	case m.Key != nil:
		x := "__lakeops_e" + strconv.Itoa(depth)
		return "map_from_entries(list_transform(map_entries(" + expr + "), lambda " + x + ": struct_pack(key := " +
			logicalExpr(x+".key", m.Key, depth+1) + ", value := " + logicalExpr(x+".value", m.Value, depth+1) + ")))"
	}
	return expr
}

// deletedRowsName is the table holding the deleted rows of a view.
func deletedRowsName(view string) string { return "__lakeops_deleted_rows:" + view }

// deletedRowsTable fills the table of the rows of the snapshot's data
// files (by local path) that deletion vectors delete, and returns its name;
// "" when no file has a deletion vector (an old table of the view is then
// dropped).
func deletedRowsTable(ctx context.Context, db *sql.DB, view string, snap *delta.Snapshot, paths []string) (string, error) {
	name := deletedRowsName(view)
	adds := snap.Files()
	hasDV := false
	for _, a := range adds {
		hasDV = hasDV || a.DeletionVector != nil
	}
	if !hasDV {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+QuoteIdent(name)); err != nil {
			return "", fmt.Errorf("drop the deleted rows table: %w", err)
		}
		return "", nil
	}
	if _, err := db.ExecContext(ctx, "CREATE OR REPLACE TABLE "+QuoteIdent(name)+" (file VARCHAR, row BIGINT)"); err != nil {
		return "", fmt.Errorf("create the deleted rows table: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return errors.New("the DuckDB connection is not a driver.Conn")
		}
		app, err := duckdb.NewAppenderFromConn(dconn, "", name)
		if err != nil {
			return err
		}
		for i, a := range adds {
			bm, err := snap.Table().DeletedRows(ctx, a.DeletionVector)
			if err != nil {
				return errors.Join(fmt.Errorf("data file %s: %w", a.Path, err), app.Close())
			}
			if bm == nil {
				continue
			}
			it := bm.Iterator()
			for it.HasNext() {
				if err := app.AppendRow(paths[i], int64(it.Next())); err != nil {
					return errors.Join(err, app.Close())
				}
			}
		}
		return app.Close()
	})
	if err != nil {
		return "", fmt.Errorf("fill the deleted rows table: %w", err)
	}
	return name, nil
}

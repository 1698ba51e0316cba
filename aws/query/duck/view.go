package duck

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/aws/query/sqllex"
	"github.com/lakeops/lakeops/etl/delta"
)

// QuoteIdent quotes a name as a DuckDB identifier: in double quotes, with
// embedded double quotes doubled. Every identifier the engine builds from a
// table or column name goes through it.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteString quotes s as a DuckDB string literal (standard SQL: quotes
// doubled, backslashes are not escapes).
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// DuckType is the DuckDB type of a Delta type: long BIGINT, integer INTEGER,
// short SMALLINT, byte TINYINT, float FLOAT, double DOUBLE, string VARCHAR,
// boolean BOOLEAN, binary BLOB, date DATE, timestamp TIMESTAMPTZ (an instant;
// the engine's sessions run in UTC), timestamp_ntz TIMESTAMP, decimal(p,s)
// DECIMAL(p,s), array<T> T[], map<K,V> MAP(K, V), struct STRUCT(...).
func DuckType(t delta.DataType) (string, error) {
	switch t := t.(type) {
	case *delta.PrimitiveType:
		switch t.Name {
		case delta.TypeLong:
			return "BIGINT", nil
		case delta.TypeInteger:
			return "INTEGER", nil
		case delta.TypeShort:
			return "SMALLINT", nil
		case delta.TypeByte:
			return "TINYINT", nil
		case delta.TypeFloat:
			return "FLOAT", nil
		case delta.TypeDouble:
			return "DOUBLE", nil
		case delta.TypeString:
			return "VARCHAR", nil
		case delta.TypeBoolean:
			return "BOOLEAN", nil
		case delta.TypeBinary:
			return "BLOB", nil
		case delta.TypeDate:
			return "DATE", nil
		case delta.TypeTimestamp:
			return "TIMESTAMPTZ", nil
		case delta.TypeTimestampNtz:
			return "TIMESTAMP", nil
		}
	case *delta.DecimalType:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale), nil
	case *delta.ArrayType:
		e, err := DuckType(t.ElementType)
		if err != nil {
			return "", err
		}
		return e + "[]", nil
	case *delta.MapType:
		k, err := DuckType(t.KeyType)
		if err != nil {
			return "", err
		}
		v, err := DuckType(t.ValueType)
		if err != nil {
			return "", err
		}
		return "MAP(" + k + ", " + v + ")", nil
	case *delta.StructType:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			ft, err := DuckType(f.Type)
			if err != nil {
				return "", fmt.Errorf("field %s: %w", f.Name, err)
			}
			parts[i] = QuoteIdent(f.Name) + " " + ft
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", fmt.Errorf("no DuckDB type for Delta type %s", t)
}

// column is one column of a view: its name, DuckDB type and whether it is a
// partition column.
type column struct {
	name, typ string
	part      bool
	delta     delta.DataType
}

func viewColumns(snap *delta.Snapshot) ([]column, error) {
	isPart := map[string]bool{}
	for _, p := range snap.PartitionColumns() {
		isPart[p] = true
	}
	fields := snap.Schema().Fields
	cols := make([]column, len(fields))
	for i, f := range fields {
		typ, err := DuckType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Name, err)
		}
		cols[i] = column{name: f.Name, typ: typ, part: isPart[f.Name], delta: f.Type}
	}
	return cols, nil
}

// fileColumn names the file-name column of a scan joined to its partition values.
const fileColumn = "__lakeops_file"

// viewSQL builds the CREATE VIEW statement of a snapshot whose data files
// are at the local paths given (in the order of snap.Files()).
//
// Partition columns are not in the files (Spark convention); their values
// come from the add actions. When every file sits in Hive-style folders that
// spell exactly its partition values (what lakeops and Spark write for
// plain values), the view reads them with hive_partitioning and hive_types,
// which lets DuckDB skip files by partition filters. Otherwise it joins the
// scan's file names to a VALUES list of typed partition constants.
// Columns absent from every file (added by schema evolution) read as NULL.
func viewSQL(ctx context.Context, db *sql.DB, name string, snap *delta.Snapshot, paths []string) (string, error) {
	cols, err := viewColumns(snap)
	if err != nil {
		return "", err
	}
	create := "CREATE OR REPLACE VIEW " + QuoteIdent(name) + " AS "
	if len(paths) == 0 {
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = "CAST(NULL AS " + c.typ + ") AS " + QuoteIdent(c.name)
		}
		return create + "SELECT " + strings.Join(sel, ", ") + " WHERE false", nil
	}
	partCols := snap.PartitionColumns()
	adds := snap.Files()
	lits := make([]string, len(paths))
	for i, p := range paths {
		lits[i] = quoteString(p)
	}
	files := "[" + strings.Join(lits, ", ") + "]"
	hive := len(partCols) > 0 && hiveLayout(cols, partCols, adds, paths)
	var scan string
	switch {
	case len(partCols) == 0:
		scan = "read_parquet(" + files + ", union_by_name = true, hive_partitioning = false)"
	case hive:
		types := make([]string, 0, len(partCols))
		for _, c := range cols {
			if c.part {
				types = append(types, quoteString(c.name)+": "+c.typ)
			}
		}
		scan = "read_parquet(" + files + ", union_by_name = true, hive_partitioning = true, hive_types = {" + strings.Join(types, ", ") + "})"
	default:
		scan = "read_parquet(" + files + ", union_by_name = true, hive_partitioning = false, filename = " + quoteString(fileColumn) + ")"
	}
	// The partition values are validated in both layouts.
	var values string
	if len(partCols) > 0 {
		if values, err = partitionValues(cols, adds, paths); err != nil {
			return "", err
		}
	}
	present, err := scanColumns(ctx, db, scan)
	if err != nil {
		return "", fmt.Errorf("read the data files: %w", err)
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		switch {
		case c.part && !hive:
			sel[i] = "p." + QuoteIdent(c.name)
		case c.part || present[strings.ToLower(c.name)]:
			sel[i] = "CAST(s." + QuoteIdent(c.name) + " AS " + c.typ + ") AS " + QuoteIdent(c.name)
		default:
			sel[i] = "CAST(NULL AS " + c.typ + ") AS " + QuoteIdent(c.name)
		}
	}
	q := create + "SELECT " + strings.Join(sel, ", ") + " FROM " + scan + " AS s"
	if len(partCols) > 0 && !hive {
		names := []string{QuoteIdent(fileColumn)}
		for _, c := range cols {
			if c.part {
				names = append(names, QuoteIdent(c.name))
			}
		}
		q += " JOIN (VALUES " + values + ") AS p(" + strings.Join(names, ", ") + ") ON s." +
			QuoteIdent(fileColumn) + " = p." + QuoteIdent(fileColumn)
	}
	return q, nil
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

// partitionValues renders the VALUES rows (file path, typed partition values).
func partitionValues(cols []column, adds []*delta.Add, paths []string) (string, error) {
	var b strings.Builder
	for i, a := range adds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + quoteString(paths[i]))
		for _, c := range cols {
			if !c.part {
				continue
			}
			lit, err := partitionLiteral(a.PartitionValues[c.name], c)
			if err != nil {
				return "", fmt.Errorf("data file %s: partition column %s: %w", a.Path, c.name, err)
			}
			b.WriteString(", " + lit)
		}
		b.WriteString(")")
	}
	return b.String(), nil
}

// partitionLiteral is a partition value as a typed SQL constant; a null or
// empty value is NULL. The value is validated the way the Delta reader
// parses it.
func partitionLiteral(v *string, c column) (string, error) {
	parsed, err := delta.ParsePartitionValue(v, c.delta)
	if err != nil {
		return "", err
	}
	if parsed == nil {
		return "CAST(NULL AS " + c.typ + ")", nil
	}
	if c.typ == "BLOB" {
		return "from_hex(" + quoteString(hex.EncodeToString([]byte(*v))) + ")", nil
	}
	return "CAST(" + quoteString(*v) + " AS " + c.typ + ")", nil
}

// hiveSafe reports whether DuckDB's Hive parser reads s back exactly: a
// non-empty run of ASCII letters, digits, '_', '.' and '-'.
func hiveSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(sqllex.IsIdentStart(c) && c < 0x80) && !sqllex.IsDigit(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// hiveLayout reports whether every file's folders spell exactly its
// partition values, Hive style, with nothing else in the path that DuckDB
// could take for a partition, and the types are ones hive_types casts
// exactly.
func hiveLayout(cols []column, partCols []string, adds []*delta.Add, paths []string) bool {
	for _, c := range cols {
		if !c.part {
			continue
		}
		switch c.typ {
		case "VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "DATE":
		default:
			return false
		}
		if !hiveSafe(c.name) {
			return false
		}
	}
	for i, a := range adds {
		segs := strings.Split(filepath.ToSlash(paths[i]), "/")
		dirs := segs[:len(segs)-1]
		if len(dirs) < len(partCols) {
			return false
		}
		tail := dirs[len(dirs)-len(partCols):]
		for j, pc := range partCols {
			v := a.PartitionValues[pc]
			if v == nil || !hiveSafe(*v) || strings.EqualFold(*v, "null") || tail[j] != pc+"="+*v {
				return false
			}
		}
		for _, s := range segs[:len(segs)-len(partCols)-1] {
			if strings.Contains(s, "=") {
				return false
			}
		}
		if strings.Contains(segs[len(segs)-1], "=") {
			return false
		}
	}
	return true
}

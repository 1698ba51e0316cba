//go:build cgo

package duck

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/sqllex"
	"github.com/lakeops/lakeops/etl/delta"
)

// QuoteIdent quotes a name as a DuckDB identifier (query.QuoteIdent, the
// one implementation). Every identifier the engine builds from a table or
// column name goes through it.
func QuoteIdent(name string) string { return query.QuoteIdent(name) }

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

// column is one column of a view: its name, DuckDB type, whether it is a
// partition column, and its key: the name of its partition folder and
// value (the physical name under column mapping; else the name).
type column struct {
	name, typ string
	part      bool
	delta     delta.DataType
	field     delta.StructField
	key       string
}

// keyName is the column's partition key: key, or the name when unset.
func (c column) keyName() string {
	if c.key != "" {
		return c.key
	}
	return c.name
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
		cols[i] = column{name: f.Name, typ: typ, part: isPart[f.Name], delta: f.Type, field: f,
			key: delta.PhysicalName(f, snap.ColumnMapping())}
	}
	return cols, nil
}

// partKeys are the keys of the partition columns, in partitioning order.
func partKeys(snap *delta.Snapshot, cols []column) []string {
	byName := map[string]string{}
	for _, c := range cols {
		byName[c.name] = c.keyName()
	}
	var out []string
	for _, p := range snap.PartitionColumns() {
		out = append(out, byName[p])
	}
	return out
}

// fileColumn names the file-name column of a scan joined to its partition
// values and deleted rows.
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
//
// Under column mapping the data columns are read by physical name (mode
// name) or field id (mode id: the files are grouped by what each id is
// called in them, one scan per group) and renamed to the schema's names,
// nested fields included. Rows that deletion vectors delete are left out:
// they are put in a table of (file, row index) that the scan's
// file_row_number is anti-joined to (see deletedRowsTable).
//
// With fromStats, which columns the files hold is taken from the add
// actions' statistics when they show every column (see statsColumns),
// saving DuckDB a pass over the footers; the statement reports whether it
// did (usedStats), so that a caller whose statement fails can build it again
// from the footers.
func viewSQL(ctx context.Context, dbs dbSource, name string, snap *delta.Snapshot, paths []string, fromStats bool) (stmt string, usedStats bool, err error) {
	cols, err := viewColumns(snap)
	if err != nil {
		return "", false, err
	}
	create := "CREATE OR REPLACE VIEW " + QuoteIdent(name) + " AS "
	if len(paths) == 0 {
		if err := fillDeletedRows(ctx, dbs, name, snap, paths, ""); err != nil {
			return "", false, err
		}
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = "CAST(NULL AS " + c.typ + ") AS " + QuoteIdent(c.name)
		}
		return create + "SELECT " + strings.Join(sel, ", ") + " WHERE false", false, nil
	}
	deleted := ""
	for _, a := range snap.Files() {
		if a.DeletionVector != nil {
			deleted = deletedRowsName(name)
		}
	}
	groups, err := fileGroups(snap, cols, paths)
	if err != nil {
		return "", false, err
	}
	adds := snap.Files()
	parts := make([]string, len(groups))
	for i, g := range groups {
		ga := make([]*delta.Add, len(g.files))
		gp := make([]string, len(g.files))
		for j, k := range g.files {
			ga[j], gp[j] = adds[k], paths[k]
		}
		var used bool
		if parts[i], used, err = selectSQL(ctx, dbs, snap, cols, g.mapping, ga, gp, deleted, fromStats); err != nil {
			return "", false, err
		}
		usedStats = usedStats || used
	}
	if err := fillDeletedRows(ctx, dbs, name, snap, paths, deleted); err != nil {
		return "", false, err
	}
	return create + strings.Join(parts, " UNION ALL "), usedStats, nil
}

// fillDeletedRows fills the table of the view's deleted rows, or drops it
// when deleted is "".
func fillDeletedRows(ctx context.Context, dbs dbSource, name string, snap *delta.Snapshot, paths []string, deleted string) error {
	db, err := dbs(ctx)
	if err != nil {
		return err
	}
	got, err := deletedRowsTable(ctx, db, name, snap, paths)
	if err == nil && got != deleted {
		err = fmt.Errorf("deleted rows table %q, expected %q", got, deleted)
	}
	return err
}

// selectSQL is the SELECT of the view's rows from some of its data files,
// all of which name the data columns as mapping says.
func selectSQL(ctx context.Context, dbs dbSource, snap *delta.Snapshot, cols []column, mapping []delta.FieldMapping,
	adds []*delta.Add, paths []string, deleted string, fromStats bool) (string, bool, error) {
	keys := partKeys(snap, cols)
	lits := make([]string, len(paths))
	for i, p := range paths {
		lits[i] = quoteString(p)
	}
	files := "[" + strings.Join(lits, ", ") + "]"
	hive := len(keys) > 0 && hiveLayout(cols, keys, adds, paths)
	fileCols, byPosition := sameColumns(paths)
	opts := ""
	if !byPosition {
		opts = ", union_by_name = true"
	}
	switch {
	case hive:
		types := make([]string, 0, len(keys))
		for _, c := range cols {
			if c.part {
				types = append(types, quoteString(c.keyName())+": "+c.typ)
			}
		}
		opts += ", hive_partitioning = true, hive_types = {" + strings.Join(types, ", ") + "}"
	default:
		opts += ", hive_partitioning = false"
	}
	joinValues := len(keys) > 0 && !hive
	if joinValues || deleted != "" {
		opts += ", filename = " + quoteString(fileColumn)
	}
	if deleted != "" {
		opts += ", file_row_number = true"
	}
	scan := "read_parquet(" + files + opts + ")"
	// The partition values are validated in both layouts.
	var values string
	if len(keys) > 0 {
		var err error
		if values, err = partitionValues(cols, adds, paths); err != nil {
			return "", false, err
		}
	}
	var present map[string]bool
	known := false
	switch {
	case byPosition:
		present, known = map[string]bool{}, true
		for _, c := range fileCols {
			present[strings.ToLower(c.Name)] = true
		}
	case fromStats:
		present, known = statsColumns(cols, mapping, adds)
	}
	if !known {
		db, err := dbs(ctx)
		if err != nil {
			return "", false, err
		}
		if present, err = scanColumns(ctx, db, scan); err != nil {
			return "", false, fmt.Errorf("read the data files: %w", err)
		}
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		switch {
		case c.part && !hive:
			sel[i] = "p." + QuoteIdent(c.name)
		case c.part:
			sel[i] = "CAST(s." + QuoteIdent(c.keyName()) + " AS " + c.typ + ") AS " + QuoteIdent(c.name)
		case mapping[i].Source != "" && present[strings.ToLower(mapping[i].Source)]:
			sel[i] = "CAST(" + logicalExpr("s."+QuoteIdent(mapping[i].Source), &mapping[i], 0) + " AS " + c.typ + ") AS " + QuoteIdent(c.name)
		default:
			sel[i] = "CAST(NULL AS " + c.typ + ") AS " + QuoteIdent(c.name)
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + scan + " AS s"
	if deleted != "" {
		q += " ANTI JOIN " + QuoteIdent(deleted) + " AS d ON d.file = s." + QuoteIdent(fileColumn) + " AND d.row = s.file_row_number"
	}
	if joinValues {
		names := []string{QuoteIdent(fileColumn)}
		for _, c := range cols {
			if c.part {
				names = append(names, QuoteIdent(c.name))
			}
		}
		q += " JOIN (VALUES " + values + ") AS p(" + strings.Join(names, ", ") + ") ON s." +
			QuoteIdent(fileColumn) + " = p." + QuoteIdent(fileColumn)
	}
	return q, known && !byPosition, nil
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
			lit, err := partitionLiteral(a.PartitionValues[c.keyName()], c)
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
// exactly. partCols are the partition keys (see column.keyName) in
// partitioning order.
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
		if !hiveSafe(c.keyName()) {
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

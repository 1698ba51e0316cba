//go:build cgo

package duck

import (
	"strconv"
	"strings"

	"github.com/lakeops/lakeops/aws/query/sqllex"
)

// pin is a reference to a table at a version: orders@v3.
type pin struct {
	table   string // the lake table's SQL name
	version int64
}

// viewName is the name of the view of a pinned version: "orders@v3".
func (p pin) viewName() string { return p.table + "@v" + strconv.FormatInt(p.version, 10) }

// scanned is a statement after scanning: the SQL to run, the lake tables it
// names and the versions it pins.
type scanned struct {
	sql     string
	refs    map[string]bool // lake tables named without a version
	pins    []pin
	catalog bool // the statement may read the catalog (SHOW, information_schema, duckdb_tables(), …)
}

// isCatalogWord reports whether a lower-case identifier is one through which
// a statement may list or describe tables without naming them.
func isCatalogWord(w string) bool {
	switch w {
	case "show", "describe", "summarize", "pragma", "information_schema", "pg_catalog", "sqlite_master", "sqlite_schema",
		"pg_tables", "pg_views", "pg_class", "table_info", "show_tables", "show_tables_expanded", "query_table":
		return true
	}
	return strings.HasPrefix(w, "duckdb_")
}

// scanSQL finds the lake tables a statement names (as bare or double-quoted
// identifiers, case-insensitively, outside strings and comments), whether
// it may read the catalog, and
// rewrites time-travel references, <table>@v<N>, to the quoted view name
// "<table>@v<N>". tables maps lower-case names to lake table names.
func scanSQL(sql string, tables map[string]string) scanned {
	out := scanned{refs: map[string]bool{}}
	var b strings.Builder
	flushed := 0
	seen := map[pin]bool{}
	for i := 0; i < len(sql); {
		t := sqllex.Next(sql, i)
		i = t.End
		var name string
		switch {
		case t.Kind == sqllex.Ident:
			name = t.Text(sql)
			if isCatalogWord(strings.ToLower(name)) {
				out.catalog = true
			}
		case t.Kind == sqllex.QuotedIdent && sql[t.Start] == '"':
			name = sqllex.QuotedName(sql, t)
		default:
			continue
		}
		table, ok := tables[strings.ToLower(name)]
		if !ok {
			continue
		}
		v, end, pinned := versionSuffix(sql, i)
		if !pinned {
			out.refs[table] = true
			continue
		}
		p := pin{table: table, version: v}
		if !seen[p] {
			seen[p] = true
			out.pins = append(out.pins, p)
		}
		b.WriteString(sql[flushed:t.Start])
		b.WriteString(QuoteIdent(p.viewName()))
		flushed, i = end, end
	}
	if flushed == 0 {
		out.sql = sql
		return out
	}
	b.WriteString(sql[flushed:])
	out.sql = b.String()
	return out
}

// versionSuffix parses "@v<digits>" at i, not followed by an identifier
// character, and returns the version and the index after it.
func versionSuffix(s string, i int) (int64, int, bool) {
	if i+2 >= len(s) || s[i] != '@' || (s[i+1] != 'v' && s[i+1] != 'V') || !sqllex.IsDigit(s[i+2]) {
		return 0, i, false
	}
	j := i + 2
	for j < len(s) && sqllex.IsDigit(s[j]) {
		j++
	}
	if j < len(s) && sqllex.IsIdentPart(s[j]) {
		return 0, i, false
	}
	v, err := strconv.ParseInt(s[i+2:j], 10, 64)
	if err != nil {
		return 0, i, false
	}
	return v, j, true
}

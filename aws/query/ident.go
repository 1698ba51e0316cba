package query

import "strings"

// QuoteIdent quotes a name as an SQL identifier: in double quotes, with
// embedded double quotes doubled (standard SQL, which DuckDB and Athena
// read alike). It is the one identifier quoting of lakeops: every
// identifier built from a table or column name goes through it (the duck
// engine's fuzz test checks it against DuckDB).
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

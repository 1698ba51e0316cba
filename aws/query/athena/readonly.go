package athena

import (
	"strconv"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/sqllex"
)

// readOnlyRefusal returns a refusal when sql is not one query, judged
// conservatively by its leading keywords after comments: SELECT, WITH,
// VALUES, TABLE, SHOW, DESCRIBE/DESC, or EXPLAIN [ANALYZE [VERBOSE]]
// [(options)] of one of those. Anything else — DDL, INSERT, UNLOAD, MSCK,
// CTAS, USE, PREPARE/EXECUTE, a script of several statements — is refused.
// Athena offers no way to type a statement before it runs, so this is a
// guard against mistakes, not a security boundary: the workgroup's IAM
// policy is.
func readOnlyRefusal(sql string) error {
	stmts := sqllex.Statements(sql)
	if len(stmts) != 1 {
		return &query.RefusedError{Statement: sql, Reason: "--read-only runs one query at a time on Athena; this text holds " + plural(len(stmts))}
	}
	toks := significant(stmts[0])
	if isQuery(toks) {
		return nil
	}
	first := "nothing"
	if len(toks) > 0 {
		first = toks[0]
	}
	return &query.RefusedError{Statement: stmts[0], Reason: "--read-only runs only queries on Athena (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN); this statement starts with " + first}
}

func plural(n int) string {
	if n == 1 {
		return "1 statement"
	}
	if n == 0 {
		return "no statement"
	}
	return strconv.Itoa(n) + " statements"
}

// significant returns the tokens of a statement that are not white space
// or comments, identifiers upper-cased.
func significant(stmt string) []string {
	return sqllex.Keywords(stmt, len(stmt))
}

// isQuery reports whether the tokens start a query: optional opening
// parentheses, then a query keyword; EXPLAIN is judged by what it explains.
func isQuery(toks []string) bool {
	i := 0
	for i < len(toks) && toks[i] == "(" {
		i++
	}
	if i >= len(toks) {
		return false
	}
	switch toks[i] {
	case "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "DESCRIBE", "DESC":
		return true
	case "EXPLAIN":
	default:
		return false
	}
	i++
	if i < len(toks) && toks[i] == "ANALYZE" {
		i++
		if i < len(toks) && toks[i] == "VERBOSE" {
			i++
		}
	}
	if i < len(toks) && toks[i] == "(" && (i+1 >= len(toks) || !startsQuery(toks[i+1])) {
		// An option list, (FORMAT JSON, TYPE LOGICAL): skip to its end.
		depth := 0
		for ; i < len(toks); i++ {
			if toks[i] == "(" {
				depth++
			}
			if toks[i] == ")" {
				depth--
				if depth == 0 {
					i++
					break
				}
			}
		}
	}
	rest := toks[min(i, len(toks)):]
	if len(rest) > 0 && rest[0] == "EXPLAIN" {
		return false
	}
	return isQuery(rest)
}

// startsQuery reports whether a token can open a query inside parentheses.
func startsQuery(tok string) bool {
	switch tok {
	case "SELECT", "WITH", "VALUES", "TABLE", "(":
		return true
	}
	return false
}

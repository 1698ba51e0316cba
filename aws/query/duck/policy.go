//go:build cgo

package duck

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/aws/query/sqllex"
)

// policy decides by DuckDB's own statement types, never by matching text:
// each statement of a script is prepared alone (DuckDB refuses to prepare
// text that holds more than one statement), and its prepared type decides.
type policy struct {
	readOnly   bool // only statements that read
	fileAccess bool // the sandbox is lifted
}

// unrestricted reports whether every statement may run unchecked.
func (p policy) unrestricted() bool { return p.fileAccess && !p.readOnly }

// sandboxRefusal says why the sandbox refuses statements of type t, or
// "": they write files (inside an allowed folder DuckDB would let them),
// reach other databases, load code, change settings, or would run a
// statement unchecked later.
func sandboxRefusal(t duckdb.StmtType) string {
	switch t {
	case duckdb.STATEMENT_TYPE_COPY:
		return "COPY reads and writes files"
	case duckdb.STATEMENT_TYPE_EXPORT:
		return "EXPORT DATABASE writes files"
	case duckdb.STATEMENT_TYPE_ATTACH:
		return "ATTACH opens another database"
	case duckdb.STATEMENT_TYPE_DETACH:
		return "DETACH closes a database"
	case duckdb.STATEMENT_TYPE_LOAD:
		return "INSTALL and LOAD add extensions"
	case duckdb.STATEMENT_TYPE_EXTENSION:
		return "extension statements add code"
	case duckdb.STATEMENT_TYPE_SET, duckdb.STATEMENT_TYPE_PRAGMA:
		return "SET, RESET, USE and PRAGMAs that do not only read change the engine"
	case duckdb.STATEMENT_TYPE_PREPARE:
		return "PREPARE would run its statement unchecked on EXECUTE"
	case duckdb.STATEMENT_TYPE_EXECUTE:
		return "EXECUTE runs a prepared statement unchecked"
	}
	return ""
}

// refusal returns why a statement of type t may not run, or "".
func (p policy) refusal(t duckdb.StmtType) string {
	if p.readOnly {
		if t == duckdb.STATEMENT_TYPE_SELECT {
			return ""
		}
		return "--read-only runs only statements that read (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, reading PRAGMAs); this one is " + typeName(t)
	}
	if p.fileAccess {
		return ""
	}
	if why := sandboxRefusal(t); why != "" {
		return why + "; the SQL sandbox refuses it (start lakeops with " + FileAccessFlag + " to allow it)"
	}
	return ""
}

// check prepares one statement on conn and refuses it when the policy
// says so. An EXPLAIN is judged by what it explains, since EXPLAIN ANALYZE
// runs it.
//
// Preparing binds a statement without running it, which has no effect for
// every statement type but one: binding EXPORT DATABASE creates its target
// folder. DuckDB's grammar allows EXPORT only as the first word of a
// statement (not after EXPLAIN or PREPARE), so a statement that starts with
// it is refused without being prepared.
func (p policy) check(ctx context.Context, conn *sql.Conn, stmt string) error {
	if _, ok := peelKeyword(stmt, "EXPORT"); ok && !p.unrestricted() {
		return &query.RefusedError{Statement: stmt, Reason: "refused: " + p.refusal(duckdb.STATEMENT_TYPE_EXPORT)}
	}
	t, err := statementType(ctx, conn, stmt)
	if err != nil {
		return err
	}
	if t == duckdb.STATEMENT_TYPE_EXPLAIN {
		inner, ok := explained(stmt)
		if !ok {
			return &query.RefusedError{Statement: stmt, Reason: "this EXPLAIN form cannot be checked; write EXPLAIN [ANALYZE] followed by the statement"}
		}
		it, err := statementType(ctx, conn, inner)
		if err != nil {
			return err
		}
		if it == duckdb.STATEMENT_TYPE_EXPLAIN {
			return &query.RefusedError{Statement: stmt, Reason: "EXPLAIN of an EXPLAIN is refused"}
		}
		t = it
	}
	if why := p.refusal(t); why != "" {
		return &query.RefusedError{Statement: stmt, Reason: "refused: " + why}
	}
	return nil
}

// statementType prepares stmt alone and returns DuckDB's type for it.
func statementType(ctx context.Context, conn *sql.Conn, stmt string) (duckdb.StmtType, error) {
	var t duckdb.StmtType
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("connection is %T, not DuckDB's", dc)
		}
		// Prepare (without a context) refuses text that holds more than
		// one statement instead of running the first ones.
		st, err := c.Prepare(stmt)
		if err != nil && strings.Contains(err.Error(), "multi-statement") {
			return &query.RefusedError{Statement: stmt, Reason: "DuckDB expands this statement into several, which cannot be checked one by one " +
				"(a PIVOT without an IN list does: list its values with IN (…))"}
		}
		if err != nil {
			return err
		}
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.Join(fmt.Errorf("statement is %T, not DuckDB's", st), st.Close())
		}
		t, err = ds.StatementType()
		return errors.Join(err, st.Close())
	})
	return t, err
}

// explained returns the statement an EXPLAIN [ANALYZE] statement explains.
// Only the two keywords are peeled off; DuckDB types what is left.
func explained(stmt string) (string, bool) {
	rest, ok := peelKeyword(stmt, "EXPLAIN")
	if !ok {
		return "", false
	}
	if r, ok := peelKeyword(rest, "ANALYZE"); ok {
		rest = r
	}
	return rest, strings.TrimSpace(rest) != ""
}

// peelKeyword returns the text after kw when kw is the first token of s
// that is not white space or a comment.
func peelKeyword(s, kw string) (string, bool) {
	for i := 0; i < len(s); {
		t := sqllex.Next(s, i)
		switch t.Kind {
		case sqllex.Space, sqllex.Comment:
			i = t.End
			continue
		case sqllex.Ident:
			if strings.EqualFold(t.Text(s), kw) {
				return s[t.End:], true
			}
		}
		return "", false
	}
	return "", false
}

// typeName names a statement type for messages.
func typeName(t duckdb.StmtType) string {
	names := map[duckdb.StmtType]string{
		duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE",
		duckdb.STATEMENT_TYPE_DELETE: "DELETE", duckdb.STATEMENT_TYPE_PREPARE: "PREPARE",
		duckdb.STATEMENT_TYPE_CREATE: "CREATE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
		duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_TRANSACTION: "a transaction statement",
		duckdb.STATEMENT_TYPE_COPY: "COPY", duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE",
		duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET VARIABLE", duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION/MACRO",
		duckdb.STATEMENT_TYPE_DROP: "DROP", duckdb.STATEMENT_TYPE_EXPORT: "EXPORT",
		duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA", duckdb.STATEMENT_TYPE_VACUUM: "VACUUM",
		duckdb.STATEMENT_TYPE_CALL: "CALL", duckdb.STATEMENT_TYPE_SET: "SET",
		duckdb.STATEMENT_TYPE_LOAD: "INSTALL/LOAD", duckdb.STATEMENT_TYPE_EXTENSION: "an extension statement",
		duckdb.STATEMENT_TYPE_ATTACH: "ATTACH", duckdb.STATEMENT_TYPE_DETACH: "DETACH",
	}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("of type %d", t)
}

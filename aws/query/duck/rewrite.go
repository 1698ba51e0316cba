package duck

import (
	"strconv"
	"strings"
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
	sql  string
	refs map[string]bool // lake tables named without a version
	pins []pin
}

// scanSQL finds the lake tables a statement names (as bare or double-quoted
// identifiers, case-insensitively, outside strings and comments) and
// rewrites time-travel references, <table>@v<N>, to the quoted view name
// "<table>@v<N>". tables maps lower-case names to lake table names.
func scanSQL(sql string, tables map[string]string) scanned {
	out := scanned{refs: map[string]bool{}}
	var b strings.Builder
	flushed := 0
	seen := map[pin]bool{}
	n := len(sql)
	for i := 0; i < n; {
		c := sql[i]
		switch {
		case c == '\'':
			i = skipString(sql, i+1, false)
		case c == '-' && i+1 < n && sql[i+1] == '-':
			i = skipLine(sql, i)
		case c == '/' && i+1 < n && sql[i+1] == '*':
			i = skipBlockComment(sql, i)
		case c == '$':
			i = skipDollar(sql, i)
		case c == '"' || isIdentStart(c):
			start := i
			var name string
			if c == '"' {
				name, i = quotedIdent(sql, i)
			} else {
				for i < n && isIdentPart(sql[i]) {
					i++
				}
				name = sql[start:i]
				if (name == "e" || name == "E") && i < n && sql[i] == '\'' {
					i = skipString(sql, i+1, true) // E'...' escape string
					continue
				}
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
			b.WriteString(sql[flushed:start])
			b.WriteString(QuoteIdent(p.viewName()))
			flushed, i = end, end
		default:
			i++
		}
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
	if i+2 >= len(s) || s[i] != '@' || (s[i+1] != 'v' && s[i+1] != 'V') || !isDigit(s[i+2]) {
		return 0, i, false
	}
	j := i + 2
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j < len(s) && isIdentPart(s[j]) {
		return 0, i, false
	}
	v, err := strconv.ParseInt(s[i+2:j], 10, 64)
	if err != nil {
		return 0, i, false
	}
	return v, j, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentStart accepts ASCII letters, '_' and any byte of a multi-byte
// UTF-8 character (DuckDB allows non-ASCII letters in identifiers).
func isIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// skipString returns the index after a string literal whose body starts at
// i: quotes are doubled, and with backslash escapes also \-escaped.
func skipString(s string, i int, backslash bool) int {
	for i < len(s) {
		switch s[i] {
		case '\\':
			if backslash {
				i += 2
				continue
			}
		case '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				i += 2
				continue
			}
			return i + 1
		}
		i++
	}
	return len(s)
}

// quotedIdent reads a double-quoted identifier at i and returns its name
// and the index after it.
func quotedIdent(s string, i int) (string, int) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '"' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '"' {
			b.WriteByte('"')
			j++
			continue
		}
		return b.String(), j + 1
	}
	return b.String(), len(s)
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// skipBlockComment skips a /* */ comment; like PostgreSQL's, they nest.
func skipBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

// skipDollar skips a dollar-quoted string ($$...$$ or $tag$...$tag$) at i;
// anything else ($1 parameters) skips the '$' only.
func skipDollar(s string, i int) int {
	j := i + 1
	for j < len(s) && s[j] != '$' {
		if !isIdentPart(s[j]) || s[j] == '$' || (j == i+1 && isDigit(s[j])) {
			return i + 1
		}
		j++
	}
	if j >= len(s) {
		return i + 1
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(s)
}

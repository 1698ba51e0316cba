// Package sqllex is the lexical layer the SQL engines share: it walks SQL
// text token by token, telling code from string literals, quoted
// identifiers and comments, so that callers can find table names, split a
// script into statements or read a statement's leading keywords without
// being fooled by a ';' or a keyword inside a string or a comment.
//
// The rules are the union of DuckDB's and Athena's (Trino's) lexical rules:
// '…' strings with doubled quotes, E'…' strings with backslash escapes,
// $$…$$ and $tag$…$tag$ strings, "…" identifiers with doubled quotes, `…`
// identifiers (Athena DDL), -- line comments and nesting /* */ comments.
// Text the lexer cannot close (an unterminated string) runs to the end.
package sqllex

import "strings"

// Kind is the kind of a token.
type Kind int

// Token kinds.
const (
	Space       Kind = iota // white space
	Comment                 // -- or /* */ comment
	String                  // string literal of any quoting
	Ident                   // bare identifier or keyword
	QuotedIdent             // "…" or `…` identifier
	Semicolon               // statement separator
	Other                   // any other character (operators, digits, punctuation)
)

// Token is one token: its kind and its byte range in the text.
type Token struct {
	Kind       Kind
	Start, End int
}

// Text returns the token's text in sql.
func (t Token) Text(sql string) string { return sql[t.Start:t.End] }

// Next reads the token that starts at i (i < len(sql)).
func Next(sql string, i int) Token {
	n := len(sql)
	c := sql[i]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		j := i + 1
		for j < n && strings.IndexByte(" \t\n\r\f\v", sql[j]) >= 0 {
			j++
		}
		return Token{Space, i, j}
	case c == '\'':
		return Token{String, i, skipString(sql, i+1, false)}
	case c == '-' && i+1 < n && sql[i+1] == '-':
		return Token{Comment, i, skipLine(sql, i)}
	case c == '/' && i+1 < n && sql[i+1] == '*':
		return Token{Comment, i, skipBlockComment(sql, i)}
	case c == '$':
		if j := skipDollar(sql, i); j > i+1 {
			return Token{String, i, j}
		}
		return Token{Other, i, i + 1}
	case c == '"' || c == '`':
		return Token{QuotedIdent, i, skipQuoted(sql, i+1, c)}
	case c == ';':
		return Token{Semicolon, i, i + 1}
	case IsIdentStart(c):
		j := i + 1
		for j < n && IsIdentPart(sql[j]) {
			j++
		}
		if j == i+1 && (c == 'e' || c == 'E') && j < n && sql[j] == '\'' {
			return Token{String, i, skipString(sql, j+1, true)} // E'…' escape string
		}
		return Token{Ident, i, j}
	default:
		return Token{Other, i, i + 1}
	}
}

// Tokens returns every token of sql in order.
func Tokens(sql string) []Token {
	var out []Token
	for i := 0; i < len(sql); {
		t := Next(sql, i)
		out = append(out, t)
		i = t.End
	}
	return out
}

// Statements splits a script at its top-level semicolons and returns each
// statement's text without the separator, trimmed of surrounding white
// space; pieces that hold nothing but white space and comments are left
// out.
func Statements(sql string) []string {
	var out []string
	start, code := 0, false
	flush := func(end int) {
		if code {
			out = append(out, strings.TrimSpace(sql[start:end]))
		}
	}
	for i := 0; i < len(sql); {
		t := Next(sql, i)
		switch t.Kind {
		case Semicolon:
			flush(t.Start)
			start, code = t.End, false
		case Space, Comment:
		default:
			code = true
		}
		i = t.End
	}
	flush(len(sql))
	return out
}

// Keywords returns the first n tokens of sql that are neither white space
// nor comments, as text; identifiers are upper-cased.
func Keywords(sql string, n int) []string {
	var out []string
	for i := 0; i < len(sql) && len(out) < n; {
		t := Next(sql, i)
		switch t.Kind {
		case Space, Comment:
		case Ident:
			out = append(out, strings.ToUpper(t.Text(sql)))
		default:
			out = append(out, t.Text(sql))
		}
		i = t.End
	}
	return out
}

// IsDigit reports whether c is an ASCII digit.
func IsDigit(c byte) bool { return c >= '0' && c <= '9' }

// IsIdentStart accepts ASCII letters, '_' and any byte of a multi-byte
// UTF-8 character (DuckDB allows non-ASCII letters in identifiers).
func IsIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

// IsIdentPart accepts what may follow the first character of a bare
// identifier.
func IsIdentPart(c byte) bool { return IsIdentStart(c) || IsDigit(c) || c == '$' }

// QuotedName returns the name a quoted identifier token spells: the text
// between its quotes with doubled quotes undone.
func QuotedName(sql string, t Token) string {
	q := sql[t.Start]
	body := sql[t.Start+1 : t.End]
	if strings.HasSuffix(body, string(q)) && t.End-t.Start >= 2 {
		body = body[:len(body)-1]
	}
	return strings.ReplaceAll(body, string(q)+string(q), string(q))
}

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

// skipQuoted returns the index after a q-quoted identifier whose body
// starts at i (embedded quotes doubled).
func skipQuoted(s string, i int, q byte) int {
	for ; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return i + 1
	}
	return len(s)
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
		if !IsIdentPart(s[j]) || (j == i+1 && IsDigit(s[j])) {
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

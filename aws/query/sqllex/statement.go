package sqllex

import "strings"

// StatementAt returns the statement of a script that byte offset off is
// in (the SQL editor's "run the statement under the cursor"), trimmed of
// surrounding white space; when that one holds nothing but white space
// and comments (the cursor just after the last ';'), the nearest one
// before it that holds code, else the nearest after it; "" when none does.
func StatementAt(sql string, off int) string {
	type span struct {
		start, end int
		code       bool
	}
	var spans []span
	cur := span{}
	for i := 0; i < len(sql); {
		t := Next(sql, i)
		switch t.Kind {
		case Semicolon:
			cur.end = t.Start
			spans = append(spans, cur)
			cur = span{start: t.End}
		case Space, Comment:
		default:
			cur.code = true
		}
		i = t.End
	}
	cur.end = len(sql)
	spans = append(spans, cur)
	at := len(spans) - 1
	for i, s := range spans {
		if off <= s.end {
			at = i
			break
		}
	}
	for i := at; i >= 0; i-- {
		if spans[i].code {
			return strings.TrimSpace(sql[spans[i].start:spans[i].end])
		}
	}
	for _, s := range spans[at:] {
		if s.code {
			return strings.TrimSpace(sql[s.start:s.end])
		}
	}
	return ""
}

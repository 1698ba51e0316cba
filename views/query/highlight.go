package query

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/table"
)

// highlight draws SQL with its keywords, strings, numbers and comments in
// the theme's styles (chroma's SQL lexer), h lines from the top, each with
// its line number as the editor shows it and cut to w cells. Text is
// sanitized token by token, so nothing from the editor reaches the
// terminal raw.
func highlight(src string, w, h int, th *ui.Theme) []string {
	lexer := lexers.Get("sql")
	if lexer == nil {
		lexer = lexers.Fallback
	}
	lexer = chroma.Coalesce(lexer)
	style := func(t chroma.TokenType) (lipgloss.Style, bool) {
		switch {
		case t.InCategory(chroma.Keyword):
			return th.Key, true
		case t.InCategory(chroma.LiteralString):
			return th.OK, true
		case t.InCategory(chroma.LiteralNumber):
			return th.Warn, true
		case t.InCategory(chroma.Comment):
			return th.Dim, true
		}
		return lipgloss.Style{}, false
	}
	var lines []string
	var cur strings.Builder
	flush := func() {
		lines = append(lines, table.Clip(fmt.Sprintf("%4d ", len(lines)+1)+cur.String(), w))
		cur.Reset()
	}
	it, err := lexer.Tokenise(nil, src)
	if err != nil {
		for _, l := range strings.Split(src, "\n") {
			cur.WriteString(textfmt.Sanitize(l))
			flush()
		}
		return lines
	}
	for tok := it(); tok != chroma.EOF && len(lines) < h; tok = it() {
		parts := strings.Split(tok.Value, "\n")
		for i, p := range parts {
			if i > 0 {
				flush()
			}
			if p == "" {
				continue
			}
			text := textfmt.Sanitize(p)
			if st, ok := style(tok.Type); ok {
				text = st.Render(text)
			}
			cur.WriteString(text)
		}
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

package sqllex

import (
	"reflect"
	"strings"
	"testing"
)

func TestStatements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"SELECT 1", []string{"SELECT 1"}},
		{"SELECT 1;", []string{"SELECT 1"}},
		{" SELECT 1 ; SELECT 2 ;; ", []string{"SELECT 1", "SELECT 2"}},
		{"SELECT ';'; SELECT 2", []string{"SELECT ';'", "SELECT 2"}},
		{"SELECT 'it''s; fine'; SELECT 2", []string{"SELECT 'it''s; fine'", "SELECT 2"}},
		{`SELECT E'\'; x'; SELECT 2`, []string{`SELECT E'\'; x'`, "SELECT 2"}},
		{`SELECT "a;b" FROM t; SELECT 2`, []string{`SELECT "a;b" FROM t`, "SELECT 2"}},
		{"SELECT `a;b`; SELECT 2", []string{"SELECT `a;b`", "SELECT 2"}},
		{"SELECT $$;$$; SELECT $tag$ ; $$ ; $tag$; SELECT 3", []string{"SELECT $$;$$", "SELECT $tag$ ; $$ ; $tag$", "SELECT 3"}},
		{"SELECT 1 -- ; comment\n; SELECT 2", []string{"SELECT 1 -- ; comment", "SELECT 2"}},
		{"SELECT /* ; /* nested ; */ ; */ 1; SELECT 2", []string{"SELECT /* ; /* nested ; */ ; */ 1", "SELECT 2"}},
		{"-- only a comment", nil},
		{"/* c */ ; -- x\n ;", nil},
		{"SELECT 'unterminated; SELECT 2", []string{"SELECT 'unterminated; SELECT 2"}},
		{"SELECT $1; SELECT 2", []string{"SELECT $1", "SELECT 2"}},
	}
	for _, c := range cases {
		if got := Statements(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Statements(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestKeywords(t *testing.T) {
	got := Keywords("  /* x */ explain -- y\n analyze (format json) select 1", 5)
	want := []string{"EXPLAIN", "ANALYZE", "(", "FORMAT", "JSON"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Keywords = %q, want %q", got, want)
	}
}

func TestTokensCoverTheText(t *testing.T) {
	for _, s := range []string{"SELECT 'a''b', \"c\"\"d\", $x$y$x$, E'\\'' -- z\n/* w */;", "\xff\x00'", "$", "$$", "e'", `"`} {
		var b strings.Builder
		end := 0
		for _, tok := range Tokens(s) {
			if tok.Start != end || tok.End <= tok.Start {
				t.Fatalf("%q: token %+v after %d", s, tok, end)
			}
			b.WriteString(tok.Text(s))
			end = tok.End
		}
		if b.String() != s {
			t.Fatalf("tokens of %q spell %q", s, b.String())
		}
	}
}

func TestQuotedName(t *testing.T) {
	s := `"a""b" ` + "`c``d`"
	toks := Tokens(s)
	if got := QuotedName(s, toks[0]); got != `a"b` {
		t.Errorf("QuotedName = %q", got)
	}
	if got := QuotedName(s, toks[2]); got != "c`d" {
		t.Errorf("QuotedName = %q", got)
	}
}

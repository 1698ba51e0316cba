package query

import "testing"

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"orders": `"orders"`, `a"b`: `"a""b"`, `""`: `""""""`, "weird name": `"weird name"`, "": `""`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

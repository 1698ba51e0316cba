package sqllex

import "testing"

func TestStatementAt(t *testing.T) {
	text := "SELECT ';' AS a; /* ; */ SELECT 2;\n-- ;\nSELECT \"x;y\" FROM t;  "
	for off, want := range map[int]string{
		0:             "SELECT ';' AS a",
		15:            "SELECT ';' AS a", // on the ';' itself
		16:            "/* ; */ SELECT 2",
		20:            "/* ; */ SELECT 2",
		len(text):     "-- ;\nSELECT \"x;y\" FROM t",
		len(text) - 3: "-- ;\nSELECT \"x;y\" FROM t",
	} {
		if got := StatementAt(text, off); got != want {
			t.Errorf("StatementAt(%d) = %q, want %q", off, got, want)
		}
	}
	if got := StatementAt("SELECT E'a\\';b' FROM t; SELECT $$;$$", 3); got != "SELECT E'a\\';b' FROM t" {
		t.Errorf("escape strings: %q", got)
	}
	for _, blank := range []string{"  ;  ", "", "-- only a comment;"} {
		if got := StatementAt(blank, 2); got != "" {
			t.Errorf("StatementAt(%q) = %q, want none", blank, got)
		}
	}
}

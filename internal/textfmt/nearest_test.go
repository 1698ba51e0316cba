package textfmt

import "testing"

func TestNearest(t *testing.T) {
	codes := []string{"malformed", "duplicate", "superseded", "type:order_id", "required:order_id"}
	for _, c := range []struct {
		word string
		max  int
		want string
	}{
		{"duplicat", 2, "duplicate"},
		{"type:orderid", 2, "type:order_id"},
		{"nope", 2, ""},
		{"malformed", 0, "malformed"},
		{"superceded", 2, "superseded"},
		{"superceded", 0, ""},
	} {
		if got := Nearest(c.word, codes, c.max); got != c.want {
			t.Errorf("Nearest(%q, %d) = %q, want %q", c.word, c.max, got, c.want)
		}
	}
	if d := Distance("kitten", "sitting"); d != 3 {
		t.Errorf("Distance = %d, want 3", d)
	}
}

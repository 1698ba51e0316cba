package rowfmt

import (
	"bytes"
	"testing"
)

func TestGuardFormula(t *testing.T) {
	for _, c := range []struct {
		in          string
		keepNumbers bool
		want        string
	}{
		{"=A1", false, "'=A1"}, {"+1", false, "'+1"}, {"-1", false, "'-1"}, {"@x", false, "'@x"},
		{"\tx", false, "'\tx"}, {"\rx", false, "'\rx"}, {"a=b", false, "a=b"}, {"", false, ""}, {"1", false, "1"},
		{"-12.5", true, "-12.5"}, {"+3", true, "+3"}, {"-x", true, "'-x"}, {"=1+2", true, "'=1+2"},
	} {
		if got := GuardFormula(c.in, c.keepNumbers); got != c.want {
			t.Errorf("GuardFormula(%q, %v) = %q, want %q", c.in, c.keepNumbers, got, c.want)
		}
	}
}

func TestGuardedCSV(t *testing.T) {
	var b bytes.Buffer
	w, err := NewGuardedCSV(&b, []string{"=h", "n"}, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]any{{"=SUM(A1)", int64(-5)}, {"@x"}} {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "'=h,n\n'=SUM(A1),-5\n'@x,\n"; got != want {
		t.Fatalf("csv %q, want %q", got, want)
	}
}

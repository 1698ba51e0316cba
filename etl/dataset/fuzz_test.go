package dataset

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRowRules feeds arbitrary cells to every dataset's rules: no panic, a
// row either passes with non-null required values or has reasons, and every
// reason is a known code for a known column.
func FuzzRowRules(f *testing.F) {
	f.Add("1,10000,1990,10,988,1,0,2025-04-01T11:27:00,2025-04-01")
	f.Add("90,10000,1990,2025-04-01T11:27:00,229.53,2025-04-01")
	f.Add(",x,,-1,\xff,0,maybe,2025-02-30T25:00,2025-13-01")
	f.Add("1,4,Books,Product_1_Store")
	f.Fuzz(func(t *testing.T, line string) {
		cells := fields(nil)
		for _, c := range strings.Split(line, ",") {
			cells = append(cells, []byte(c))
		}
		for _, d := range All() {
			names := make([][]byte, len(d.Columns))
			for i, c := range d.Columns {
				names[i] = []byte(c.Name)
			}
			m, err := d.MapHeader(names)
			if err != nil {
				t.Fatal(err)
			}
			vals := make([]Value, len(d.Columns))
			reasons := m.Check(cells, []byte(line), vals, nil)
			if len(cells) != len(d.Columns) {
				if len(reasons) != 1 || reasons[0] != ReasonMalformed {
					t.Fatalf("%s: wrong field count gave %v", d.Name, reasons)
				}
				continue
			}
			if !utf8.ValidString(line) && (len(reasons) == 0 || reasons[0] != ReasonEncoding) {
				t.Fatalf("%s: invalid UTF-8 not reported: %v", d.Name, reasons)
			}
			for _, r := range reasons {
				if !knownReason(d, r) {
					t.Fatalf("%s: unknown reason %q", d.Name, r)
				}
			}
			if len(reasons) == 0 {
				if k, ok := m.KeyOf(cells); !ok || k != vals[d.Key].I {
					t.Fatalf("%s: KeyOf = %d %v, Check parsed key %d", d.Name, k, ok, vals[d.Key].I)
				}
				for i, c := range d.Columns {
					if !c.Optional && vals[i].Null {
						t.Fatalf("%s: accepted row with null %s", d.Name, c.Name)
					}
					if c.Type == String && !bytes.Equal([]byte(vals[i].S), cells[i]) {
						t.Fatalf("%s: string %s changed", d.Name, c.Name)
					}
				}
			}
		}
	})
}

func knownReason(d *Dataset, r string) bool {
	switch r {
	case ReasonMalformed, ReasonEncoding, ReasonMismatch:
		return true
	}
	prefix, col, ok := strings.Cut(r, ":")
	if !ok || d.Index(col) < 0 {
		return false
	}
	switch prefix {
	case "required", "type", "timestamp", "date", "range":
		return true
	}
	return false
}

package rowfmt

import (
	"io"
	"strconv"
	"strings"
)

// GuardFormula prefixes a cell that a spreadsheet would run as a formula
// (it starts with =, +, -, @, a tab or a carriage return) with a single
// quote. With keepNumbers, a cell that is a plain number (-12.5) is left
// alone: it is not a formula. It is the one formula guard of lakeops:
// every CSV meant for a spreadsheet goes through NewGuardedCSV.
func GuardFormula(s string, keepNumbers bool) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if keepNumbers {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	}
	return "'" + s
}

// NewGuardedCSV is NewCSV for files meant for a spreadsheet: the header
// and every cell pass through GuardFormula (keepNumbers as there).
func NewGuardedCSV(w io.Writer, columns []string, keepNumbers bool) (Writer, error) {
	return newCSVWriter(w, columns, true, keepNumbers)
}

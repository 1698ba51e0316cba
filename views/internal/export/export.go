// Package export holds what the views' export commands share: making a new
// file that never replaces another, and guarding CSV cells a spreadsheet
// would run as formulas.
package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Create makes a new file base.ext in dir, or base-N.ext when taken.
func Create(dir, base, ext string) (*os.File, string, error) {
	for n := 0; n < 100; n++ {
		name := base + "." + ext
		if n > 0 {
			name = fmt.Sprintf("%s-%d.%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("create the export file: %w", err)
		}
		return f, path, nil
	}
	return nil, "", fmt.Errorf("create the export file: %s.%s and 99 numbered names exist in %s", base, ext, dir)
}

// GuardFormula prefixes a cell that a spreadsheet would run as a formula (it
// starts with =, +, -, @, a tab or a carriage return) with a single quote.
// With keepNumbers, a cell that is a plain number (-12.5) is left alone.
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

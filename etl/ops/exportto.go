package ops

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/lakeops/lakeops/internal/textfmt"
)

// ExportTarget is where an export the user named (:export PATH) goes: a
// file whose extension names the format, or an existing folder where the
// file is named by the caller (as CreateExport does).
type ExportTarget struct {
	File   string // the file to create (never replaced); "" for a folder
	Dir    string // the folder; "" for a file
	Format string
}

// ParseExportTarget reads a user's export path: byExt maps extensions
// (".csv") to formats; a folder takes folderFormat. A path that is
// neither a known extension nor an existing folder is refused, naming
// what would do.
func ParseExportTarget(path string, byExt map[string]string, folderFormat string) (ExportTarget, error) {
	if f, ok := byExt[strings.ToLower(filepath.Ext(path))]; ok {
		return ExportTarget{File: path, Format: f}, nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return ExportTarget{Dir: path, Format: folderFormat}, nil
	}
	exts := make([]string, 0, len(byExt))
	for e := range byExt {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	return ExportTarget{}, fmt.Errorf("%s: name a file ending in %s, or an existing folder", path, textfmt.OrList(exts))
}

// Create makes the target's file: the named one, refused when it exists,
// or a new base.ext (base-N.ext) in the folder. It returns the file and
// its absolute path.
func (t ExportTarget) Create(base string) (*os.File, string, error) {
	var f *os.File
	path := t.File
	var err error
	if t.File != "" {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, "", fmt.Errorf("create %s: %w", path, err)
		}
	} else if f, path, err = CreateExport(t.Dir, base, t.Format); err != nil {
		return nil, "", err
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return f, path, nil
}

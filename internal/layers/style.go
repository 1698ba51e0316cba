package layers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The house style rules a module's own packages are held to besides their
// imports (ARCHITECTURE.md, "Style").
const (
	DocRule  = "every package has a doc comment"
	SizeRule = "no source file is over the line limit"
)

// MaxFileLines is the line limit of a non-test Go file ("no file over
// about 500 lines": a little slack so a file is split where it makes sense).
const MaxFileLines = 520

// StyleViolation is one package or file breaking a style rule.
type StyleViolation struct {
	Rule, Package, What string
}

func (v StyleViolation) String() string { return fmt.Sprintf("%s: %s: %s", v.Rule, v.Package, v.What) }

// CheckStyle reports the module's packages without a doc comment and
// their non-test Go files longer than maxLines (generated files and main
// packages' doc aside: a command's doc is optional).
func CheckStyle(module string, pkgs []Package, maxLines int) ([]StyleViolation, error) {
	var out []StyleViolation
	for _, p := range pkgs {
		if p.Module == nil || p.Module.Path != module {
			continue
		}
		if strings.TrimSpace(p.Doc) == "" && p.Name != "main" {
			out = append(out, StyleViolation{Rule: DocRule, Package: p.ImportPath, What: "no doc comment"})
		}
		for _, f := range p.GoFiles {
			b, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				return nil, fmt.Errorf("read %s of %s: %w", f, p.ImportPath, err)
			}
			if bytes.Contains(b, []byte("// Code generated ")) {
				continue
			}
			if n := bytes.Count(b, []byte("\n")); n > maxLines {
				out = append(out, StyleViolation{Rule: SizeRule, Package: p.ImportPath, What: fmt.Sprintf("%s has %d lines (limit %d)", f, n, maxLines)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

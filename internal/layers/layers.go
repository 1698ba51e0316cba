// Package layers holds the layering rules of lakeops (ARCHITECTURE.md
// explains them) and checks a module's packages against them. Its test
// runs the check on this module through go list, and on a known-bad
// fixture module to show that every rule can fail.
package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
)

// Package is what go list says about one package of the module.
type Package struct {
	ImportPath string
	Name       string
	Imports    []string // direct imports (tests excluded)
	Deps       []string // every dependency, transitively (tests excluded)
	Module     *struct{ Path string }
	Dir        string   // the package's folder
	Doc        string   // the package's doc comment, its first sentence
	GoFiles    []string // its non-test Go files (names in Dir)
}

// Rule is one layering rule: the packages it applies to may not import
// what Forbidden says (of the importing package pkg) — directly, or
// anywhere in their dependencies when Transitive.
type Rule struct {
	Name       string
	From       func(pkg string) bool
	Transitive bool
	Forbidden  func(pkg, imp string) bool
}

// Violation is one import a rule forbids.
type Violation struct {
	Rule, Package, Import string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s: %s imports %s", v.Rule, v.Package, v.Import)
}

// NameRule is the rule that a package's name is its folder's name.
const NameRule = "package names equal folder names"

// Rules are the layering rules for the module path module.
func Rules(module string) []Rule {
	in := func(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }
	under := func(p, dir string) bool {
		d := module + "/" + dir
		return p == d || strings.HasPrefix(p, d+"/")
	}
	sdk := func(p string) bool {
		return strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2") || strings.HasPrefix(p, "github.com/aws/smithy-go")
	}
	charm := func(p string) bool {
		return strings.HasPrefix(p, "charm.land/") || strings.HasPrefix(p, "github.com/charmbracelet/")
	}
	shell := func(p string) bool { return p == module+"/ui" || under(p, "ui/components") }
	return []Rule{{
		Name:       "etl imports neither the AWS SDK nor Bubble Tea",
		From:       func(p string) bool { return under(p, "etl") },
		Transitive: true,
		Forbidden:  func(_, imp string) bool { return sdk(imp) || charm(imp) },
	}, {
		Name:       "etl and aws never import a front end",
		From:       func(p string) bool { return under(p, "etl") || under(p, "aws") },
		Transitive: true,
		Forbidden:  func(_, imp string) bool { return imp == module || under(imp, "ui") || under(imp, "views") },
	}, {
		Name:       "aws never imports the operations layer",
		From:       func(p string) bool { return under(p, "aws") },
		Transitive: true,
		Forbidden:  func(_, imp string) bool { return under(imp, "etl/ops") },
	}, {
		Name: "views import only the shell, its components, textfmt, etl/ops and views/internal",
		From: func(p string) bool { return under(p, "views") },
		Forbidden: func(p, imp string) bool {
			if sdk(imp) || strings.HasPrefix(imp, "github.com/duckdb/") {
				return true
			}
			ok := shell(imp) || under(imp, "internal/textfmt") || (under(imp, "etl/ops") && !under(imp, "etl/ops/opstest")) ||
				under(imp, "views/internal") || (under(p, "views/internal") && under(imp, "ui/uitest"))
			return in(imp) && !ok
		},
	}, {
		Name:       "the shell and its components know no view and no service",
		From:       shell,
		Transitive: true,
		Forbidden: func(_, imp string) bool {
			return under(imp, "views") || under(imp, "etl") || under(imp, "aws") || sdk(imp)
		},
	}, {
		Name:       "only the composition root (ui/cli) wires views",
		From:       func(p string) bool { return in(p) && p != module && !under(p, "views") && !under(p, "ui/cli") },
		Transitive: true,
		Forbidden:  func(_, imp string) bool { return under(imp, "views") },
	}, {
		Name:      "main only picks an entry point: ui/cli or the worker's host",
		From:      func(p string) bool { return p == module },
		Forbidden: func(_, imp string) bool { return in(imp) && !under(imp, "ui/cli") && !under(imp, "aws/workerhost") },
	}, {
		Name:       "internal helpers are leaves",
		From:       func(p string) bool { return under(p, "internal") },
		Transitive: true,
		Forbidden:  func(_, imp string) bool { return in(imp) && !under(imp, "internal") },
	}}
}

// Check returns every violation of the rules (and of NameRule) by the
// module's packages among pkgs, sorted.
func Check(module string, pkgs []Package) []Violation {
	var out []Violation
	for _, p := range pkgs {
		if p.ImportPath != module && !strings.HasPrefix(p.ImportPath, module+"/") {
			continue
		}
		if p.Name != "main" && p.Name != path.Base(p.ImportPath) {
			out = append(out, Violation{Rule: NameRule, Package: p.ImportPath, Import: "package " + p.Name})
		}
		for _, r := range Rules(module) {
			if !r.From(p.ImportPath) {
				continue
			}
			imps := p.Imports
			if r.Transitive {
				imps = p.Deps
			}
			for _, imp := range imps {
				if r.Forbidden(p.ImportPath, imp) {
					out = append(out, Violation{Rule: r.Name, Package: p.ImportPath, Import: imp})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// List runs go list -deps -json in dir on patterns and returns the
// packages it lists (the module's and their dependencies).
func List(dir string, patterns ...string) ([]Package, error) {
	args := append([]string{"list", "-deps", "-json=ImportPath,Name,Imports,Deps,Module,Dir,Doc,GoFiles"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list in %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("read go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

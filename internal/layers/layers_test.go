package layers

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/lakeops/lakeops"

// TestModuleKeepsItsLayers lists this module's packages with go list and
// fails on any import a rule forbids.
func TestModuleKeepsItsLayers(t *testing.T) {
	pkgs, err := List(".", module+"/...")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pkgs {
		if strings.HasPrefix(p.ImportPath, module) {
			n++
		}
	}
	if n < 50 {
		t.Fatalf("go list found only %d packages of the module", n)
	}
	for _, v := range Check(module, pkgs) {
		t.Error(v)
	}
}

// TestEveryRuleBothWays checks each rule against an import it must forbid
// and one it must allow.
func TestEveryRuleBothWays(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	cases := []struct {
		rule       string
		pkg        string
		bad, good  string
		transitive bool
	}{
		{"etl imports neither the AWS SDK nor Bubble Tea", m("etl/ops"), "github.com/aws/aws-sdk-go-v2/service/s3", m("etl/delta"), true},
		{"etl imports neither the AWS SDK nor Bubble Tea", m("etl/jobs"), "charm.land/bubbletea/v2", "golang.org/x/sync/errgroup", true},
		{"etl and aws never import a front end", m("aws/flows/local"), m("ui/cli"), m("etl/pipeline"), true},
		{"etl and aws never import a front end", m("etl/ops"), m("views/runs"), m("aws/query"), true},
		{"aws never imports the operations layer", m("aws/catalog"), m("etl/ops"), m("etl/delta"), true},
		{"views import only the shell, its components, textfmt, etl/ops and views/internal", m("views/files"), m("etl/pipeline"), m("etl/ops"), false},
		{"views import only the shell, its components, textfmt, etl/ops and views/internal", m("views/runs"), m("views/rejects"), m("ui/components/listview"), false},
		{"views import only the shell, its components, textfmt, etl/ops and views/internal", m("views/tables"), m("aws/storage"), m("internal/textfmt"), false},
		{"views import only the shell, its components, textfmt, etl/ops and views/internal", m("views/flows"), m("ui/uitest"), m("views/internal/viewtest"), false},
		{"views import only the shell, its components, textfmt, etl/ops and views/internal", m("views/query"), "github.com/duckdb/duckdb-go/v2", "charm.land/bubbles/v2/textarea", false},
		{"the shell and its components know no view and no service", m("ui"), m("etl/jobs"), m("internal/textfmt"), true},
		{"the shell and its components know no view and no service", m("ui/components/listview"), m("views/flows"), m("ui/components/table"), true},
		{"only the composition root (ui/cli) wires views", m("ui/tour"), m("views/files"), m("ui"), true},
		{"main only picks an entry point: ui/cli or the worker's host", module, m("etl/pipeline"), m("ui/cli"), false},
		{"main only picks an entry point: ui/cli or the worker's host", module, m("views/files"), m("aws/workerhost"), false},
		{"internal helpers are leaves", m("internal/textfmt"), m("etl/ops"), "unicode/utf8", true},
	}
	for _, c := range cases {
		t.Run(c.rule+"/"+c.pkg, func(t *testing.T) {
			p := Package{ImportPath: c.pkg, Name: lastElem(c.pkg)}
			if c.pkg == module {
				p.Name = "main"
			}
			p.Imports, p.Deps = []string{c.bad}, []string{c.bad}
			if !slices.ContainsFunc(Check(module, []Package{p}), func(v Violation) bool { return v.Rule == c.rule && v.Import == c.bad }) {
				t.Errorf("%s importing %s passed %q", c.pkg, c.bad, c.rule)
			}
			p.Imports, p.Deps = []string{c.good}, []string{c.good}
			if vs := Check(module, []Package{p}); len(vs) > 0 {
				t.Errorf("%s importing %s: %v", c.pkg, c.good, vs)
			}
			if c.transitive { // a forbidden package deep in the dependencies counts too
				p.Imports, p.Deps = []string{c.good}, []string{c.good, c.bad}
				if !slices.ContainsFunc(Check(module, []Package{p}), func(v Violation) bool { return v.Rule == c.rule }) {
					t.Errorf("%s depending on %s through %s passed %q", c.pkg, c.bad, c.good, c.rule)
				}
			}
		})
	}
	if vs := Check(module, []Package{{ImportPath: m("views/query"), Name: "queryview"}}); len(vs) != 1 || vs[0].Rule != NameRule {
		t.Errorf("a package named unlike its folder: %v", vs)
	}
}

func lastElem(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// TestKnownBadFixture runs go list on testdata/bad, a module that breaks
// every rule once, and expects exactly those violations.
func TestKnownBadFixture(t *testing.T) {
	pkgs, err := List("testdata/bad", "./...")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range Check(module, pkgs) {
		got = append(got, v.String())
	}
	m := func(p string) string { return module + "/" + p }
	want := []string{
		fmt.Sprintf("aws never imports the operations layer: %s imports %s", m("aws/s"), m("etl/ops")),
		fmt.Sprintf("etl imports neither the AWS SDK nor Bubble Tea: %s imports charm.land/bubbletea/v2", m("etl/tea")),
		fmt.Sprintf("internal helpers are leaves: %s imports %s", m("internal/x"), m("etl/ops")),
		fmt.Sprintf("main only picks an entry point: ui/cli or the worker's host: %s imports %s", module, m("etl/pipeline")),
		fmt.Sprintf("only the composition root (ui/cli) wires views: %s imports %s", m("ui"), m("views/b")),
		fmt.Sprintf("package names equal folder names: %s imports package wrongname", m("ui/components/w")),
		fmt.Sprintf("the shell and its components know no view and no service: %s imports %s", m("ui"), m("views/b")),
		fmt.Sprintf("views import only the shell, its components, textfmt, etl/ops and views/internal: %s imports %s", m("views/a"), m("etl/pipeline")),
		fmt.Sprintf("views import only the shell, its components, textfmt, etl/ops and views/internal: %s imports %s", m("views/a"), m("views/b")),
	}
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("violations in the fixture:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

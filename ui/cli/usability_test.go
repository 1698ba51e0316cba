package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakeops/lakeops/etl/gen"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// doubledPrefix reports whether an error line names its command twice:
// "lakeops gen: gen: …", "lakeops table read: lakeops table read needs …".
func doubledPrefix(line string, path []string) bool {
	prefix := strings.Join(append([]string{"lakeops"}, path...), " ") + ": "
	rest, ok := strings.CutPrefix(line, prefix)
	if !ok {
		return true // the prefix is not where Main puts it
	}
	if strings.HasPrefix(rest, "lakeops") {
		return true
	}
	return len(path) > 0 && (strings.HasPrefix(rest, path[0]+" ") || strings.HasPrefix(rest, path[0]+":"))
}

// TestArgumentErrorsNameTheCommandOnce gives every command arguments it
// refuses — none where its usage names one, too many where it takes a
// fixed number — and checks the one line names the command once.
func TestArgumentErrorsNameTheCommandOnce(t *testing.T) {
	required := regexp.MustCompile(`^[A-Z][A-Z_|]*$`) // URI, ARN, SHELL: not [OPTIONAL], not FILE...
	tried := 0
	for _, path := range commandPaths(t) {
		if len(path) == 0 {
			continue
		}
		cmd := findCommand(t, path)
		words := strings.Fields(cmd.Use)[1:]
		needs, variadic := false, false
		for _, w := range words {
			needs = needs || required.MatchString(w)
			variadic = variadic || strings.Contains(w, "...")
		}
		var cases [][]string
		if needs && !variadic {
			cases = append(cases, path)
		}
		if !variadic && !cmd.HasSubCommands() && cmd.Name() != "worker" && cmd.Name() != "help" {
			cases = append(cases, append(append([]string(nil), path...), "a1", "a2", "a3", "a4", "a5", "a6", "a7"))
		}
		for _, args := range cases {
			_, stderr, code := run(t, append([]string{"--lake", filepath.Join(t.TempDir(), "no-lake")}, args...)...)
			if code != ExitUsage {
				if len(args) == len(path) { // it names an argument it needs
					t.Errorf("%v: exit %d, want 2 (%q)", args, code, stderr)
				}
				continue // it takes words as they come (query's SQL)
			}
			tried++
			if strings.Count(stderr, "\n") != 1 || doubledPrefix(strings.TrimSpace(stderr), path) {
				t.Errorf("%v: %q: want one line naming the command once", args, stderr)
			}
		}
	}
	if tried < 20 {
		t.Fatalf("only %d argument errors tried", tried)
	}
}

func TestFlagAndValueErrorsNameTheCommandOnce(t *testing.T) {
	lake := t.TempDir()
	table := filepath.Join(t.TempDir(), "t")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gen", "--out", filepath.Join(t.TempDir(), "g"), "--orders", "-5"}, ExitUsage, "lakeops gen: --orders must be >= 0, got -5\n"},
		{[]string{"gen", "--out", filepath.Join(t.TempDir(), "g"), "--dirty", "2"}, ExitUsage, "lakeops gen: --dirty must be in 0..0.9, got 2\n"},
		{[]string{"gen"}, ExitUsage, "lakeops gen: needs --out DIR"},
		{[]string{"gen", "--out", "/dev/null/x"}, ExitFail, "lakeops gen: create the output folder: "},
		{[]string{"man"}, ExitUsage, "lakeops man: needs --out DIR"},
		{[]string{"deploy", "status"}, ExitUsage, "lakeops deploy status: needs --stack NAME"},
		{[]string{"deploy", "package"}, ExitUsage, "lakeops deploy package: needs --out DIR"},
		{[]string{"--read-only", "table", "vacuum", table}, ExitFail, "lakeops table vacuum: the lake is opened read-only"},
		{[]string{"table", "set-property", table, "nokey"}, ExitUsage, `lakeops table set-property: wants KEY=VALUE, not "nokey"`},
		{[]string{"table", "raed"}, ExitUsage, `lakeops table: unknown command "raed"; did you mean "read"?`},
		{[]string{"--lake", lake, "flow", "run", "--definition", filepath.Join(lake, "none.json")}, ExitFail, "lakeops flow run: --definition: open "},
	} {
		_, stderr, code := run(t, c.args...)
		if code != c.code || !strings.HasPrefix(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and a line starting %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "g")); err == nil {
		t.Error("gen with a bad option made its folder")
	}
}

func TestRejectsRefusesUnknownReasons(t *testing.T) {
	lake := t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\nx,4,Books,B\n")
	if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	_, stderr, code := run(t, "--lake", lake, "rejects", "--reason", "nope")
	if code != ExitUsage || !strings.Contains(stderr, `unknown reason code "nope"`) || !strings.Contains(stderr, "malformed, encoding,") ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("--reason nope: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, "--lake", lake, "rejects", "--reason", "type:product-id")
	if code != ExitUsage || !strings.Contains(stderr, `did you mean "type:product_id"?`) {
		t.Errorf("--reason type:product-id: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, "--lake", lake, "rejects", "--dataset", "orders", "--reason", "reference:product_id")
	if code != ExitUsage || !strings.Contains(stderr, "for orders") {
		t.Errorf("a code orders never has: exit %d %q", code, stderr)
	}
	out, stderr, code := run(t, "--lake", lake, "rejects", "--reason", "type:product_id")
	if code != ExitOK || !strings.Contains(out, "type:product_id") || !strings.Contains(out, "1 row") {
		t.Errorf("a known code: exit %d %q\n%s", code, stderr, out)
	}
}

func TestGenPrintsNoStaleProgress(t *testing.T) {
	out, stderr, code := run(t, "gen", "--out", t.TempDir(), "--orders", "1000")
	if code != ExitOK || stderr != "" || !strings.Contains(out, "wrote 5 files") {
		t.Fatalf("a quick gen: exit %d, stderr %q (want none), stdout %q", code, stderr, out)
	}
}

func TestGenProgressWhileItRunsThenTheTotals(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(700 * time.Millisecond); return clock }
	var b bytes.Buffer
	p := newGenProgress(&b, time.Second, now)
	m, err := gen.Generate(t.Context(), t.TempDir(), gen.Options{Orders: 3000, Seed: 2}, p.report)
	if err != nil {
		t.Fatal(err)
	}
	p.done(m)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("want progress lines while it runs:\n%s", b.String())
	}
	total := textfmt.Count(m.Totals.Rows)
	line := regexp.MustCompile(`^gen: ([\d,]+) of ([\d,]+) rows, writing file (\d+) of 13$`)
	lastFile := 0
	for _, l := range lines[:len(lines)-1] {
		sub := line.FindStringSubmatch(l)
		if sub == nil || sub[2] != total {
			t.Fatalf("progress line %q (want the total %s)", l, total)
		}
		f, _ := strconv.Atoi(sub[3])
		if f < lastFile || f < 1 || f > 13 {
			t.Fatalf("file %d after %d: %q", f, lastFile, l)
		}
		lastFile = f
	}
	if want := "gen: " + total + " rows, 13 files written in "; !strings.HasPrefix(lines[len(lines)-1], want) {
		t.Fatalf("last line %q, want the totals %q…", lines[len(lines)-1], want)
	}
}

func TestQueryPrintsEveryStatement(t *testing.T) {
	lake := querySeedLake(t, "products.csv")
	out, stderr, code := run(t, "--lake", lake, "query", "SELECT 1 AS one; SELECT count(*) AS n FROM products")
	if code != ExitOK || !strings.Contains(out, "-- SELECT 1 AS one\none\n---\n  1\n") || !strings.Contains(out, "-- SELECT count(*) AS n FROM products\n") ||
		!strings.Contains(out, "1000") || strings.Count(stderr, "row") != 2 {
		t.Fatalf("exit %d (%s):\n%s", code, stderr, out)
	}
	out, stderr, code = run(t, "--lake", lake, "query", "--format", "json", "SELECT 1 AS one; SELECT 2 AS two, 3 AS three")
	var results []struct {
		Statement string           `json:"statement"`
		Rows      []map[string]int `json:"rows"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &results) != nil || len(results) != 2 || results[1].Statement != "SELECT 2 AS two, 3 AS three" ||
		results[0].Rows[0]["one"] != 1 || results[1].Rows[0]["three"] != 3 {
		t.Fatalf("json: exit %d (%s):\n%s", code, stderr, out)
	}
	for _, f := range []string{"csv", "jsonl"} {
		out, stderr, code = run(t, "--lake", lake, "query", "--format", f, "SELECT 1; SELECT 2")
		if code != ExitUsage || out != "" || !strings.Contains(stderr, "holds 2") || !strings.Contains(stderr, "--format table or json") {
			t.Errorf("--format %s with two statements: exit %d %q %q", f, code, stderr, out)
		}
	}
	// One statement (and a trailing semicolon) keeps its plain shape.
	out, _, code = run(t, "--lake", lake, "query", "--format", "csv", "SELECT 7 AS x;")
	if code != ExitOK || out != "x\n7\n" {
		t.Errorf("one statement: exit %d %q", code, out)
	}
}

func TestRunWithNothingNewPrintsNoEmptyRun(t *testing.T) {
	lake := querySeedLake(t, "products.csv")
	out, stderr, code := run(t, "--lake", lake, "run", "--quiet")
	if code != ExitOK || out != "" || !strings.Contains(stderr, "nothing new to load: every raw file under") || strings.Contains(stderr, "run 20") {
		t.Errorf("nothing new: exit %d, stdout %q (want none), stderr %q", code, out, stderr)
	}
	out, _, code = run(t, "--lake", lake, "run", "--quiet", "--json")
	var sum struct {
		RunID *string `json:"run_id"`
		Files []any   `json:"files"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &sum) != nil || sum.RunID == nil || *sum.RunID != "" || sum.Files == nil || len(sum.Files) != 0 {
		t.Errorf("nothing new, json: exit %d\n%s", code, out)
	}
	// Every raw file archived by a flow: say so, not "no raw files".
	archived := filepath.Join(lake, "archive/2026/01/02/products.csv")
	if err := os.MkdirAll(filepath.Dir(archived), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(lake, "bronze_layer/products.csv"), archived); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = run(t, "--lake", lake, "run")
	if code != ExitOK || out != "" || !strings.Contains(stderr, "1 raw file was loaded and archived under "+lake+"/archive/") ||
		strings.Contains(stderr, "no raw files") {
		t.Errorf("all archived: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	// A run that loads prints counts with thousands separators, and its id.
	lake = t.TempDir()
	b, err := os.ReadFile("../../testdata/seed/products.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), string(b))
	out, stderr, code = run(t, "--lake", lake, "run", "--quiet")
	if code != ExitOK || !regexp.MustCompile(`TOTAL +1,000 +1,000 +0 +1,000`).MatchString(out) || !strings.Contains(out, "\nrun 20") {
		t.Errorf("a run: exit %d (%s)\n%s", code, stderr, out)
	}
}

func TestStatusIsTheLakeAtAGlance(t *testing.T) {
	lake := t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\nx,4,Books,B\n")
	out, stderr, code := run(t, "--lake", lake, "status")
	if code != ExitOK || !strings.Contains(out, "tables     none yet") || !strings.Contains(out, "raw files  1 under bronze_layer/: 1 new") ||
		!strings.Contains(out, "  new      bronze_layer/products.csv") || !strings.Contains(out, "last run   none yet") {
		t.Fatalf("before a run: exit %d (%s)\n%s", code, stderr, out)
	}
	if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	out, stderr, code = run(t, "--lake", lake, "status")
	if code != ExitOK || !regexp.MustCompile(`\n  products +1 +1 +1 `).MatchString(out) || !strings.Contains(out, ": 0 new") ||
		!strings.Contains(out, "rejects    1 row open (products 1, orders 0, order_items 0)") ||
		!regexp.MustCompile(`last run   \S+ succeeded at .*: 1 file, 2 read, 1 accepted, 1 rejected`).MatchString(out) {
		t.Fatalf("after a run: exit %d (%s)\n%s", code, stderr, out)
	}
	out, _, code = run(t, "--lake", lake, "status", "--format", "json")
	var st statusOut
	if code != ExitOK || json.Unmarshal([]byte(out), &st) != nil || st.RawFiles != 1 || len(st.NewFiles) != 0 || st.OpenRejects["products"] != 1 ||
		st.LastRun == nil || st.LastRun.Files != 1 || len(st.Tables) == 0 {
		t.Fatalf("json: exit %d\n%s", code, out)
	}
	// What a user types first is a command now; a near miss still suggests it.
	if _, stderr, code := run(t, "statsu"); code != ExitUsage || !strings.Contains(stderr, `did you mean "status"?`) {
		t.Errorf("statsu: exit %d %q", code, stderr)
	}
}

// TestUnknownValuesAreRefused: a value no flag can mean is a usage error
// saying what it takes, not a silent default or an empty answer.
func TestUnknownValuesAreRefused(t *testing.T) {
	lake := querySeedLake(t, "products.csv")
	table := filepath.Join(lake, "silver_layer/products")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rejects", "--file", "bronze_layer/product.csv"}, `lakeops rejects: --file bronze_layer/product.csv: no run has read that raw file (did you mean "bronze_layer/products.csv"?)`},
		{[]string{"reprocess", "--file", "bronze_layer/nope.csv"}, "lakeops reprocess: --file bronze_layer/nope.csv: no run has read that raw file;"},
		{[]string{"reprocess", "--dataset", "order"}, `did you mean "orders"?`},
		{[]string{"bench", "--case", "dayly"}, `lakeops bench: --case: unknown case "dayly" (did you mean "daily"?): the cases are daily,`},
		{[]string{"deploy", "template", "--compute", "lamda"}, `lakeops deploy template: --compute must be lambda or fargate, not "lamda"`},
		{[]string{"deploy", "template", "--arch", "x86"}, `lakeops deploy template: --arch must be arm64 or amd64, not "x86"`},
		{[]string{"table", "history", table, "--limit", "-3"}, "lakeops table history: --limit must be 0 (all) or more, not -3"},
		{[]string{"table", "read", table, "--version", "-1"}, "lakeops table read: --version must be 0 or more, not -1"},
		{[]string{"table", "vacuum", table, "--retain", "-1"}, "lakeops table vacuum: --retain must be at least 0 hours, not -1"},
		{[]string{"run", "--max-field-bytes", "-1"}, "lakeops run: --max-field-bytes must be 0 (the default) or more, not -1"},
		{[]string{"validate", "--max-record-bytes", "-2", "bronze_layer/products.csv"}, "lakeops validate: --max-record-bytes must be 0 (the default) or more, not -2"},
	} {
		out, stderr, code := run(t, append([]string{"--lake", lake}, c.args...)...)
		if code != ExitUsage || out != "" || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, stderr, c.want)
		}
	}
	if out, stderr, code := run(t, "--lake", lake, "rejects", "--file", "bronze_layer/products.csv"); code != ExitOK || !strings.Contains(out, "0 rows") {
		t.Errorf("a file the log records: exit %d %q\n%s", code, stderr, out)
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runEnv runs Main with an environment of its own.
func runEnv(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return out.String(), errb.String(), code
}

// commandPaths walks the real command tree: every command's words after
// "lakeops", hidden ones included (new commands are covered as they come).
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	root := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}).tree()
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, s := range c.Commands() {
			walk(s, append(append([]string(nil), path...), s.Name()))
		}
	}
	walk(root, nil)
	if len(paths) < 25 {
		t.Fatalf("only %d commands in the tree", len(paths))
	}
	return paths
}

// findCommand is the command at path in a fresh tree.
func findCommand(t *testing.T, path []string) *cobra.Command {
	t.Helper()
	root := newApp(Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}).tree()
	c, _, err := root.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, path := range commandPaths(t) {
		name := strings.Join(append([]string{"lakeops"}, path...), " ")
		for _, args := range [][]string{append(append([]string(nil), path...), "--help"), append([]string{"help"}, path...), append(append([]string(nil), path...), "-h")} {
			out, stderr, code := run(t, args...)
			if code != ExitOK || stderr != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
				continue
			}
			for _, want := range []string{"Usage:\n  " + name, "Examples:\n  lakeops"} {
				if !strings.Contains(out, want) {
					t.Errorf("%v: help lacks %q:\n%s", args, want, out)
				}
			}
			if c := findCommand(t, path); c.HasAvailableFlags() && !strings.Contains(out, "Flags:") {
				t.Errorf("%v: help lists no flags:\n%s", args, out)
			}
		}
	}
}

func TestInternalCommandsAreHidden(t *testing.T) {
	out, _, _ := run(t, "--help")
	for _, hidden := range []string{"bench-duckdb", "worker", "man"} {
		if strings.Contains(out, "\n  "+hidden+" ") {
			t.Errorf("--help lists the internal command %s:\n%s", hidden, out)
		}
		if !findCommand(t, []string{hidden}).Hidden {
			t.Errorf("%s is not hidden", hidden)
		}
	}
	for _, shown := range []string{"run", "query", "table", "flow", "config", "completion"} {
		if !strings.Contains(out, "\n  "+shown+" ") {
			t.Errorf("--help does not list %s", shown)
		}
	}
}

func TestGlobalFlagsAfterTheCommand(t *testing.T) {
	lake := t.TempDir()
	writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\n")
	out, stderr, code := run(t, "run", "--lake", lake, "--json", "--quiet")
	var sum struct {
		Totals struct{ Accepted int } `json:"totals"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &sum) != nil || sum.Totals.Accepted != 1 {
		t.Fatalf("run --lake after the command: exit %d %s\n%s", code, stderr, out)
	}
	// Before, between and after positional arguments alike.
	out, stderr, code = run(t, "table", "ls", "--format", "json", "--lake", lake, "--read-only")
	if code != ExitOK || !strings.Contains(out, `"name": "products"`) {
		t.Fatalf("table ls --lake after: exit %d %s\n%s", code, stderr, out)
	}
	out, _, code = run(t, "config", "show", "--format", "json", "--lake", lake, "--read-only")
	var show struct {
		Settings []resolvedSetting `json:"settings"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &show) != nil {
		t.Fatalf("config show: exit %d\n%s", code, out)
	}
	for _, s := range show.Settings {
		if s.Name == "lake" && (s.Value != lake || s.Source != fromFlag) || s.Name == "read_only" && (s.Value != "true" || s.Source != fromFlag) {
			t.Errorf("%+v", s)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, stderr, code := run(t, args...)
		if code != ExitOK || stderr != "" || !strings.HasPrefix(out, "lakeops ") || !strings.Contains(out, "commit ") || !strings.Contains(out, "built ") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%v: exit %d %q %q", args, code, out, stderr)
		}
	}
	out, _, code := run(t, "version", "--format", "json")
	var v map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("version --format json: exit %d %s", code, out)
	}
	for _, k := range []string{"version", "commit", "build_date", "go_version", "platform"} {
		if _, ok := v[k]; !ok {
			t.Errorf("version JSON lacks %s: %s", k, out)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_lakeops", "zsh": "#compdef lakeops", "fish": "complete -c lakeops", "powershell": "Register-ArgumentCompleter"} {
		out, stderr, code := run(t, "completion", shell)
		if code != ExitOK || stderr != "" || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q (%d bytes)", shell, code, stderr, want, len(out))
		}
	}
	if _, stderr, code := run(t, "completion", "tcsh"); code != ExitUsage || !strings.Contains(stderr, "bash, zsh, fish") {
		t.Errorf("completion tcsh: exit %d %q", code, stderr)
	}
	// What the scripts ask for: commands, a command's formats, the config's lakes.
	out, _, _ := run(t, "__complete", "ta")
	if !strings.Contains(out, "table\t") {
		t.Errorf("completing ta: %q", out)
	}
	out, _, _ = run(t, "__complete", "rejects", "--format", "")
	for _, f := range []string{"table", "csv", "json", "jsonl"} {
		if !strings.Contains(out, f+"\n") {
			t.Errorf("completing rejects --format lacks %s: %q", f, out)
		}
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "lakeops", "config.toml"), "[lakes.prod]\nuri = \"s3://b/p\"\n[lakes.demo]\nuri = \"d\"\n")
	out, _, _ = runEnv(t, map[string]string{"XDG_CONFIG_HOME": dir}, "__complete", "--use", "")
	if !strings.Contains(out, "demo\n") || !strings.Contains(out, "prod\n") {
		t.Errorf("completing --use: %q", out)
	}
}

func TestManPages(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := run(t, "man", "--out", dir)
	if code != ExitOK {
		t.Fatalf("man: exit %d %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "lakeops-table-read.1"))
	if err != nil || !strings.Contains(string(b), ".TH \"LAKEOPS\" \"1\"") || !strings.Contains(string(b), "lakeops table read") ||
		!strings.Contains(string(b), "--version") || !strings.Contains(out, dir) {
		t.Fatalf("man page: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(dir, "lakeops-bench-duckdb.1")); err == nil {
		t.Error("a man page for a hidden command")
	}
}

func TestMisspeltCommandSuggestsTheNearest(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rnu"}, `lakeops: unknown command "rnu"; did you mean "run"?`},
		{[]string{"qeury", "SELECT 1"}, `did you mean "query"?`},
		{[]string{"table", "raed", "x"}, `lakeops table: unknown command "raed"; did you mean "read"?`},
		{[]string{"flow", "hisotry"}, `did you mean "history"?`},
		{[]string{"config", "shwo"}, `did you mean "show"?`},
	} {
		_, stderr, code := run(t, c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want one line with %q", c.args, code, stderr, c.want)
		}
	}
	// Nothing close: no suggestion, still the way to help.
	if _, stderr, code := run(t, "xyzzy"); code != ExitUsage || strings.Contains(stderr, "did you mean") || !strings.Contains(stderr, "lakeops --help") {
		t.Errorf("xyzzy: exit %d %q", code, stderr)
	}
	// A group alone says what it holds.
	if _, stderr, code := run(t, "table"); code != ExitUsage || !strings.Contains(stderr, "needs a command: clean-log, history, ls, optimize, read, register, set-property, vacuum") {
		t.Errorf("table: exit %d %q", code, stderr)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--bogus"}, {"validate"}, {"query"}, {"table", "read"}, {"rejects", "--format", "xml"},
		{"run", "--json", "--format", "table"}, {"flow", "describe"}, {"gen"}, {"config", "show", "extra"},
	} {
		_, stderr, code := run(t, args...)
		if code != ExitUsage || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "lakeops") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line", args, code, stderr)
		}
	}
}

// TestWorkerCommand: the worker's ECS command runs through the tree
// (hidden), its arguments untouched and its exit status its own.
func TestWorkerCommand(t *testing.T) {
	out, stderr, code := run(t, "worker", `{"action": "no-such-action"}`)
	if code != ExitUsage || out != "" || !strings.Contains(stderr, `"error"`) || !strings.Contains(stderr, "no-such-action") {
		t.Fatalf("worker with a bad action: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if strings.Contains(stderr, "lakeops worker:") {
		t.Errorf("the CLI's printer added a line to the worker's own error: %q", stderr)
	}
}

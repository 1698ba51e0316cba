package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// contractFixture is what the output-contract cases run on: a lake with
// the seed's first day loaded and a flow execution of each outcome.
type contractFixture struct {
	lake, empty, raw string // a loaded lake, an empty one, a raw file on disk
	succeeded        string // a finished execution's ARN
	failed           string // a FAILED execution's ARN (for redrive)
	running          string // an execution another Main is running (for stop)
}

// contractCase runs one data-printing command in JSON (jsonl when the
// command has no json) and says what its document holds.
type contractCase struct {
	args     func(f *contractFixture) []string
	exit     int
	emptyOf  func(f *contractFixture) []string // args that print no items: an empty array at emptyKey
	emptyKey string                            // "" for the document itself
	// data are keys whose values are data, not our contract (column names,
	// reason codes, Delta's metrics, an execution's own JSON); rows: the
	// items' keys are a table's column names.
	data     []string
	rows     bool
	nullable []string // keys that may be null
}

var failDefinition = `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Lakeops.Test","Cause":"fails on purpose"}}}`
var waitDefinition = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`

func contractCases(t *testing.T) map[string]contractCase {
	seed := "../../testdata/statemachine/step_function_code.json"
	return map[string]contractCase{
		"version": {args: func(*contractFixture) []string { return []string{"version"} }},
		"gen": {args: func(*contractFixture) []string {
			return []string{"gen", "--out", t.TempDir(), "--orders", "40", "--dirty", "0.2"}
		},
			data: []string{"defects"}},
		"validate": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "validate", f.raw} },
			data: []string{"rejected_by_reason"}},
		"run": {args: func(f *contractFixture) []string {
			lake := t.TempDir()
			writeFile(t, filepath.Join(lake, "bronze_layer/products.csv"), "product_id,department_id,department,product_name\n1,4,Books,A\nx,4,Books,B\n")
			return []string{"--lake", lake, "run", "--quiet"}
		}, emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.lake, "run", "--quiet"} }, emptyKey: "files",
			data: []string{"rejected_by_reason"}},
		"rejects": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "rejects"} },
			emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.empty, "rejects"} }},
		"reprocess": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "reprocess"} },
			data: []string{"rejected_by_reason"}},
		"query": {args: func(f *contractFixture) []string {
			return []string{"--lake", f.lake, "query", "SELECT date, count(*) AS n, min(order_timestamp) AS first FROM orders GROUP BY 1"}
		}, rows: true,
			emptyOf: func(f *contractFixture) []string {
				return []string{"--lake", f.lake, "query", "SELECT * FROM orders WHERE false"}
			}},
		"table ls": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "table", "ls"} },
			emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.empty, "table", "ls"} }, nullable: []string{"rows"}},
		"table read": {args: func(f *contractFixture) []string {
			return []string{"table", "read", filepath.Join(f.lake, "silver_layer/orders")}
		}, rows: true},
		"table history": {args: func(f *contractFixture) []string {
			return []string{"table", "history", filepath.Join(f.lake, "silver_layer/orders")}
		}, data: []string{"operation_parameters", "operation_metrics"}, nullable: []string{"read_version"}},
		"table vacuum": {args: func(f *contractFixture) []string {
			return []string{"table", "vacuum", filepath.Join(f.lake, "silver_layer/orders"), "--dry-run", "--retain", "0", "--force"}
		}, emptyOf: func(f *contractFixture) []string {
			return []string{"table", "vacuum", filepath.Join(f.lake, "silver_layer/orders"), "--dry-run"}
		}, emptyKey: "files"},
		"table clean-log": {args: func(f *contractFixture) []string {
			return []string{"table", "clean-log", filepath.Join(f.lake, "silver_layer/orders"), "--dry-run"}
		}, emptyOf: func(f *contractFixture) []string {
			return []string{"table", "clean-log", filepath.Join(f.lake, "silver_layer/orders"), "--dry-run"}
		}, emptyKey: "files"},
		"table optimize": {args: func(f *contractFixture) []string {
			return []string{"table", "optimize", filepath.Join(f.lake, "silver_layer/order_items")}
		}},
		"table set-property": {args: func(f *contractFixture) []string {
			return []string{"table", "set-property", filepath.Join(f.lake, "silver_layer/products"), "owner=ops", "--unset", "team"}
		}, data: []string{"set"}},
		"table register": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "table", "register"} },
			emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.empty, "table", "register"} }},
		"flow run": {args: func(f *contractFixture) []string {
			return []string{"--lake", f.lake, "flow", "run", "--no-wait", "--definition", seed}
		}, data: []string{"input", "output", "parameters"}, nullable: []string{"output"}},
		"flow start": {args: func(f *contractFixture) []string {
			return []string{"--lake", f.lake, "flow", "start", "--no-wait", "--definition", seed, "lab-seed"}
		}, data: []string{"input", "output", "parameters"}, nullable: []string{"output"}},
		"flow ls": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "flow", "ls"} },
			emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.lake, "flow", "ls", "no-such-machine"} }},
		"flow describe": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "flow", "describe", f.succeeded} },
			data: []string{"input", "output"}},
		"flow history": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "flow", "history", f.succeeded} },
			data: []string{"input", "output", "parameters"}},
		"flow stop": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "flow", "stop", f.running} }},
		"flow redrive": {args: func(f *contractFixture) []string {
			return []string{"--lake", f.lake, "flow", "redrive", "--no-wait", f.failed}
		},
			exit: ExitFail, nullable: []string{"output"}},
		"deploy status": {args: func(f *contractFixture) []string {
			fakeStackAWS(t) // CloudFormation's recorded DescribeStacks answer
			return []string{"--stack", "lakeops", "deploy", "status"}
		}, data: []string{"outputs", "parameters"}},
		"status": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "status"} },
			emptyOf: func(f *contractFixture) []string { return []string{"--lake", f.empty, "status"} }, emptyKey: "tables",
			data: []string{"open_rejects"}, nullable: []string{"rows", "last_run"}},
		"config show": {args: func(f *contractFixture) []string { return []string{"--lake", f.lake, "config", "show"} },
			emptyOf: func(f *contractFixture) []string { return []string{"config", "show"} }, emptyKey: "lakes"},
	}
}

// syncBuffer is a buffer two goroutines may use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newContractFixture(t *testing.T) *contractFixture {
	f := &contractFixture{lake: seedLake(t), empty: t.TempDir(), raw: filepath.Join(t.TempDir(), "order_items_1.csv")}
	writeFile(t, filepath.Join(f.lake, "bronze_layer/products_dirty.csv"), "product_id,department_id,department,product_name\nx,4,Books,=HYPERLINK()\n")
	writeFile(t, f.raw, "id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n"+
		"1,100,7,,1,1,0,2025-04-01T10:00:00,2025-04-01\n2,x,7,,1,1,0,2025-04-01T10:00:00,2025-04-01\n")
	if _, stderr, code := run(t, "--lake", f.lake, "run", "--quiet"); code != ExitOK {
		t.Fatalf("load the fixture: %s", stderr)
	}
	arn := func(args ...string) string {
		out, stderr, _ := run(t, append([]string{"--lake", f.lake, "flow", "run", "--json", "--no-wait"}, args...)...)
		var res flowResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.ExecutionARN == "" {
			t.Fatalf("flow run %v: %v %s", args, err, stderr)
		}
		return res.ExecutionARN
	}
	f.succeeded = arn("--definition", "../../testdata/statemachine/step_function_code.json")
	def := filepath.Join(t.TempDir(), "fail.json")
	writeFile(t, def, failDefinition)
	f.failed = arn("--definition", def)
	// An execution that waits an hour, run by another Main until stopped.
	def = filepath.Join(t.TempDir(), "wait.json")
	writeFile(t, def, waitDefinition)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		Main(ctx, []string{"--lake", f.lake, "flow", "start", "--json", "--definition", def}, Env{Stdout: &bytes.Buffer{}, Stderr: &stderr,
			Getenv: func(string) string { return "" }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(30 * time.Second); f.running == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if line, _, ok := strings.Cut(stderr.String(), "\n"); ok && strings.Contains(line, ":execution:") {
			f.running = line
		}
	}
	if f.running == "" {
		t.Fatalf("the waiting execution did not start: %s", stderr.String())
	}
	return f
}

var (
	snakeCase   = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	looksLikeTS = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}`)
)

// checkJSON walks a document: keys snake_case, no null but where allowed,
// times in UTC; values under data keys (and rows' keys) are not ours.
func checkJSON(t *testing.T, name string, c contractCase, v any, path string, inRow bool) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := path + "." + k
			if !inRow && !snakeCase.MatchString(k) {
				t.Errorf("%s: key %s is not snake_case", name, p)
			}
			if val == nil && !slices.Contains(c.nullable, k) && !inRow {
				t.Errorf("%s: %s is null", name, p)
			}
			if slices.Contains(c.data, k) {
				continue
			}
			checkJSON(t, name, c, val, p, false)
		}
	case []any:
		for i, e := range x {
			checkJSON(t, name, c, e, path+"["+string(rune('0'+i%10))+"]", c.rows && path == "")
		}
	case string:
		if looksLikeTS.MatchString(x) && !strings.HasSuffix(x, "Z") && !inRow {
			if _, err := time.Parse(time.RFC3339, x); err != nil || !strings.HasSuffix(x, "Z") {
				t.Errorf("%s: %s = %q is not an RFC 3339 UTC time", name, path, x)
			}
		}
	}
}

// TestOutputContract runs every command that prints data (every command
// of the tree with --format: one without a case here fails) in JSON and
// checks the contract, then in each of its other formats.
func TestOutputContract(t *testing.T) {
	cases := contractCases(t)
	f := newContractFixture(t)
	seen := map[string]bool{}
	for _, path := range commandPaths(t) {
		cmd := findCommand(t, path)
		formats, ok := cmd.Annotations[formatsAnnotation]
		name := strings.Join(path, " ")
		if !ok {
			if cmd.Flags().Lookup("format") != nil {
				t.Errorf("%s has --format outside the contract (use addFormat)", name)
			}
			continue
		}
		c, ok := cases[name]
		if !ok {
			t.Errorf("%s prints data (--format %s) but has no output-contract case", name, formats)
			continue
		}
		seen[name] = true
		allowed := strings.Split(formats, ",")
		main := formatJSON
		if !slices.Contains(allowed, formatJSON) {
			main = formatJSONL
		}
		args := c.args(f)
		out, stderr, code := run(t, append(args, "--format", main)...)
		if code != c.exit {
			t.Errorf("%s: exit %d, want %d: %s", name, code, c.exit, stderr)
			continue
		}
		docs := []string{out}
		if main == formatJSONL {
			docs = strings.Split(strings.TrimSpace(out), "\n")
		}
		for _, d := range docs {
			var v any
			if err := json.Unmarshal([]byte(d), &v); err != nil {
				t.Errorf("%s: stdout is not JSON (%v):\n%s", name, err, out)
				continue
			}
			checkJSON(t, name, c, v, "", false)
		}
		if c.emptyOf != nil {
			out, stderr, _ := run(t, append(c.emptyOf(f), "--format", formatJSON)...)
			var v any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Errorf("%s (empty): not JSON: %v %s\n%s", name, err, stderr, out)
			} else {
				if m, ok := v.(map[string]any); ok && c.emptyKey != "" {
					v = m[c.emptyKey]
				}
				if arr, ok := v.([]any); !ok || len(arr) != 0 {
					t.Errorf("%s (empty): %s is %v, want []:\n%s", name, cmp.Or(c.emptyKey, "the document"), v, out)
				}
			}
		}
		for _, other := range allowed {
			if other == main || name == "flow stop" || name == "flow start" || name == "flow redrive" {
				continue
			}
			checkOtherFormat(t, name, c, append(c.args(f), "--format", other), other)
		}
	}
	for name := range cases {
		if !seen[name] {
			t.Errorf("case %q names no command with --format", name)
		}
	}
}

// checkOtherFormat runs a command in another of its formats: jsonl lines
// parse, csv parses with a header of snake_case columns, a table prints.
func checkOtherFormat(t *testing.T, name string, c contractCase, args []string, format string) {
	t.Helper()
	out, stderr, code := run(t, args...)
	if code != c.exit {
		t.Errorf("%s --format %s: exit %d: %s", name, format, code, stderr)
		return
	}
	switch format {
	case formatJSONL:
		if strings.TrimSpace(out) == "" {
			t.Errorf("%s --format jsonl printed nothing", name)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Errorf("%s --format jsonl: line %q: %v", name, l, err)
			}
		}
	case formatCSV:
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Errorf("%s --format csv: %v (%d records):\n%s", name, err, len(recs), out)
			return
		}
		for _, col := range recs[0] {
			if !c.rows && !snakeCase.MatchString(col) {
				t.Errorf("%s --format csv: column %q is not snake_case", name, col)
			}
		}
	case formatTable:
		if strings.TrimSpace(out) == "" || strings.HasPrefix(strings.TrimSpace(out), "{") || strings.HasPrefix(strings.TrimSpace(out), "[") {
			t.Errorf("%s --format table printed %q", name, out)
		}
	}
}

func TestQueryFormatsAgree(t *testing.T) {
	lake := seedLake(t)
	if _, stderr, code := run(t, "--lake", lake, "run", "--quiet"); code != ExitOK {
		t.Fatal(stderr)
	}
	sql := "SELECT order_id, total_amount, order_timestamp FROM orders ORDER BY order_id LIMIT 3"
	jsonOut, _, _ := run(t, "--lake", lake, "query", "--format", "json", sql)
	jsonlOut, _, _ := run(t, "--lake", lake, "query", "--format", "jsonl", sql)
	var arr []map[string]any
	if err := json.Unmarshal([]byte(jsonOut), &arr); err != nil || len(arr) != 3 {
		t.Fatalf("json: %v\n%s", err, jsonOut)
	}
	lines := strings.Split(strings.TrimSpace(jsonlOut), "\n")
	for i, l := range lines {
		var row map[string]any
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(arr[i])
		b, _ := json.Marshal(row)
		if !bytes.Equal(a, b) {
			t.Errorf("row %d: json %s, jsonl %s", i, a, b)
		}
		if ts, _ := row["order_timestamp"].(string); !strings.HasSuffix(ts, "Z") {
			t.Errorf("timestamp %q is not UTC", ts)
		}
	}
}

package cli

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedMachine = "../../testdata/statemachine/step_function_code.json"

// seedLake makes a lake with the seed's products and first day of orders.
func seedLake(t *testing.T) string {
	t.Helper()
	lake := t.TempDir()
	err := filepath.WalkDir("../../testdata/seed", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "products") && !strings.Contains(base, "2025_04_01") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(lake, "bronze_layer", strings.TrimPrefix(p, "../../testdata/seed/")), string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lake
}

func TestFlowRunSeedJSON(t *testing.T) {
	lake := seedLake(t)
	out, stderr, code := run(t, "--lake", lake, "flow", "run", "--json", "--no-wait", "--definition", seedMachine)
	if code != ExitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	var res struct {
		Status       string          `json:"status"`
		Output       json.RawMessage `json:"output"`
		Error        *string         `json:"error"`
		ExecutionARN string          `json:"execution_arn"`
		Events       []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	if res.Status != "SUCCEEDED" || !strings.Contains(string(res.Output), "Succeeded ✅") || res.Error != nil {
		t.Fatalf("result %s", out)
	}
	if len(res.Events) < 20 || res.Events[0].Type != "ExecutionStarted" || res.Events[len(res.Events)-1].Type != "ExecutionSucceeded" {
		t.Fatalf("%d events", len(res.Events))
	}
	if !strings.Contains(stderr, "notification: State Machine Execution Succeeded") {
		t.Errorf("no notification on stderr: %s", stderr)
	}
	if !strings.Contains(res.ExecutionARN, ":execution:lab-seed:") {
		t.Errorf("machine name: %s", res.ExecutionARN)
	}
	// The execution is kept in the lake.
	out, _, code = run(t, "--lake", lake, "flow", "ls", "lab-seed")
	if code != ExitOK || !strings.Contains(out, res.ExecutionARN) || !strings.Contains(out, "SUCCEEDED") {
		t.Fatalf("ls: %s", out)
	}
	out, _, code = run(t, "--lake", lake, "flow", "history", res.ExecutionARN)
	if code != ExitOK || !strings.Contains(out, "ExecutionSucceeded") || !strings.Contains(out, "Glue StartJobRun") {
		t.Fatalf("history: %s", out)
	}
	out, _, code = run(t, "--lake", lake, "flow", "describe", "--json", res.ExecutionARN)
	if code != ExitOK || !strings.Contains(out, `"status": "SUCCEEDED"`) {
		t.Fatalf("describe: %s", out)
	}
	out, _, code = run(t, "--lake", lake, "flow", "ls")
	if code != ExitOK || !strings.Contains(out, "lakeops-flow") || !strings.Contains(out, "lab-seed") {
		t.Fatalf("ls machines: %s", out)
	}
}

func TestFlowRunFailureAndRedrive(t *testing.T) {
	lake := seedLake(t)
	writeFile(t, filepath.Join(lake, "bronze_layer/orders/orders_broken.csv"), "")
	out, _, code := run(t, "--lake", lake, "flow", "run", "--json", "--no-wait")
	if code != ExitFail {
		t.Fatalf("exit %d: %s", code, out)
	}
	var res struct{ Status, Error, Cause, ExecutionARN string }
	res.ExecutionARN = ""
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	res.Status, _ = raw["status"].(string)
	res.Error, _ = raw["error"].(string)
	res.Cause, _ = raw["cause"].(string)
	arn, _ := raw["execution_arn"].(string)
	if res.Status != "FAILED" || res.Error != "Lakeops.FilesFailed" || !strings.Contains(res.Cause, "orders_broken.csv: file is empty") || raw["output"] != nil {
		t.Fatalf("result %s", out)
	}
	// The good files are loaded and archived; the broken one stays.
	if _, err := os.Stat(filepath.Join(lake, "bronze_layer/orders/orders_broken.csv")); err != nil {
		t.Errorf("the failed file left the raw zone: %v", err)
	}
	// describe shows the Map Runs of the load.
	out, _, code = run(t, "--lake", lake, "flow", "describe", arn)
	if code != ExitOK || !strings.Contains(out, "map run StageOrders") || !strings.Contains(out, "items 2/2 succeeded") {
		t.Fatalf("describe: %s", out)
	}
	// A redrive restarts from the state that failed; the file is still
	// broken, so it fails again (a new execution takes a fixed file).
	out, stderr, code := run(t, "--lake", lake, "flow", "redrive", "--no-wait", arn)
	if code != ExitFail || !strings.HasPrefix(out, "FAILED") {
		t.Fatalf("redrive exit %d: %s %s", code, out, stderr)
	}
	out, _, _ = run(t, "--lake", lake, "flow", "history", arn)
	if !strings.Contains(out, "ExecutionRedriven") {
		t.Errorf("history lacks the redrive: %s", out)
	}
	// describe says when it was redriven, for people and in JSON.
	out, _, _ = run(t, "--lake", lake, "flow", "describe", arn)
	fieldsOf := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 2 {
			fieldsOf[f[0]] = f[len(f)-1]
		}
	}
	if fieldsOf["redrives"] != "1" || !strings.HasPrefix(fieldsOf["redriven"], "20") || fieldsOf["failed"] != "Failed" {
		t.Errorf("describe after the redrive: %s", out)
	}
	out, _, _ = run(t, "--lake", lake, "flow", "describe", arn, "--format", "json")
	var described map[string]any
	if err := json.Unmarshal([]byte(out), &described); err != nil || described["redrive_count"] != float64(1) || described["redrive_date"] == nil {
		t.Errorf("describe --format json after the redrive: %v %s", err, out)
	}
	if err := os.Remove(filepath.Join(lake, "bronze_layer/orders/orders_broken.csv")); err != nil {
		t.Fatal(err)
	}
	if out, _, code := run(t, "--lake", lake, "flow", "run", "--no-wait"); code != ExitOK || !strings.HasPrefix(out, "SUCCEEDED") && !strings.Contains(out, "SUCCEEDED") {
		t.Fatalf("a new execution after the fix: exit %d: %s", code, out)
	}
}

func TestFlowUsageAndInvalidDefinition(t *testing.T) {
	lake := t.TempDir()
	bad := filepath.Join(lake, "bad.json")
	writeFile(t, bad, `{"StartAt":"Foo","States":{"Foo":{"Type":"Pass","Next":"Bar"}}}`)
	_, stderr, code := run(t, "--lake", lake, "flow", "run", "--definition", bad)
	if code != ExitFail || !strings.Contains(stderr, `States.Foo.Next: no state \"Bar\"`) && !strings.Contains(stderr, `States.Foo.Next: no state "Bar"`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, _, code := run(t, "--lake", lake, "flow", "bogus"); code != ExitUsage {
		t.Errorf("unknown subcommand: exit %d", code)
	}
	if _, _, code := run(t, "--lake", lake, "flow", "run", "--input", "{nope"); code != ExitUsage {
		t.Errorf("bad input: exit %d", code)
	}
}

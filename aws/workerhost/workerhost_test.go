package workerhost_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/lakeops/lakeops/aws/workerhost"
	"github.com/lakeops/lakeops/etl/worker"
)

// seedLake makes a folder lake with the seed's products and two orders
// files, modified at the time the recorded payloads carry.
func seedLake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mtime := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, f := range []string{"products.csv", "orders/orders_2025_04_01.csv", "orders/orders_2025_04_02.csv"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/seed", f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, "bronze_layer", f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(dst, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The Lambda function answers recorded Step Functions invocation payloads
// through aws-lambda-go's own handler (the JSON decoding and encoding, the
// error response), as the provided.al2023 runtime loop calls it.
func TestLambdaHandlerAnswersRecordedInvocations(t *testing.T) {
	dir := seedLake(t)
	getenv := func(k string) string {
		if k == workerhost.EnvLake {
			return dir
		}
		return ""
	}
	h := lambda.NewHandler(workerhost.LambdaHandler(workerhost.NewHost(getenv)))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "5f1d6c3e-8a0b-4d2e-9f7a-1b2c3d4e5f60"})

	out, err := h.Invoke(ctx, recorded(t, "plan-invocation.json"))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var plan worker.PlanResult
	if err := json.Unmarshal(out, &plan); err != nil {
		t.Fatalf("plan result %s: %v", out, err)
	}
	if plan.Load != "ingest-20261125-0900" || plan.Files != 3 || plan.Datasets["orders"].Files != 2 || plan.Datasets["orders"].BatchFiles != 2 {
		t.Fatalf("plan = %s", out)
	}
	if got := plan.Datasets["orders"].Reader; got.Bucket != "" || got.Key != "_lakeops/staging/ingest-20261125-0900/items/orders.json" {
		t.Errorf("orders items at %+v", got)
	}
	// The items file is what the recorded batch holds.
	var items []map[string]any
	b, err := os.ReadFile(filepath.Join(dir, plan.Datasets["orders"].Reader.Key))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &items); err != nil || len(items) != 2 || items[1]["key"] != "bronze_layer/orders/orders_2025_04_02.csv" {
		t.Fatalf("items %s", b)
	}

	out, err = h.Invoke(ctx, recorded(t, "process-invocation.json"))
	if err != nil {
		t.Fatalf("process: %v", err)
	}
	var batch worker.BatchResult
	if err := json.Unmarshal(out, &batch); err != nil {
		t.Fatal(err)
	}
	if batch.Batch != "000000-000001" || batch.Staged != 2 || batch.Failed != 0 || batch.RowsRead != 1000 || batch.Valid != 1000 {
		t.Fatalf("process = %s", out)
	}
	// A retried invocation finds the batch staged and answers the same.
	again, err := h.Invoke(ctx, recorded(t, "process-invocation.json"))
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("retried process = %s, %v; want %s", again, err, out)
	}

	out, err = h.Invoke(ctx, recorded(t, "commit-invocation.json"))
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	var commit worker.CommitResult
	if err := json.Unmarshal(out, &commit); err != nil {
		t.Fatal(err)
	}
	if commit.Succeeded != 2 || commit.Totals.Inserted != 1000 || commit.Totals.Rejected != 0 {
		t.Fatalf("commit = %s", out)
	}

	// A bad request is a function error named for the state machine's Catch.
	_, err = h.Invoke(ctx, recorded(t, "bad-invocation.json"))
	var ie messages.InvokeResponse_Error
	if !errors.As(err, &ie) || ie.Type != worker.ErrInvalidInput || !strings.Contains(ie.Message, "ingest 2026/11/25") {
		t.Fatalf("bad invocation: %#v", err)
	}
}

func TestTaskCommandReadsTheActionFromArgEnvOrStdin(t *testing.T) {
	dir := seedLake(t)
	env := map[string]string{workerhost.EnvLake: dir}
	getenv := func(k string) string { return env[k] }
	host := workerhost.NewHost(getenv)
	run := func(args []string, stdin string) (int, string, string) {
		var out, errb bytes.Buffer
		code := workerhost.RunTask(context.Background(), host, args, strings.NewReader(stdin), &out, &errb, getenv)
		return code, out.String(), errb.String()
	}
	if code, out, errs := run([]string{string(recorded(t, "plan-invocation.json"))}, ""); code != 0 || !strings.Contains(out, `"files":3`) {
		t.Fatalf("plan from the argument: %d %s %s", code, out, errs)
	}
	env[workerhost.EnvAction] = string(recorded(t, "process-invocation.json"))
	if code, out, errs := run(nil, ""); code != 0 || !strings.Contains(out, `"staged":2`) {
		t.Fatalf("process from $LAKEOPS_ACTION: %d %s %s", code, out, errs)
	}
	delete(env, workerhost.EnvAction)
	if code, out, errs := run(nil, string(recorded(t, "commit-invocation.json"))); code != 0 || !strings.Contains(out, `"succeeded":2`) {
		t.Fatalf("commit from stdin: %d %s %s", code, out, errs)
	}
	code, out, errs := run(nil, `{"action":"process","load":"x","dataset":"orders"}`)
	if code != 2 || out != "" || !strings.Contains(errs, `"error":"Lakeops.InvalidInput"`) {
		t.Fatalf("invalid input: %d %q %q", code, out, errs)
	}
	if code, _, errs := run([]string{"a", "b"}, ""); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("two arguments: %d %s", code, errs)
	}
}

func TestInLambda(t *testing.T) {
	if workerhost.InLambda(func(string) string { return "" }) {
		t.Error("no runtime API, yet in Lambda")
	}
	if !workerhost.InLambda(func(k string) string {
		if k == "AWS_LAMBDA_RUNTIME_API" {
			return "127.0.0.1:9001"
		}
		return ""
	}) {
		t.Error("runtime API set, yet not in Lambda")
	}
}

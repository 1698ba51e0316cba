package sfn

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const (
	prefix     = "AWSStepFunctions."
	machineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-load"
	runARN     = "arn:aws:states:us-east-1:123456789012:execution:lakeops-load:ingest-20261125-0900"
	failedARN  = "arn:aws:states:us-east-1:123456789012:execution:lakeops-load:ingest-20261124-0200"
	doneARN    = "arn:aws:states:us-east-1:123456789012:execution:lakeops-load:3f2d6a9e-1c4b-4f0e-9d3a-5b7c8e9f0a1b"
)

// ms is the UTC time of a wire timestamp given in epoch milliseconds.
func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func TestProtocolListStateMachinesFollowsPages(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "ListStateMachines", File: "list-state-machines-page1.json"},
		reply{Op: "ListStateMachines", File: "list-state-machines-page2.json"},
	)
	got, err := New(f.Config(), Options{}).ListStateMachines(context.Background())
	if err != nil {
		t.Fatalf("ListStateMachines: %v", err)
	}
	want := []Machine{
		{ARN: machineARN, Name: "lakeops-load", Type: "STANDARD", Created: ms(1772446530123)},
		{ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-notify", Name: "lakeops-notify", Type: "EXPRESS", Created: ms(1772446600500)},
		{ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-reprocess", Name: "lakeops-reprocess", Type: "STANDARD", Created: ms(1780000000000)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("machines = %+v\nwant %+v", got, want)
	}
	reqs := f.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	if want := map[string]any{"maxResults": float64(100)}; !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("first page body = %v, want %v", reqs[0].Body, want)
	}
	want2 := map[string]any{"maxResults": float64(100), "nextToken": "AAAAKgAAAAIAAAAAAAAAAYGfm0Ll5TKrfXxrOGGwKg3Z0jZkE1v5bRQ8Ie5GE1Pb"}
	if !reflect.DeepEqual(reqs[1].Body, want2) {
		t.Errorf("second page body = %v, want %v", reqs[1].Body, want2)
	}
	f.Done()
}

func TestProtocolListExecutionsFollowsPages(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "ListExecutions", File: "list-executions-page1.json"},
		reply{Op: "ListExecutions", File: "list-executions-page2.json"},
	)
	got, err := New(f.Config(), Options{PageSize: 2}).ListExecutions(context.Background(), machineARN, "")
	if err != nil {
		t.Fatalf("ListExecutions: %v", err)
	}
	want := []Execution{
		{ARN: runARN, MachineARN: machineARN, Name: "ingest-20261125-0900", Status: "RUNNING", Start: ms(1795597200321)},
		{
			ARN: failedARN, MachineARN: machineARN, Name: "ingest-20261124-0200", Status: "FAILED",
			Start: ms(1795485600007), Stop: ms(1795486512750), RedriveCount: 1, RedriveDate: ms(1795486200500),
		},
		{ARN: doneARN, MachineARN: machineARN, Name: "3f2d6a9e-1c4b-4f0e-9d3a-5b7c8e9f0a1b", Status: "SUCCEEDED", Start: ms(1795399200000), Stop: ms(1795399534118)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("executions = %+v\nwant %+v", got, want)
	}
	if !got[0].Stop.IsZero() {
		t.Errorf("a RUNNING execution has a stop date: %v", got[0].Stop)
	}
	reqs := f.Requests()
	if want := map[string]any{"stateMachineArn": machineARN, "maxResults": float64(2)}; !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("first page body = %v, want %v (no statusFilter without a status)", reqs[0].Body, want)
	}
	want2 := map[string]any{"stateMachineArn": machineARN, "maxResults": float64(2), "nextToken": "AAAAKgAAAAIAAAAAAAAAAQ7n3VvFZy0qDPpWxmXyuuRyhUuGTN5u1T2kXuOv6TjE"}
	if !reflect.DeepEqual(reqs[1].Body, want2) {
		t.Errorf("second page body = %v, want %v", reqs[1].Body, want2)
	}
	f.Done()
}

func TestProtocolListExecutionsStatusFilter(t *testing.T) {
	f := newFakeService(t, prefix, reply{Op: "ListExecutions", File: "list-executions-failed.json"})
	c := New(f.Config(), Options{PageSize: 5000})
	got, err := c.ListExecutions(context.Background(), machineARN, "FAILED")
	if err != nil {
		t.Fatalf("ListExecutions: %v", err)
	}
	if len(got) != 1 || got[0].ARN != failedARN || got[0].Status != "FAILED" || got[0].RedriveCount != 1 {
		t.Errorf("executions = %+v", got)
	}
	body := f.Requests()[0].Body
	if want := map[string]any{"stateMachineArn": machineARN, "statusFilter": "FAILED", "maxResults": float64(1000)}; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v (page size capped at 1000)", body, want)
	}
	f.Done()

	// An unknown status is refused before anything is sent.
	_, err = c.ListExecutions(context.Background(), machineARN, "FAILD")
	if err == nil || !strings.Contains(err.Error(), `"FAILD"`) || !strings.Contains(err.Error(), machineARN) {
		t.Errorf("unknown status: err = %v", err)
	}
	if n := len(f.Requests()); n != 1 {
		t.Errorf("%d requests after a bad status filter, want 1", n)
	}
}

func TestProtocolStartExecution(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "StartExecution", File: "start-execution.json"},
		reply{Op: "StartExecution", File: "start-execution.json"},
	)
	c := New(f.Config(), Options{})
	const input = `{"files":["bronze_layer/orders/orders_2026-11-25.csv"]}`
	arn, start, err := c.Start(context.Background(), machineARN, "ingest-20261125-0900", input)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if arn != runARN || !start.Equal(ms(1795597200321)) || start.Location() != time.UTC {
		t.Errorf("Start = %s, %v", arn, start)
	}
	want := map[string]any{"stateMachineArn": machineARN, "name": "ingest-20261125-0900", "input": input}
	if body := f.Requests()[0].Body; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}

	// No name and no input: neither is sent; Step Functions picks a name and uses {}.
	if _, _, err := c.Start(context.Background(), machineARN, "", ""); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if body := f.Requests()[1].Body; !reflect.DeepEqual(body, map[string]any{"stateMachineArn": machineARN}) {
		t.Errorf("body = %v, want only stateMachineArn", body)
	}
	f.Done()
}

func TestProtocolDescribeExecution(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "DescribeExecution", File: "describe-execution-running.json"},
		reply{Op: "DescribeExecution", File: "describe-execution-succeeded.json"},
		reply{Op: "DescribeExecution", File: "describe-execution-failed.json"},
	)
	c := New(f.Config(), Options{})
	tests := []struct {
		arn  string
		want Execution
	}{
		{runARN, Execution{
			ARN: runARN, MachineARN: machineARN, Name: "ingest-20261125-0900", Status: "RUNNING",
			Start: ms(1795597200321), Input: `{"files":["bronze_layer/orders/orders_2026-11-25.csv"]}`,
			RedriveStatus: "NOT_REDRIVABLE", RedriveStatusReason: "Execution is RUNNING and cannot be redriven",
		}},
		{doneARN, Execution{
			ARN: doneARN, MachineARN: machineARN, Name: "3f2d6a9e-1c4b-4f0e-9d3a-5b7c8e9f0a1b", Status: "SUCCEEDED",
			Start: ms(1795399200000), Stop: ms(1795399534118), Input: "{}",
			Output:        `{"archived":3,"notification":{"MessageId":"95df01b4-ee98-5cb9-9903-4c221d41eb5e"}}`,
			RedriveStatus: "NOT_REDRIVABLE", RedriveStatusReason: "Execution is SUCCEEDED and cannot be redriven",
		}},
		{failedARN, Execution{
			ARN: failedARN, MachineARN: machineARN, Name: "ingest-20261124-0200", Status: "FAILED",
			Start: ms(1795485600007), Stop: ms(1795486512750),
			Input:        `{"files":["bronze_layer/order_items/order_items_2026-11-24.csv"]}`,
			Error:        "Athena.InvalidRequestException",
			Cause:        "line 1:15: Table 'awsdatacatalog.lakeops.products' does not exist (Service: Athena, Status Code: 400, Request ID: 2b1c0f43-6a8e-4d7a-9c51-0e5f3a2b1c0d)",
			RedriveCount: 1, RedriveDate: ms(1795486200500), RedriveStatus: "REDRIVABLE",
		}},
	}
	for i, tt := range tests {
		got, err := c.Describe(context.Background(), tt.arn)
		if err != nil {
			t.Fatalf("Describe %s: %v", tt.arn, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Describe %s = %+v\nwant %+v", tt.arn, got, tt.want)
		}
		if body := f.Requests()[i].Body; !reflect.DeepEqual(body, map[string]any{"executionArn": tt.arn}) {
			t.Errorf("body = %v", body)
		}
	}
	f.Done()
}

func TestProtocolStopExecution(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "StopExecution", File: "stop-execution.json"},
		reply{Op: "StopExecution", File: "stop-execution.json"},
	)
	c := New(f.Config(), Options{})
	stopped, err := c.Stop(context.Background(), runARN, "lakeops.Stopped", "stopped from the lakeops console")
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !stopped.Equal(ms(1795597500042)) {
		t.Errorf("stop date = %v", stopped)
	}
	want := map[string]any{"executionArn": runARN, "error": "lakeops.Stopped", "cause": "stopped from the lakeops console"}
	if body := f.Requests()[0].Body; !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}
	if _, err := c.Stop(context.Background(), runARN, "", ""); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if body := f.Requests()[1].Body; !reflect.DeepEqual(body, map[string]any{"executionArn": runARN}) {
		t.Errorf("body = %v, want no error or cause when none is given", body)
	}
	f.Done()
}

func TestProtocolRedriveExecution(t *testing.T) {
	f := newFakeService(t, prefix, reply{Op: "RedriveExecution", File: "redrive-execution.json"})
	when, err := New(f.Config(), Options{}).Redrive(context.Background(), failedARN)
	if err != nil {
		t.Fatalf("Redrive: %v", err)
	}
	if !when.Equal(ms(1795600800250)) {
		t.Errorf("redrive date = %v", when)
	}
	body := f.Requests()[0].Body
	if field(body, "executionArn") != failedARN {
		t.Errorf("executionArn = %v", field(body, "executionArn"))
	}
	if tok, _ := field(body, "clientToken").(string); tok == "" {
		t.Errorf("no clientToken (idempotency token) in %v", body)
	}
	f.Done()
}

func TestProtocolDescribeStateMachine(t *testing.T) {
	f := newFakeService(t, prefix, reply{Op: "DescribeStateMachine", File: "describe-state-machine.json"})
	got, err := New(f.Config(), Options{}).DescribeStateMachine(context.Background(), machineARN)
	if err != nil {
		t.Fatalf("DescribeStateMachine: %v", err)
	}
	if body := f.Requests()[0].Body; !reflect.DeepEqual(body, map[string]any{"stateMachineArn": machineARN}) {
		t.Errorf("body = %v", body)
	}
	wantM := Machine{ARN: machineARN, Name: "lakeops-load", Type: "STANDARD", Created: ms(1772446530123)}
	if got.Machine != wantM || got.Status != "ACTIVE" || got.RevisionID != "b1f7a6a4-3a1c-4b2e-8f0d-2c9e7d6b5a41" ||
		got.RoleARN != "arn:aws:iam::123456789012:role/service-role/StepFunctions-lakeops-load-role-7f3e2a" {
		t.Errorf("DescribeStateMachine = %+v", got)
	}
	if !strings.HasPrefix(got.Definition, "{\n  \"Comment\": \"lakeops: load new raw files into the lake\",\n") ||
		!strings.Contains(got.Definition, `"Resource": "arn:aws:states:::glue:startJobRun.sync"`) {
		t.Errorf("Definition is not the ASL JSON verbatim:\n%s", got.Definition)
	}
	f.Done()
}

// Errors carry the operation, the ARN and Step Functions' code and message,
// keep the SDK's typed error reachable, and never the secret key.
func TestProtocolErrorsKeepAWSCode(t *testing.T) {
	const missing = "arn:aws:states:us-east-1:123456789012:execution:lakeops-load:no-such-run"
	const gone = "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-gone"
	f := newFakeService(t, prefix,
		reply{Op: "DescribeExecution", File: "error-execution-does-not-exist.json", Status: 400},
		reply{Op: "RedriveExecution", File: "error-execution-not-redrivable.json", Status: 400},
		reply{Op: "GetExecutionHistory", File: "error-execution-does-not-exist.json", Status: 400},
		reply{Op: "StopExecution", File: "error-execution-does-not-exist.json", Status: 400},
		reply{Op: "ListExecutions", File: "error-state-machine-does-not-exist.json", Status: 400},
	)
	c := New(f.Config(), Options{})
	ctx := context.Background()

	_, err := c.Describe(ctx, missing)
	checkErr(t, err, "DescribeExecution", missing, "ExecutionDoesNotExist",
		"Execution Does Not Exist: '"+missing+"'")
	var dne *types.ExecutionDoesNotExist
	if !errors.As(err, &dne) {
		t.Errorf("DescribeExecution error %T does not unwrap to *types.ExecutionDoesNotExist", err)
	}

	_, err = c.Redrive(ctx, doneARN)
	checkErr(t, err, "RedriveExecution", doneARN, "ExecutionNotRedrivable",
		"Execution with the provided ARN cannot be redriven: the execution status is SUCCEEDED")
	var nr *types.ExecutionNotRedrivable
	if !errors.As(err, &nr) {
		t.Errorf("RedriveExecution error %T does not unwrap to *types.ExecutionNotRedrivable", err)
	}

	called := false
	err = c.History(ctx, missing, func(Event) error { called = true; return nil })
	checkErr(t, err, "GetExecutionHistory", missing, "ExecutionDoesNotExist", "Execution Does Not Exist")
	if called {
		t.Error("History called fn for a missing execution")
	}

	_, err = c.Stop(ctx, missing, "", "")
	checkErr(t, err, "StopExecution", missing, "ExecutionDoesNotExist", "Execution Does Not Exist")

	_, err = c.ListExecutions(ctx, gone, "")
	checkErr(t, err, "ListExecutions", gone, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+gone+"'")
	f.Done()
}

func checkErr(t *testing.T, err error, op, arn, code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: err = %v (%T), want an *Error", op, err, err)
	}
	if e.Op != op || e.ARN != arn || e.Code != code || !strings.HasPrefix(e.Message, msg) || e.HTTPStatus != 400 {
		t.Errorf("%s: Error = %+v", op, *e)
	}
	if got := Code(err); got != code {
		t.Errorf("%s: Code = %q, want %q", op, got, code)
	}
	s := err.Error()
	for _, part := range []string{"sfn: " + op, arn, code, msg, "HTTP 400", "request id 7f6a3a52-2bb0-4c1e-9a54-6d2b3c4e5f60"} {
		if !strings.Contains(s, part) {
			t.Errorf("%s: error %q lacks %q", op, s, part)
		}
	}
	for _, secret := range []string{"not-a-secret", "AKIDLAKEOPSTEST"} {
		if strings.Contains(s, secret) || strings.Contains(e.Err.Error(), secret) {
			t.Errorf("%s: error leaks credentials: %q", op, s)
		}
	}
}

// A call that never reaches Step Functions is still wrapped with the
// operation and ARN, with no code.
func TestProtocolCancelledContext(t *testing.T) {
	f := newFakeService(t, prefix)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(f.Config(), Options{}).Describe(ctx, runARN)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.HasPrefix(err.Error(), "sfn: DescribeExecution "+runARN+": ") || Code(err) != "" {
		t.Errorf("err = %q, code %q", err, Code(err))
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d requests with a cancelled context", n)
	}
}

package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lakeops/lakeops/aws/flows/sfn"
)

// TestProtocolFlowAWS drives `lakeops --aws flow …` against a server that
// speaks Step Functions' JSON 1.0 protocol with recorded-shape responses.
func TestProtocolFlowAWS(t *testing.T) {
	var mu sync.Mutex
	var targets []string
	var stopBody map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		targets = append(targets, target)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch target {
		case "AWSStepFunctions.ListStateMachines":
			io.WriteString(w, `{"stateMachines":[{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:lab","name":"lab","type":"STANDARD","creationDate":1.7e9}]}`)
		case "AWSStepFunctions.StopExecution":
			mu.Lock()
			_ = json.Unmarshal(body, &stopBody)
			mu.Unlock()
			io.WriteString(w, `{"stopDate":1.7000001E9}`)
		case "AWSStepFunctions.DescribeExecution":
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"ExecutionDoesNotExist","message":"Execution Does Not Exist: 'arn:nope'"}`)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretexample")
	t.Setenv("AWS_REGION", "us-east-1")

	out, stderr, code := run(t, "--aws", "flow", "ls")
	if code != ExitOK || !strings.Contains(out, "lab") || !strings.Contains(out, "stateMachine:lab") {
		t.Fatalf("ls: exit %d %q %q", code, out, stderr)
	}
	_, stderr, code = run(t, "--aws", "--read-only", "flow", "stop", "arn:aws:states:us-east-1:123456789012:execution:lab:x")
	if code != ExitFail || !strings.Contains(stderr, "read-only") {
		t.Fatalf("read-only stop: exit %d %q", code, stderr)
	}
	out, _, code = run(t, "--aws", "flow", "stop", "arn:aws:states:us-east-1:123456789012:execution:lab:x")
	if code != ExitOK || !strings.Contains(out, "stop:") || stopBody["executionArn"] != "arn:aws:states:us-east-1:123456789012:execution:lab:x" {
		t.Fatalf("stop: exit %d %q body %v", code, out, stopBody)
	}
	_, stderr, code = run(t, "--aws", "flow", "describe", "arn:nope")
	if code != ExitFail || !strings.Contains(stderr, "ExecutionDoesNotExist") || strings.Contains(stderr, "secretexample") {
		t.Fatalf("describe error: exit %d %q", code, stderr)
	}
	if len(targets) != 3 {
		t.Fatalf("requests %v (the read-only stop must send nothing)", targets)
	}
}

// TestAWSMapRunLabel: a Step Functions Map Run is shown on the state its
// state machine ARN's label names, with its item counts.
func TestAWSMapRunLabel(t *testing.T) {
	r := awsMapRun(sfn.MapRun{ARN: "arn:aws:states:eu-west-1:111122223333:mapRun:lakeops/StageOrderItems:7f1c",
		StateMachineARN: "arn:aws:states:eu-west-1:111122223333:stateMachine:lakeops/StageOrderItems", Status: "RUNNING",
		MaxConcurrency: 40, Items: sfn.MapRunCounts{Total: 12, Succeeded: 5, Running: 4, Pending: 2, Failed: 1}})
	if r.State != "StageOrderItems" || r.Total != 12 || r.Succeeded != 5 || r.Failed != 1 || r.MaxConcurrency != 40 {
		t.Fatalf("Map Run as shown: %+v", r)
	}
}

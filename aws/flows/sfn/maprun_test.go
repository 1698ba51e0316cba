package sfn

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const (
	loadARN      = "arn:aws:states:us-east-1:123456789012:execution:lakeops-flow:ingest-20261125-0900"
	productsRun  = "arn:aws:states:us-east-1:123456789012:mapRun:lakeops-flow/Products:3c5f1e2a-7b9d-4e6f-8a1b-2c3d4e5f6a7b"
	orderItemRun = "arn:aws:states:us-east-1:123456789012:mapRun:lakeops-flow/OrderItems:9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
)

// An execution's Map Runs: every ListMapRuns page, then DescribeMapRun of
// each, with the item and child execution counts as recorded.
func TestProtocolMapRuns(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "ListMapRuns", File: "list-map-runs-page1.json"},
		reply{Op: "ListMapRuns", File: "list-map-runs-page2.json"},
		reply{Op: "DescribeMapRun", File: "describe-map-run-succeeded.json"},
		reply{Op: "DescribeMapRun", File: "describe-map-run-running.json"},
	)
	got, err := New(f.Config(), Options{}).MapRuns(context.Background(), loadARN)
	if err != nil {
		t.Fatalf("MapRuns: %v", err)
	}
	want := []MapRun{
		{ARN: productsRun, ExecutionARN: loadARN, StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-flow/Products",
			Status: "SUCCEEDED", Start: ms(1795597202118), Stop: ms(1795597231504), MaxConcurrency: 40,
			Items: MapRunCounts{Succeeded: 1, Total: 1}, Executions: MapRunCounts{Succeeded: 1, Total: 1}},
		{ARN: orderItemRun, ExecutionARN: loadARN, StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:lakeops-flow/OrderItems",
			Status: "RUNNING", Start: ms(1795597202407), MaxConcurrency: 40, ToleratedFailurePercentage: 5,
			Items:        MapRunCounts{Pending: 512, Running: 120, Succeeded: 361, Failed: 7, Total: 1000},
			Executions:   MapRunCounts{Pending: 171, Running: 40, Succeeded: 120, Failed: 3, Total: 334},
			RedriveCount: 1, RedriveDate: ms(1795597500250)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("map runs = %+v\nwant %+v", got, want)
	}
	reqs := f.Requests()
	if want := map[string]any{"executionArn": loadARN, "maxResults": float64(100)}; !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("first ListMapRuns body = %v, want %v", reqs[0].Body, want)
	}
	if tok := field(reqs[1].Body, "nextToken"); tok != "AAAAKgAAAAIAAAAAAAAAAcJ8tUHQ2mE9p1oZbG3nX4wRkVyS7dF0aL5eTqBhC6iM" {
		t.Errorf("second page token %v", tok)
	}
	if arn := field(reqs[3].Body, "mapRunArn"); arn != orderItemRun {
		t.Errorf("DescribeMapRun of %v", arn)
	}
	f.Done()
}

func TestProtocolDescribeMapRunNotFound(t *testing.T) {
	f := newFakeService(t, prefix, reply{Op: "DescribeMapRun", File: "error-resource-not-found.json", Status: 400})
	gone := "arn:aws:states:us-east-1:123456789012:mapRun:lakeops-flow/Gone:00000000-0000-4000-8000-000000000000"
	_, err := New(f.Config(), Options{}).DescribeMapRun(context.Background(), gone)
	var nf *types.ResourceNotFound
	if !errors.As(err, &nf) || Code(err) != "ResourceNotFound" {
		t.Fatalf("err = %v (%T)", err, err)
	}
	for _, want := range []string{"DescribeMapRun", gone, "Map Run does not exist", "HTTP 400"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	f.Done()
}

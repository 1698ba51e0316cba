package sfn

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func history(t *testing.T, c *Client, arn string) []Event {
	t.Helper()
	var got []Event
	if err := c.History(context.Background(), arn, func(e Event) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatalf("History: %v", err)
	}
	return got
}

// ev is a compact event for comparisons: the fields a test cares about.
type ev struct {
	id, prev    int64
	typ, state  string
	in, out     string
	err, cause  string
	res, resTyp string
}

func compact(e Event) ev {
	return ev{e.ID, e.PreviousID, e.Type, e.StateName, e.Input, e.Output, e.Error, e.Cause, e.Resource, e.ResourceType}
}

func TestProtocolHistoryTwoPagesInOrder(t *testing.T) {
	f := newFakeService(t, prefix,
		reply{Op: "GetExecutionHistory", File: "get-execution-history-page1.json"},
		reply{Op: "GetExecutionHistory", File: "get-execution-history-page2.json"},
	)
	got := history(t, New(f.Config(), Options{PageSize: 12}), failedARN)

	reqs := f.Requests()
	if want := map[string]any{"executionArn": failedARN, "maxResults": float64(12)}; !reflect.DeepEqual(reqs[0].Body, want) {
		t.Errorf("first page body = %v, want %v (oldest first: no reverseOrder)", reqs[0].Body, want)
	}
	if tok := field(reqs[1].Body, "nextToken"); tok != "AAAAKgAAAAIAAAAAAAAAAcHSXsPqE1w8OZLnYlY4Zm8yZQ8l0VBRmXqvGdM8fGtB" {
		t.Errorf("second page nextToken = %v", tok)
	}

	if len(got) != 27 {
		t.Fatalf("%d events, want 27 (12 + 15 over two pages)", len(got))
	}
	for i, e := range got {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d: events out of order", i, e.ID)
		}
		if i > 0 && e.Timestamp.Before(got[i-1].Timestamp) {
			t.Errorf("event %d at %v is before event %d", e.ID, e.Timestamp, got[i-1].ID)
		}
	}
	types := make([]string, len(got))
	for i, e := range got {
		types[i] = e.Type
	}
	wantTypes := []string{
		"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
		"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
		"ChoiceStateEntered", "ChoiceStateExited", "ParallelStateEntered", "ParallelStateStarted",
		"TaskStateEntered", "TaskStateEntered", "TaskScheduled", "TaskScheduled", "TaskStarted", "TaskStarted",
		"TaskSucceeded", "TaskFailed", "TaskStateExited", "ParallelStateFailed", "ExecutionFailed",
	}
	if !reflect.DeepEqual(types, wantTypes) {
		t.Errorf("types = %v\nwant %v", types, wantTypes)
	}
	if ts := got[0].Timestamp; !ts.Equal(ms(1795485600007)) || ts.Location().String() != "UTC" {
		t.Errorf("ExecutionStarted at %v", ts)
	}
	if ts := got[5].Timestamp; !ts.Equal(ms(1795486141207)) {
		t.Errorf("TaskSucceeded at %v, want epoch 1795486141.207", ts)
	}

	const (
		input    = `{"files": ["bronze_layer/order_items/order_items_2026-11-24.csv"]}`
		glueOut  = `{"Id": "jr_5f0e0c3d0b5a4e0e9a6c2f1d8b7e6a5c4d3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f", "JobName": "process_data", "JobRunState": "SUCCEEDED", "ExecutionTime": 512}`
		glueArgs = `{"JobName": "process_data", "Arguments": {"--S3_BUCKET_PATH": "s3://lakeops-lake/bronze_layer/", "--REJECTED_PATH": "s3://lakeops-lake/rejected"}}`
		crawler  = `{"Crawler": {"Name": "project-6-crawler", "State": "READY", "LastCrawl": {"Status": "SUCCEEDED"}}}`
		cause    = "line 1:15: Table 'awsdatacatalog.lakeops.products' does not exist (Service: Athena, Status Code: 400, Request ID: 2b1c0f43-6a8e-4d7a-9c51-0e5f3a2b1c0d)"
		athena   = "aws-sdk:athena"
		startQ   = "startQueryExecution"
	)
	want := map[int]ev{
		1:  {id: 1, typ: "ExecutionStarted", in: input},
		2:  {id: 2, typ: "TaskStateEntered", state: "Glue StartJobRun", in: input},
		3:  {id: 3, prev: 2, typ: "TaskScheduled", state: "Glue StartJobRun", in: glueArgs, res: "startJobRun.sync", resTyp: "glue"},
		4:  {id: 4, prev: 3, typ: "TaskStarted", state: "Glue StartJobRun", res: "startJobRun.sync", resTyp: "glue"},
		6:  {id: 6, prev: 5, typ: "TaskSucceeded", state: "Glue StartJobRun", out: glueOut, res: "startJobRun.sync", resTyp: "glue"},
		7:  {id: 7, prev: 6, typ: "TaskStateExited", state: "Glue StartJobRun", out: glueOut},
		9:  {id: 9, prev: 8, typ: "TaskScheduled", state: "CheckCrawlerStatus", in: `{"Name": "project-6-crawler"}`, res: "getCrawler", resTyp: "aws-sdk:glue"},
		13: {id: 13, prev: 12, typ: "ChoiceStateEntered", state: "IsCrawlingComplete", in: crawler},
		14: {id: 14, prev: 13, typ: "ChoiceStateExited", state: "IsCrawlingComplete", out: crawler},
		16: {id: 16, prev: 15, typ: "ParallelStateStarted", state: "Parallel"},
		// The two branches interleave; each task event is tied to its own branch's state.
		20: {id: 20, prev: 18, typ: "TaskScheduled", state: "RunTestQueriesProducts", in: `{"QueryString": "SELECT * FROM products LIMIT 10"}`, res: startQ, resTyp: athena},
		23: {id: 23, prev: 21, typ: "TaskSucceeded", state: "RunTestQueriesOrders", out: `{"QueryExecutionId": "0c9e2f8a-77b1-4a55-b0b4-2d3f1e6a9c80"}`, res: startQ, resTyp: athena},
		24: {id: 24, prev: 22, typ: "TaskFailed", state: "RunTestQueriesProducts", err: "Athena.InvalidRequestException", cause: cause, res: startQ, resTyp: athena},
		// ParallelStateFailed follows a branch's event, not its own state's: no name is guessed.
		26: {id: 26, prev: 24, typ: "ParallelStateFailed"},
		27: {id: 27, prev: 26, typ: "ExecutionFailed", err: "Athena.InvalidRequestException", cause: cause},
	}
	for id, w := range want {
		if g := compact(got[id-1]); g != w {
			t.Errorf("event %d = %+v\nwant      %+v", id, g, w)
		}
	}
	for _, e := range got {
		if e.MapIndex != -1 || e.MapLength != 0 || e.MapRunARN != "" || e.RedriveCount != 0 {
			t.Errorf("event %d (%s) has Map/redrive fields: %+v", e.ID, e.Type, e)
		}
	}
	f.Done()
}

func TestProtocolHistoryMapLambdaRedriven(t *testing.T) {
	const arn = "arn:aws:states:us-east-1:123456789012:execution:lakeops-archive:archive-20261125"
	f := newFakeService(t, prefix, reply{Op: "GetExecutionHistory", File: "get-execution-history-redriven.json"})
	got := history(t, New(f.Config(), Options{}), arn)
	if len(got) != 29 {
		t.Fatalf("%d events, want 29", len(got))
	}
	const (
		fn    = "arn:aws:lambda:us-east-1:123456789012:function:archive_on_success"
		it1   = `{"key": "bronze_layer/orders/b.csv"}`
		ok1   = `{"archived": "archive/2026/11/25/b.csv"}`
		cause = `{"errorMessage": "Task timed out after 3.00 seconds"}`
		all   = `[{"archived": "archive/2026/11/25/a.csv"}, {"archived": "archive/2026/11/25/b.csv"}]`
	)
	want := map[int]ev{
		2:  {id: 2, typ: "MapStateEntered", state: "Archive", in: `{"keys": ["bronze_layer/orders/a.csv", "bronze_layer/orders/b.csv"]}`},
		3:  {id: 3, prev: 2, typ: "MapStateStarted", state: "Archive"},
		9:  {id: 9, prev: 7, typ: "LambdaFunctionScheduled", state: "ArchiveOne", in: it1, res: fn},
		11: {id: 11, prev: 9, typ: "LambdaFunctionStarted", state: "ArchiveOne"},
		15: {id: 15, prev: 11, typ: "LambdaFunctionFailed", state: "ArchiveOne", err: "Lambda.Unknown", cause: cause},
		16: {id: 16, prev: 15, typ: "MapIterationFailed", state: "Archive"},
		17: {id: 17, prev: 16, typ: "MapStateFailed"},
		18: {id: 18, prev: 17, typ: "ExecutionFailed", err: "Lambda.Unknown", cause: cause},
		19: {id: 19, prev: 18, typ: "ExecutionRedriven"},
		24: {id: 24, prev: 23, typ: "LambdaFunctionSucceeded", state: "ArchiveOne", out: ok1},
		28: {id: 28, prev: 27, typ: "MapStateExited", state: "Archive", out: all},
		29: {id: 29, prev: 28, typ: "ExecutionSucceeded", out: all},
	}
	for id, w := range want {
		if g := compact(got[id-1]); g != w {
			t.Errorf("event %d = %+v\nwant      %+v", id, g, w)
		}
	}
	if e := got[2]; e.MapLength != 2 {
		t.Errorf("MapStateStarted length = %d, want 2", e.MapLength)
	}
	for id, idx := range map[int]int{4: 0, 5: 1, 14: 0, 16: 1, 20: 1, 26: 1} {
		if e := got[id-1]; e.MapIndex != idx || e.StateName != "Archive" || !strings.HasPrefix(e.Type, "MapIteration") {
			t.Errorf("event %d = %s %q index %d, want a MapIteration event of Archive, index %d", id, e.Type, e.StateName, e.MapIndex, idx)
		}
	}
	if e := got[18]; e.RedriveCount != 1 || !e.Timestamp.Equal(ms(1795600600500)) {
		t.Errorf("ExecutionRedriven = %+v", e)
	}
	f.Done()
}

func TestProtocolHistoryAbortedAndTimedOut(t *testing.T) {
	tests := []struct {
		file string
		last ev
	}{
		{"get-execution-history-aborted.json", ev{id: 4, prev: 3, typ: "ExecutionAborted", err: "lakeops.Stopped", cause: "stopped from the lakeops console"}},
		{"get-execution-history-timed-out.json", ev{id: 3, prev: 2, typ: "ExecutionTimedOut", err: "States.Timeout", cause: "The execution timed out after 3600 seconds"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := newFakeService(t, prefix, reply{Op: "GetExecutionHistory", File: tt.file})
			got := history(t, New(f.Config(), Options{}), runARN)
			if g := compact(got[len(got)-1]); g != tt.last {
				t.Errorf("last event = %+v\nwant %+v", g, tt.last)
			}
			if g := compact(got[1]); g != (ev{id: 2, typ: "WaitStateEntered", state: "WaitForCrawler", in: "{}"}) {
				t.Errorf("event 2 = %+v", g)
			}
			f.Done()
		})
	}
}

// An error from fn stops the history where it is and is returned as it is:
// the second page is never asked for.
func TestProtocolHistoryStopsOnCallbackError(t *testing.T) {
	f := newFakeService(t, prefix, reply{Op: "GetExecutionHistory", File: "get-execution-history-page1.json"})
	stop := errors.New("enough")
	n := 0
	err := New(f.Config(), Options{}).History(context.Background(), failedARN, func(e Event) error {
		n++
		if e.Type == "TaskSucceeded" {
			return fmt.Errorf("at event %d: %w", e.ID, stop)
		}
		return nil
	})
	if !errors.Is(err, stop) || err.Error() != "at event 6: enough" {
		t.Errorf("err = %v", err)
	}
	if n != 6 || len(f.Requests()) != 1 {
		t.Errorf("%d events seen, %d requests; want 6 and 1", n, len(f.Requests()))
	}
	f.Done()
}

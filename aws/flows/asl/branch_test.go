package asl

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The spec's Parallel example (LookupCustomerInfo) with echoing tasks.
func TestParallel(t *testing.T) {
	def := `{"StartAt":"LookupCustomerInfo","States":{"LookupCustomerInfo":{"Type":"Parallel","End":true,"Branches":[
	 {"StartAt":"LookupAddress","States":{"LookupAddress":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:AddressFinder","Parameters":{"addr.$":"$.id"},"End":true}}},
	 {"StartAt":"LookupPhone","States":{"LookupPhone":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:PhoneFinder","Parameters":{"phone.$":"$.id"},"End":true}}}]}}}`
	res, _ := run(t, def, `{"id":7}`, nil)
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error, res.Cause)
	}
	jsonEq(t, res.Output, `[{"addr":7},{"phone":7}]`)
	ty := types(res)
	for _, want := range []string{"ParallelStateEntered ParallelStateStarted", "ParallelStateSucceeded ParallelStateExited ExecutionSucceeded"} {
		if !strings.Contains(ty, want) {
			t.Errorf("events %s lack %s", ty, want)
		}
	}
	// Branch events follow ParallelStateStarted.
	started := res.Events[2].ID
	for _, e := range res.Events {
		if e.Type == "TaskStateEntered" && e.PreviousEventID != started {
			t.Errorf("branch event %d follows %d, want %d", e.ID, e.PreviousEventID, started)
		}
	}
}

func TestParallelFailingBranch(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Ok","Branches":[
	 {"StartAt":"Slow","States":{"Slow":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:slow","End":true}}},
	 {"StartAt":"Boom","States":{"Boom":{"Type":"Fail","Error":"BranchError","Cause":"branch 2 broke"}}}],
	 "Catch":[{"ErrorEquals":["BranchError"],"ResultPath":"$.err","Next":"Caught"}]},
	 "Ok":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}}`
	slow := InvokerFunc(func(ctx context.Context, _ string, p json.RawMessage) (json.RawMessage, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
			return p, nil
		}
	})
	start := time.Now()
	res, _ := run(t, def, `{"x":1}`, slow)
	if time.Since(start) > 2*time.Second {
		t.Errorf("the failing branch did not cancel the slow one")
	}
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error)
	}
	jsonEq(t, res.Output, `{"x":1,"err":{"Error":"BranchError","Cause":"branch 2 broke"}}`)
	if !strings.Contains(types(res), "ParallelStateFailed") {
		t.Errorf("events %s", types(res))
	}
	// Without the Catch the execution fails with the branch's error.
	res, _ = run(t, strings.Replace(def, `"Catch":[{"ErrorEquals":["BranchError"],"ResultPath":"$.err","Next":"Caught"}]`, `"Comment":"no catch"`, 1), `{}`, slow)
	if res.Status != StatusFailed || res.Error != "BranchError" || res.Cause != "branch 2 broke" || res.FailedState != "P" {
		t.Fatalf("%s %s %s at %s", res.Status, res.Error, res.Cause, res.FailedState)
	}
}

// The spec's Map example (Validate-All).
func TestMap(t *testing.T) {
	def := `{"StartAt":"Validate-All","States":{"Validate-All":{"Type":"Map","InputPath":"$.detail","ItemsPath":"$.shipped","MaxConcurrency":0,
	 "ItemSelector":{"parcel.$":"$$.Map.Item.Value","courier.$":"$.delivery-partner","index.$":"$$.Map.Item.Index"},
	 "ItemProcessor":{"StartAt":"Validate","States":{"Validate":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ship-val","End":true}}},
	 "ResultPath":"$.detail.shipped","End":true}}}`
	input := `{"ship-date":"2016-03-14T01:59:00Z","detail":{"delivery-partner":"UQS","shipped":[
	 {"prod":"R31","dest-code":9511,"quantity":1344},{"prod":"S39","dest-code":9511,"quantity":40},{"prod":"R31","dest-code":9833,"quantity":12}]}}`
	res, _ := run(t, def, input, nil)
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error, res.Cause)
	}
	jsonEq(t, res.Output, `{"ship-date":"2016-03-14T01:59:00Z","detail":{"delivery-partner":"UQS","shipped":[
	 {"parcel":{"prod":"R31","dest-code":9511,"quantity":1344},"courier":"UQS","index":0},
	 {"parcel":{"prod":"S39","dest-code":9511,"quantity":40},"courier":"UQS","index":1},
	 {"parcel":{"prod":"R31","dest-code":9833,"quantity":12},"courier":"UQS","index":2}]}}`)
	if n := strings.Count(types(res), "MapIterationSucceeded"); n != 3 {
		t.Errorf("%d iterations succeeded: %s", n, types(res))
	}
	if res.Events[2].Type != "MapStateStarted" || res.Events[2].Length == nil || *res.Events[2].Length != 3 {
		t.Errorf("MapStateStarted: %+v", res.Events[2])
	}
}

func TestMapConcurrencyAndLegacyIterator(t *testing.T) {
	var cur, peak int32
	inv := InvokerFunc(func(_ context.Context, _ string, p json.RawMessage) (json.RawMessage, error) {
		n := atomic.AddInt32(&cur, 1)
		for {
			old := atomic.LoadInt32(&peak)
			if n <= old || atomic.CompareAndSwapInt32(&peak, old, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		atomic.AddInt32(&cur, -1)
		return p, nil
	})
	def := single(`{"Type":"Map","MaxConcurrency":2,"Parameters":{"v.$":"$$.Map.Item.Value"},
	 "Iterator":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","OutputPath":"$.v","End":true}}},"End":true}`)
	res, _ := run(t, def, `[1,2,3,4,5,6]`, inv)
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error, res.Cause)
	}
	jsonEq(t, res.Output, `[1,2,3,4,5,6]`)
	if peak > 2 {
		t.Errorf("%d iterations ran at once, MaxConcurrency is 2", peak)
	}
}

func TestMapFailingItem(t *testing.T) {
	inv := InvokerFunc(func(_ context.Context, _ string, p json.RawMessage) (json.RawMessage, error) {
		if string(p) == "3" {
			return nil, NewTaskError("BadItem", "item 3")
		}
		return p, nil
	})
	def := single(`{"Type":"Map","MaxConcurrency":1,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}},"End":true}`)
	res, _ := run(t, def, `[1,2,3,4]`, inv)
	if res.Status != StatusFailed || res.Error != "BadItem" || res.Cause != "item 3" {
		t.Fatalf("%s %s %s", res.Status, res.Error, res.Cause)
	}
	ty := types(res)
	for _, want := range []string{"MapIterationFailed", "MapStateFailed ExecutionFailed"} {
		if !strings.Contains(ty, want) {
			t.Errorf("events %s lack %s", ty, want)
		}
	}
	if strings.Contains(ty, "MapStateExited") {
		t.Errorf("a failed Map exited: %s", ty)
	}
	res, _ = run(t, single(`{"Type":"Map","ItemsPath":"$.x","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`), `{"x":5}`, nil)
	if res.Error != ErrRuntime {
		t.Errorf("non-array items: %s", res.Error)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ def, want string }{
		{`[]`, "not a JSON object"},
		{`{"States":{"A":{"Type":"Succeed"}}}`, "StartAt: missing"},
		{`{"StartAt":"A"}`, "States: missing"},
		{`{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, `StartAt: no state "B"`},
		{`{"StartAt":"Foo","States":{"Foo":{"Type":"Pass","Next":"Bar"}}}`, `States.Foo.Next: no state "Bar"`},
		{`{"StartAt":"A","States":{"A":{"Type":"Bogus"}}}`, `States.A.Type: unknown state type "Bogus"`},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Default":"A"}}}`, "States.A.Choices: missing"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, "States.A: has both Next and End"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, "States.A: needs Next"},
		{`{"StartAt":"A","States":{"A":{"Type":"Task","End":true}}}`, "States.A.Resource: missing"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","Seconds":3,"End":true}}}`, "States.A.Seconds: field not allowed in a Pass state"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"nope","End":true}}}`, "States.A.InputPath: path \"nope\" must start with $"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.a[*]","End":true}}}`, "States.A.ResultPath: reference path"},
		{`{"StartAt":"A","States":{"A":{"Type":"Wait","End":true}}}`, "States.A: a Wait state needs exactly one"},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":1,"Next":"A"}]}}}`, "States.A.Choices[0].StringEquals: must be a string"},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a"}]}}}`, "States.A.Choices[0]: a top-level choice rule needs Next"},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","StringEquals":"a","Next":"Z"}]}}}`, `States.A.Choices[0].Next: no state "Z"`},
		{`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:x","End":true,"Retry":[{"ErrorEquals":["States.ALL","X"]}]}}}`, "States.A.Retry[0].ErrorEquals[0]: States.ALL must appear alone"},
		{`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:x","End":true,"Retry":[{"ErrorEquals":["X"],"BackoffRate":0.5}]}}}`, "States.A.Retry[0].BackoffRate: must be at least 1.0"},
		{`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:x","End":true,"Catch":[{"ErrorEquals":["X"],"Next":"Q"}]}}}`, `States.A.Catch[0].Next: no state "Q"`},
		{`{"StartAt":"A","States":{"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"A"}}}]}}}`, `States.A.Branches[0].States.X.Next: no state "A"`},
		{`{"StartAt":"A","States":{"A":{"Type":"Map","End":true,"ItemReader":{},"ItemProcessor":{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}}}}`, "States.A.ItemReader: only a distributed Map"},
		{`{"StartAt":"A","QueryLanguage":"JSONata","States":{"A":{"Type":"Succeed"}}}`, "QueryLanguage"},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.def))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %q", tc.def, err, tc.want)
		}
	}
	// Unreachable states are allowed.
	mustParse(t, `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"Orphan":{"Type":"Succeed"}}}`)
}

// The seed project's state machine parses and runs unchanged with fake
// resources: the crawler is RUNNING once, so the Wait/Choice loop turns twice.
func TestSeedMachine(t *testing.T) {
	def, err := os.ReadFile("../../../testdata/statemachine/step_function_code.json")
	if err != nil {
		t.Fatal(err)
	}
	var polls, queries int32
	inv := InvokerFunc(func(_ context.Context, res string, p json.RawMessage) (json.RawMessage, error) {
		switch {
		case strings.HasSuffix(res, "glue:startJobRun.sync"):
			return json.RawMessage(`{"JobRunState":"SUCCEEDED"}`), nil
		case strings.HasSuffix(res, "glue:startCrawler"):
			return json.RawMessage(`{}`), nil
		case strings.HasSuffix(res, "glue:getCrawler"):
			if atomic.AddInt32(&polls, 1) == 1 {
				return json.RawMessage(`{"Crawler":{"State":"RUNNING"}}`), nil
			}
			return json.RawMessage(`{"Crawler":{"State":"READY"}}`), nil
		case strings.HasSuffix(res, "athena:startQueryExecution"):
			atomic.AddInt32(&queries, 1)
			return json.RawMessage(`{"QueryExecutionId":"q"}`), nil
		case strings.Contains(res, "function:archive_on_success"):
			return json.RawMessage(`{"archived":3}`), nil
		case strings.HasSuffix(res, "sns:publish"):
			var msg struct{ Subject string }
			_ = json.Unmarshal(p, &msg)
			return json.Marshal(map[string]string{"MessageId": "m1", "Subject": msg.Subject})
		}
		return nil, NewTaskError(ErrTaskFailed, "unexpected resource "+res)
	})
	res, clk := run(t, string(def), `{}`, inv)
	if res.Status != StatusSucceeded {
		t.Fatalf("%s %s: %s", res.Error, res.Cause, types(res))
	}
	jsonEq(t, res.Output, `{"MessageId":"m1","Subject":"State Machine Execution Succeeded ✅"}`)
	if polls != 2 || queries != 3 {
		t.Errorf("%d crawler polls, %d queries", polls, queries)
	}
	if got := clk.Sleeps(); len(got) != 2 || got[0] != 35*time.Second {
		t.Errorf("sleeps %v", got)
	}
	// A failing Glue job takes the Catch path to the failure message.
	failing := InvokerFunc(func(ctx context.Context, res string, p json.RawMessage) (json.RawMessage, error) {
		if strings.HasSuffix(res, "glue:startJobRun.sync") {
			return nil, NewTaskError("Glue.JobRunFailed", "orders.csv: empty file")
		}
		return inv(ctx, res, p)
	})
	res, _ = run(t, string(def), `{}`, failing)
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error)
	}
	jsonEq(t, res.Output, `{"MessageId":"m1","Subject":"State Machine Execution Failed ❌"}`)
	for _, e := range res.Events {
		if e.Type == "TaskScheduled" && e.StateName == "Failed Message" {
			jsonEq(t, e.Parameters, `{"TopicArn":"arn:aws:sns:your-region:123456:topic-name","Subject":"State Machine Execution Failed ❌",
			 "Message":{"Status":"Failed ❌","Machine":"Lakehouse-StateMachine","ExecutionId":"arn:aws:states:local:0:execution:m:e1","Timestamp":"2016-03-14T01:58:00.000Z"}}`)
		}
	}
}

package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The Choice example of the specification, with each target a Pass that
// outputs its own name.
const choiceSpec = `{"StartAt":"ChoiceStateX","States":{
 "ChoiceStateX":{"Type":"Choice","Choices":[
   {"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
   {"And":[{"Variable":"$.value","IsPresent":true},{"Variable":"$.value","IsNumeric":true},
           {"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"},
   {"Variable":"$.rating","NumericGreaterThanPath":"$.auditThreshold","Next":"StartAudit"}],
  "Default":"RecordEvent"},
 "Public":{"Type":"Pass","Result":"Public","End":true},
 "ValueInTwenties":{"Type":"Pass","Result":"ValueInTwenties","End":true},
 "StartAudit":{"Type":"Pass","Result":"StartAudit","End":true},
 "RecordEvent":{"Type":"Pass","Result":"RecordEvent","End":true}}}`

func TestChoiceSpecExample(t *testing.T) {
	for input, want := range map[string]string{
		`{"type":"Public"}`:             "Public",
		`{"type":"Private","value":22}`: "ValueInTwenties",
		`{"type":"Private","value":"22","rating":1,"auditThreshold":60}`: "RecordEvent",
		`{"type":"Private","rating":53,"auditThreshold":60}`:             "RecordEvent",
		`{"type":"Private","rating":70,"auditThreshold":60}`:             "StartAudit",
	} {
		res, _ := run(t, choiceSpec, input, nil)
		if res.Status != StatusSucceeded {
			t.Fatalf("%s: %s %s", input, res.Error, res.Cause)
		}
		jsonEq(t, res.Output, `"`+want+`"`)
	}
}

func TestChoiceOperators(t *testing.T) {
	input := `{"s":"abc","n":10,"f":1.5,"b":true,"ts":"2016-03-14T01:59:00Z","nul":null,"other":"abd","n2":10,"ts2":"2016-03-14T02:00:00Z"}`
	tests := []struct {
		rule string
		want bool
	}{
		{`"Variable":"$.s","StringEquals":"abc"`, true},
		{`"Variable":"$.s","StringEqualsPath":"$.other"`, false},
		{`"Variable":"$.s","StringLessThan":"abd"`, true},
		{`"Variable":"$.s","StringLessThanPath":"$.other"`, true},
		{`"Variable":"$.s","StringGreaterThan":"abb"`, true},
		{`"Variable":"$.s","StringLessThanEquals":"abc"`, true},
		{`"Variable":"$.s","StringGreaterThanEquals":"abd"`, false},
		{`"Variable":"$.s","StringMatches":"a*"`, true},
		{`"Variable":"$.s","StringMatches":"*c"`, true},
		{`"Variable":"$.s","StringMatches":"a*d"`, false},
		{`"Variable":"$.s","StringMatches":"a\\*c"`, false},
		{`"Variable":"$.n","NumericEquals":10`, true},
		{`"Variable":"$.n","NumericEqualsPath":"$.n2"`, true},
		{`"Variable":"$.n","NumericLessThan":10`, false},
		{`"Variable":"$.f","NumericGreaterThan":1`, true},
		{`"Variable":"$.n","NumericLessThanEquals":10`, true},
		{`"Variable":"$.n","NumericGreaterThanEquals":11`, false},
		{`"Variable":"$.n","NumericGreaterThanEqualsPath":"$.n2"`, true},
		{`"Variable":"$.s","NumericEquals":10`, false},
		{`"Variable":"$.b","BooleanEquals":true`, true},
		{`"Variable":"$.b","BooleanEqualsPath":"$.b"`, true},
		{`"Variable":"$.ts","TimestampEquals":"2016-03-14T01:59:00Z"`, true},
		{`"Variable":"$.ts","TimestampLessThan":"2016-03-14T02:00:00+00:00"`, true},
		{`"Variable":"$.ts","TimestampGreaterThan":"2016-03-14T01:00:00Z"`, true},
		{`"Variable":"$.ts","TimestampLessThanEqualsPath":"$.ts2"`, true},
		{`"Variable":"$.ts","TimestampGreaterThanEquals":"2016-03-14T02:00:00Z"`, false},
		{`"Variable":"$.nul","IsNull":true`, true},
		{`"Variable":"$.s","IsNull":true`, false},
		{`"Variable":"$.missing","IsPresent":false`, true},
		{`"Variable":"$.s","IsPresent":true`, true},
		{`"Variable":"$.f","IsNumeric":true`, true},
		{`"Variable":"$.s","IsString":true`, true},
		{`"Variable":"$.b","IsBoolean":true`, true},
		{`"Variable":"$.ts","IsTimestamp":true`, true},
		{`"Variable":"$.s","IsTimestamp":true`, false},
		{`"Or":[{"Variable":"$.n","NumericEquals":1},{"Variable":"$.n","NumericEquals":10}]`, true},
		{`"And":[{"Variable":"$.n","NumericEquals":1},{"Variable":"$.n","NumericEquals":10}]`, false},
		{`"Not":{"Variable":"$.b","BooleanEquals":false}`, true},
	}
	for _, tc := range tests {
		def := single(`{"Type":"Choice","Choices":[{` + tc.rule + `,"Next":"Yes"}],"Default":"No"}`)
		def = strings.Replace(def, `}}`, `},"Yes":{"Type":"Pass","Result":true,"End":true},"No":{"Type":"Pass","Result":false,"End":true}}`, 1)
		res, _ := run(t, def, input, nil)
		if res.Status != StatusSucceeded {
			t.Fatalf("%s: %s %s", tc.rule, res.Error, res.Cause)
		}
		if got := string(res.Output) == "true"; got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.rule, got, tc.want)
		}
	}
}

func TestChoiceNoMatchAndMissingVariable(t *testing.T) {
	def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}`
	res, _ := run(t, def, `{"x":2}`, nil)
	if res.Error != ErrNoChoiceMatched {
		t.Fatalf("got %s", res.Error)
	}
	res, _ = run(t, def, `{}`, nil)
	if res.Error != ErrRuntime {
		t.Fatalf("missing variable: got %s", res.Error)
	}
}

func TestWait(t *testing.T) {
	tests := []struct {
		state, input string
		want         time.Duration
	}{
		{`{"Type":"Wait","Seconds":10,"End":true}`, `{}`, 10 * time.Second},
		{`{"Type":"Wait","Timestamp":"2016-03-14T01:59:00Z","End":true}`, `{}`, time.Minute},
		{`{"Type":"Wait","TimestampPath":"$.expirydate","End":true}`, `{"expirydate":"2016-03-14T02:00:00Z"}`, 2 * time.Minute},
		{`{"Type":"Wait","SecondsPath":"$.expiryseconds","End":true}`, `{"expiryseconds":3}`, 3 * time.Second},
		{`{"Type":"Wait","Timestamp":"2000-01-01T00:00:00Z","End":true}`, `{}`, 0},
	}
	for _, tc := range tests {
		res, clk := run(t, single(tc.state), tc.input, nil)
		if res.Status != StatusSucceeded {
			t.Fatalf("%s: %s %s", tc.state, res.Error, res.Cause)
		}
		jsonEq(t, res.Output, tc.input)
		var got time.Duration
		for _, s := range clk.Sleeps() {
			got += s
		}
		if got != tc.want {
			t.Errorf("%s: slept %v, want %v", tc.state, got, tc.want)
		}
		if types(res) != "ExecutionStarted WaitStateEntered WaitStateExited ExecutionSucceeded" {
			t.Errorf("events: %s", types(res))
		}
	}
	res, _ := run(t, single(`{"Type":"Wait","SecondsPath":"$.s","End":true}`), `{"s":"x"}`, nil)
	if res.Error != ErrRuntime {
		t.Errorf("bad SecondsPath: %s", res.Error)
	}
}

func TestTaskEvents(t *testing.T) {
	res, _ := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Parameters":{"a.$":"$.a"},"End":true}`), `{"a":1}`, nil)
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited ExecutionSucceeded"
	if types(res) != want {
		t.Fatalf("events %s", types(res))
	}
	for i, e := range res.Events {
		if e.ID != int64(i+1) || e.PreviousEventID != int64(i) || e.Timestamp.IsZero() {
			t.Errorf("event %d: id %d prev %d", i, e.ID, e.PreviousEventID)
		}
	}
	jsonEq(t, res.Events[2].Parameters, `{"a":1}`)
	if res.Events[2].Resource != "arn:aws:lambda:us-east-1:1:function:f" || res.Events[1].StateName != "S" {
		t.Errorf("scheduled: %+v", res.Events[2])
	}
}

func failN(n int, name string) (InvokerFunc, *int32) {
	var calls int32
	return func(ctx context.Context, _ string, p json.RawMessage) (json.RawMessage, error) {
		if int(atomic.AddInt32(&calls, 1)) <= n {
			return nil, NewTaskError(name, "try again")
		}
		return p, nil
	}, &calls
}

func TestRetryTiming(t *testing.T) {
	tests := []struct {
		name, retry string
		failures    int
		want        []time.Duration
		status      string
	}{
		{"spec example 3s then 4.5s", `{"ErrorEquals":["ErrorA"],"IntervalSeconds":3,"MaxAttempts":2,"BackoffRate":1.5}`, 2, []time.Duration{3 * time.Second, 4500 * time.Millisecond}, StatusSucceeded},
		{"defaults 1 2 4", `{"ErrorEquals":["States.ALL"]}`, 3, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, StatusSucceeded},
		{"defaults exhausted", `{"ErrorEquals":["States.ALL"]}`, 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, StatusFailed},
		{"MaxDelaySeconds caps", `{"ErrorEquals":["ErrorA"],"MaxAttempts":5,"MaxDelaySeconds":5,"JitterStrategy":"NONE"}`, 5, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, StatusSucceeded},
		{"MaxAttempts 0 never retries", `{"ErrorEquals":["ErrorA"],"MaxAttempts":0}`, 1, nil, StatusFailed},
		{"TaskFailed matches custom errors", `{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":2,"BackoffRate":1}`, 2, []time.Duration{2 * time.Second, 2 * time.Second}, StatusSucceeded},
		{"other error names do not match", `{"ErrorEquals":["ErrorB"]}`, 1, nil, StatusFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, _ := failN(tc.failures, "ErrorA")
			res, clk := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[`+tc.retry+`],"End":true}`), `{}`, inv)
			if res.Status != tc.status {
				t.Fatalf("status %s (%s), want %s", res.Status, res.Error, tc.status)
			}
			if got := clk.Sleeps(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("sleeps %v, want %v", got, tc.want)
			}
			if n := strings.Count(types(res), "TaskScheduled"); n != len(tc.want)+1 {
				t.Errorf("%d attempts scheduled, want %d", n, len(tc.want)+1)
			}
		})
	}
}

// The spec's example: retriers count separately; ErrorA and ErrorB share one.
func TestRetryMultipleRetriers(t *testing.T) {
	seq := []string{"ErrorA", "ErrorB", "ErrorC", "ErrorA"}
	var i int32
	inv := func(context.Context, string, json.RawMessage) (json.RawMessage, error) {
		n := atomic.AddInt32(&i, 1) - 1
		return nil, NewTaskError(seq[n], "")
	}
	res, clk := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[
		{"ErrorEquals":["ErrorA","ErrorB"],"IntervalSeconds":1,"BackoffRate":2.0,"MaxAttempts":2},
		{"ErrorEquals":["ErrorC"],"IntervalSeconds":5}],"End":true}`), `{}`, inv)
	if res.Status != StatusFailed || res.Error != "ErrorA" {
		t.Fatalf("got %s %s", res.Status, res.Error)
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 5 * time.Second}; !reflect.DeepEqual(clk.Sleeps(), want) {
		t.Fatalf("sleeps %v, want %v", clk.Sleeps(), want)
	}
}

func TestRetryJitterFull(t *testing.T) {
	inv, _ := failN(3, "ErrorA")
	res, clk := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["ErrorA"],"IntervalSeconds":10,"JitterStrategy":"FULL"}],"End":true}`), `{}`, inv)
	if res.Status != StatusSucceeded {
		t.Fatal(res.Error)
	}
	inv2, _ := failN(3, "ErrorA")
	_, clk2 := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Retry":[{"ErrorEquals":["ErrorA"],"IntervalSeconds":10,"JitterStrategy":"FULL"}],"End":true}`), `{}`, inv2)
	for k, d := range clk.Sleeps() {
		if d < 0 || d > RetryDelay(Retrier{IntervalSeconds: 10, BackoffRate: 2}, k) {
			t.Errorf("sleep %d = %v outside the jitter range", k, d)
		}
	}
	if !reflect.DeepEqual(clk.Sleeps(), clk2.Sleeps()) {
		t.Errorf("the same seed gave different jitter: %v %v", clk.Sleeps(), clk2.Sleeps())
	}
}

// The spec's Catch example.
func TestCatch(t *testing.T) {
	def := `{"StartAt":"T","States":{
	 "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Next":"Done","Catch":[
	   {"ErrorEquals":["java.lang.Exception"],"ResultPath":"$.error-info","Next":"RecoveryState"},
	   {"ErrorEquals":["States.ALL"],"Next":"EndState"}]},
	 "Done":{"Type":"Succeed"},
	 "RecoveryState":{"Type":"Pass","End":true},
	 "EndState":{"Type":"Pass","End":true}}}`
	inv := func(err error) InvokerFunc {
		return func(context.Context, string, json.RawMessage) (json.RawMessage, error) { return nil, err }
	}
	res, _ := run(t, def, `{"in":1}`, inv(NewTaskError("java.lang.Exception", "boom")))
	jsonEq(t, res.Output, `{"in":1,"error-info":{"Error":"java.lang.Exception","Cause":"boom"}}`)
	res, _ = run(t, def, `{"in":1}`, inv(errors.New("plain")))
	jsonEq(t, res.Output, `{"Error":"States.TaskFailed","Cause":"plain"}`)
	if !strings.Contains(types(res), "TaskFailed TaskStateExited PassStateEntered") {
		t.Errorf("events %s", types(res))
	}
	// States.Runtime is not caught by States.ALL.
	res, _ = run(t, strings.Replace(def, `"Next":"Done",`, `"InputPath":"$.nope","Next":"Done",`, 1), `{}`, inv(nil))
	if res.Status != StatusFailed || res.Error != ErrRuntime {
		t.Errorf("runtime error: %s %s", res.Status, res.Error)
	}
}

func TestFailState(t *testing.T) {
	res, _ := run(t, single(`{"Type":"Fail","Error":"ErrorA","Cause":"Kaiju attack"}`), `{}`, nil)
	if res.Status != StatusFailed || res.Error != "ErrorA" || res.Cause != "Kaiju attack" || res.FailedState != "S" {
		t.Fatalf("%+v", res)
	}
	if types(res) != "ExecutionStarted FailStateEntered ExecutionFailed" {
		t.Errorf("events %s", types(res))
	}
	res, _ = run(t, single(`{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('bad {}', $.n)"}`), `{"e":"E1","n":3}`, nil)
	if res.Error != "E1" || res.Cause != "bad 3" {
		t.Fatalf("%s %s", res.Error, res.Cause)
	}
}

func TestSucceedState(t *testing.T) {
	res, _ := run(t, single(`{"Type":"Succeed","InputPath":"$.a","OutputPath":"$.b"}`), `{"a":{"b":7}}`, nil)
	jsonEq(t, res.Output, `7`)
	if types(res) != "ExecutionStarted SucceedStateEntered SucceedStateExited ExecutionSucceeded" {
		t.Errorf("events %s", types(res))
	}
}

func TestTaskTimeout(t *testing.T) {
	clk := NewFakeClock(t0)
	clk.FireTimeouts = true
	hang := InvokerFunc(func(ctx context.Context, _ string, _ json.RawMessage) (json.RawMessage, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	m := mustParse(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","TimeoutSeconds":30,"End":true}`))
	res := Run(context.Background(), m, nil, Options{Invoker: hang, Clock: clk})
	if res.Status != StatusFailed || res.Error != ErrTimeout || !strings.Contains(types(res), "TaskTimedOut") {
		t.Fatalf("%s %s: %s", res.Status, res.Error, types(res))
	}
}

func TestExecutionTimeout(t *testing.T) {
	res, _ := run(t, `{"StartAt":"W","TimeoutSeconds":10,"States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, `{}`, nil)
	if res.Status != StatusTimedOut || res.Error != ErrTimeout || !strings.HasSuffix(types(res), "ExecutionTimedOut") {
		t.Fatalf("%s %s: %s", res.Status, res.Error, types(res))
	}
}

func TestAbort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	inv := InvokerFunc(func(ctx context.Context, _ string, _ json.RawMessage) (json.RawMessage, error) {
		cancel()
		return nil, ctx.Err()
	})
	m := mustParse(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["States.ALL"],"Next":"S"}],"End":true}`))
	res := Run(ctx, m, nil, Options{Invoker: inv, Clock: NewFakeClock(t0)})
	if res.Status != StatusAborted || res.Output != nil || !strings.HasSuffix(types(res), "ExecutionAborted") {
		t.Fatalf("%s: %s", res.Status, types(res))
	}
}

func TestRedriveStartAt(t *testing.T) {
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"B"},
	 "B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}`
	inv, _ := failN(1, "Flaky")
	res, _ := run(t, def, `{}`, inv)
	if res.Status != StatusFailed || res.FailedState != "B" {
		t.Fatalf("%s at %s", res.Status, res.FailedState)
	}
	jsonEq(t, res.FailedInput, `{"a":1}`)
	m := mustParse(t, def)
	again := Run(context.Background(), m, nil, Options{Invoker: inv, Clock: NewFakeClock(t0), StartAt: res.FailedState, StartInput: res.FailedInput, FirstEventID: int64(len(res.Events))})
	if again.Status != StatusSucceeded || again.Events[0].Type != "TaskStateEntered" || again.Events[0].ID != int64(len(res.Events)+1) {
		t.Fatalf("%s: %s", again.Status, types(again))
	}
	jsonEq(t, again.Output, `{"a":1}`)
}

func TestTaskInfo(t *testing.T) {
	var got TaskInfo
	inv := InvokerFunc(func(ctx context.Context, _ string, _ json.RawMessage) (json.RawMessage, error) {
		got, _ = TaskInfoFrom(ctx)
		return nil, nil
	})
	res, _ := run(t, single(`{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Parameters":{},"End":true}`), `{"Error":"X"}`, inv)
	if res.Status != StatusSucceeded || got.StateName != "S" || got.ExecutionName != "e1" || string(got.Input) != `{"Error":"X"}` {
		t.Fatalf("%+v %s", got, fmt.Sprint(res.Status))
	}
	jsonEq(t, res.Output, `null`)
}

// A run that ends in a Fail state after a Catch is redriven from the state
// whose error was caught, not from the Fail state.
func TestRedrivePointAfterCatch(t *testing.T) {
	def := `{"StartAt":"A","States":{
	 "A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"T"},
	 "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Notify"}],"End":true},
	 "Notify":{"Type":"Pass","Next":"Failed"},
	 "Failed":{"Type":"Fail","ErrorPath":"$.error.Error","CausePath":"$.error.Cause"}}}`
	inv, _ := failN(1, "Boom")
	res, _ := run(t, def, `{}`, inv)
	if res.Status != StatusFailed || res.Error != "Boom" || res.FailedState != "T" {
		t.Fatalf("%s %s at %s", res.Status, res.Error, res.FailedState)
	}
	jsonEq(t, res.FailedInput, `{"a":1}`)
}

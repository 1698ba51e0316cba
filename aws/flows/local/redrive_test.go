package local

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
)

// gateDef passes, runs the gate task, then passes again.
const gateDef = `{"StartAt":"A","TimeoutSeconds":60,"States":{
 "A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:gate","ResultPath":"$.b","Next":"C"},
 "C":{"Type":"Pass","Result":"c","ResultPath":"$.c","End":true}}}`

// gateResources holds the gate's first call: until the run is stopped
// (block), or while the fake clock passes the machine's timeout (slow).
// Later calls return at once.
type gateResources struct {
	calls   atomic.Int32
	started chan struct{}
	block   bool
	clock   *asl.FakeClock
}

func (g *gateResources) Invoke(ctx context.Context, _ string, _ json.RawMessage) (json.RawMessage, error) {
	if g.calls.Add(1) > 1 {
		return json.RawMessage(`"b"`), nil
	}
	close(g.started)
	if g.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	g.clock.Advance(2 * time.Minute) // past TimeoutSeconds
	return json.RawMessage(`"late"`), nil
}

// redriveToEnd redrives an execution and checks that it restarts at B
// (A is not run again) and succeeds with A's result kept.
func redriveToEnd(t *testing.T, s *Service, arn string) {
	t.Helper()
	ctx := context.Background()
	before, err := s.Describe(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	n := len(before.Events)
	if err := s.Redrive(ctx, arn); err != nil {
		t.Fatalf("redrive (%s): %v", before.Status, err)
	}
	e, err := s.Wait(ctx, arn)
	if err != nil || e.Status != asl.StatusSucceeded || e.RedriveCount != 1 || e.RedriveDate.IsZero() {
		t.Fatalf("after the redrive: %v %s %s %s (redrives %d)\n%s", err, e.Status, e.Error, e.Cause, e.RedriveCount, eventTypes(e.Events))
	}
	again := eventTypes(e.Events[n:])
	if !strings.HasPrefix(again, "ExecutionRedriven TaskStateEntered") || strings.Count(again, "PassStateEntered") != 1 {
		t.Errorf("the redrive did not restart at B (and run C only): %s", again)
	}
	var out map[string]string
	if err := json.Unmarshal(e.Output, &out); err != nil || out["a"] != "a" || out["b"] != "b" || out["c"] != "c" {
		t.Errorf("output %s", e.Output)
	}
}

// TestRedriveAborted: like RedriveExecution, an execution stopped while B
// ran restarts at B.
func TestRedriveAborted(t *testing.T) {
	ctx := context.Background()
	clk := asl.NewFakeClock(day)
	res := &gateResources{started: make(chan struct{}), block: true}
	s := New(newLake(t), res, clk)
	defer s.Close()
	arn, err := s.Start(ctx, "gated", []byte(gateDef), nil)
	if err != nil {
		t.Fatal(err)
	}
	<-res.started
	e, err := s.Stop(ctx, arn)
	if err != nil || e.Status != asl.StatusAborted || e.FailedState != "B" {
		t.Fatalf("stopped: %v %+v", err, e)
	}
	redriveToEnd(t, s, arn)
}

// TestRedriveTimedOut: an execution that ran past its TimeoutSeconds
// restarts at the state it timed out in, and the timeout counts from the
// redrive (not from the first start, which would time it out at once).
func TestRedriveTimedOut(t *testing.T) {
	ctx := context.Background()
	clk := asl.NewFakeClock(day)
	res := &gateResources{started: make(chan struct{}), clock: clk}
	s := New(newLake(t), res, clk)
	defer s.Close()
	arn, err := s.Start(ctx, "gated", []byte(gateDef), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Wait(ctx, arn)
	if err != nil || e.Status != asl.StatusTimedOut || e.FailedState != "B" {
		t.Fatalf("timed out: %v %s %s", err, e.Status, e.FailedState)
	}
	redriveToEnd(t, s, arn)
}

// TestRedriveAbortedWhoseProcessDied: an execution whose process died,
// stopped from another process, has no state in its record; the redrive
// restarts at the top-level state its history entered last, with the
// input it had there.
func TestRedriveAbortedWhoseProcessDied(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	clk := asl.NewFakeClock(day)
	res := &gateResources{started: make(chan struct{})}
	res.calls.Store(1) // the dead process made the first call
	s := New(lk, res, clk)
	defer s.Close()
	arn := ExecutionARN("gated", "died")
	ev := func(id int64, typ, state, input string) asl.Event {
		e := asl.Event{ID: id, PreviousEventID: id - 1, Timestamp: day, Type: typ, StateName: state}
		if input != "" {
			e.Input = json.RawMessage(input)
		}
		return e
	}
	dead := &Execution{ARN: arn, Machine: "gated", Name: "died", Definition: json.RawMessage(gateDef), Status: asl.StatusRunning,
		Input: json.RawMessage(`{}`), StartDate: day, Events: []asl.Event{
			ev(1, "ExecutionStarted", "", `{}`), ev(2, "PassStateEntered", "A", `{}`), ev(3, "PassStateExited", "A", ""),
			ev(4, "TaskStateEntered", "B", `{"a":"a"}`), ev(5, "TaskScheduled", "B", "")}}
	if err := s.save(ctx, dead); err != nil {
		t.Fatal(err)
	}
	e, err := s.Stop(ctx, arn)
	if err != nil || e.Status != asl.StatusAborted || e.FailedState != "" {
		t.Fatalf("stopped: %v %+v", err, e)
	}
	redriveToEnd(t, s, arn)
}

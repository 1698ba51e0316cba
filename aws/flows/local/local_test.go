package local

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	catlocal "github.com/lakeops/lakeops/aws/catalog/local"
	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
)

// The seed's state machine, unchanged, on a lake with seed-shaped data.
func TestSeedMachineOnLake(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	nFiles := copySeed(t, lk.Store)
	s, res := newService(t, lk)
	var notified []Notification
	res.Notify = func(n Notification) { notified = append(notified, n) }
	arn, err := s.Start(ctx, definitions.LabSeedName, definitions.LabSeed(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Wait(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != asl.StatusSucceeded {
		t.Fatalf("%s: %s %s\n%s", e.Status, e.Error, e.Cause, eventTypes(e.Events))
	}
	var out map[string]string
	if err := json.Unmarshal(e.Output, &out); err != nil || out["Subject"] != "State Machine Execution Succeeded ✅" || out["MessageId"] == "" {
		t.Fatalf("output %s", e.Output)
	}
	for _, ds := range []string{"products", "orders", "order_items"} {
		if countRows(t, lk, ds) == 0 {
			t.Errorf("%s is empty", ds)
		}
	}
	if left := keys(t, lk.Store, "bronze_layer/"); len(left) != 0 {
		t.Errorf("raw files left: %v", left)
	}
	archived := keys(t, lk.Store, "archive/2026/11/25/")
	if len(archived) != nFiles {
		t.Errorf("%d files archived, want %d: %v", len(archived), nFiles, archived)
	}
	tables, err := catlocal.New(lk.Store).Tables(ctx)
	if err != nil || len(tables) < 3 {
		t.Errorf("catalog: %d tables, %v", len(tables), err)
	}
	logged, err := ReadNotifications(ctx, lk.Store)
	if err != nil || len(logged) != 1 || len(notified) != 1 {
		t.Fatalf("notifications: %d logged, %d notified, %v", len(logged), len(notified), err)
	}
	if n := logged[0]; n.Subject != "State Machine Execution Succeeded ✅" || !strings.Contains(n.Message, arn) || n.Error != "" {
		t.Errorf("notification %+v", n)
	}
}

// A broken raw file fails the Glue job; the seed's Catch sends the failure
// message, which carries the error.
func TestSeedMachineCatchPath(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	copySeed(t, lk.Store)
	if err := lk.Store.Put(ctx, "bronze_layer/orders/orders_2025_04_30.csv", strings.NewReader("")); err != nil {
		t.Fatal(err)
	}
	s, _ := newService(t, lk)
	arn, err := s.Start(ctx, definitions.LabSeedName, definitions.LabSeed(), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.Wait(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != asl.StatusSucceeded || !strings.Contains(string(e.Output), "Failed ❌") {
		t.Fatalf("%s %s: %s", e.Status, e.Output, eventTypes(e.Events))
	}
	if !strings.Contains(string(e.Output), "Glue.JobRunFailed") {
		t.Errorf("output lacks the error: %s", e.Output)
	}
	logged, err := ReadNotifications(ctx, lk.Store)
	if err != nil || len(logged) != 1 {
		t.Fatalf("%d notifications, %v", len(logged), err)
	}
	n := logged[0]
	if n.Subject != "State Machine Execution Failed ❌" || n.Error != "Glue.JobRunFailed" || !strings.Contains(n.Cause, "orders_2025_04_30.csv") {
		t.Errorf("notification %+v", n)
	}
	if len(keys(t, lk.Store, "archive/")) != 0 {
		t.Errorf("files archived after a failure")
	}
}

// The project's own flow end to end (the worker in process), then with
// nothing new, then with a broken file.
func TestLakeopsFlow(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	copySeed(t, lk.Store)
	s, _ := newService(t, lk)
	runFlow := func() *Execution {
		arn, err := s.Start(ctx, definitions.LakeopsFlowName, definitions.LakeopsFlow(), nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Wait(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := runFlow()
	if e.Status != asl.StatusSucceeded {
		t.Fatalf("%s %s %s\n%s", e.Status, e.Error, e.Cause, eventTypes(e.Events))
	}
	logged, _ := ReadNotifications(ctx, lk.Store)
	if len(logged) != 1 || !strings.Contains(logged[0].Message, "succeeded") || !strings.Contains(logged[0].Message, "products "+itoa(countRows(t, lk, "products"))) {
		t.Fatalf("notifications %+v", logged)
	}
	if len(keys(t, lk.Store, "bronze_layer/")) != 0 {
		t.Errorf("raw files left")
	}
	if e := runFlow(); e.Status != asl.StatusSucceeded || !strings.Contains(eventTypes(e.Events), "SucceedStateEntered") {
		t.Errorf("nothing new: %s %s", e.Status, eventTypes(e.Events))
	}
	if err := lk.Store.Put(ctx, "bronze_layer/orders/orders_bad.csv", strings.NewReader("")); err != nil {
		t.Fatal(err)
	}
	e = runFlow()
	if e.Status != asl.StatusFailed || e.Error != "Lakeops.FilesFailed" || !strings.Contains(e.Cause, "orders_bad.csv: file is empty") {
		t.Fatalf("%s %s %s", e.Status, e.Error, e.Cause)
	}
	logged, _ = ReadNotifications(ctx, lk.Store)
	if last := logged[len(logged)-1]; !strings.Contains(last.Message, "failed: Lakeops.FilesFailed: 1 of 1 raw files failed") {
		t.Errorf("failure notification %+v", last)
	}
	// The failed file stays in the raw zone; the load's staging is gone.
	if left := keys(t, lk.Store, "bronze_layer/"); len(left) != 1 || left[0] != "bronze_layer/orders/orders_bad.csv" {
		t.Errorf("raw zone after the failed load: %v", left)
	}
	if left := keys(t, lk.Store, "_lakeops/staging/"); len(left) != 0 {
		t.Errorf("staging left: %v", left)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// blockingResources blocks the "block" function until stopped, and fails
// the "flaky" function the first time.
type blockingResources struct {
	started chan struct{}
	flaky   int32
}

func (b *blockingResources) Invoke(ctx context.Context, resource string, p json.RawMessage) (json.RawMessage, error) {
	switch {
	case strings.HasSuffix(resource, ":block"):
		close(b.started)
		<-ctx.Done()
		return nil, ctx.Err()
	case strings.HasSuffix(resource, ":flaky"):
		if atomic.AddInt32(&b.flaky, 1) == 1 {
			return nil, asl.NewTaskError("Flaky", "first call fails")
		}
	}
	return p, nil
}

const stopDef = `{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:block","End":true}}}`

const redriveDef = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"F"},
 "F":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:flaky","End":true}}}`

func TestStopRedriveAndPersistence(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	res := &blockingResources{started: make(chan struct{})}
	clk := asl.NewFakeClock(day)
	s := New(lk, res, clk)
	defer s.Close()
	var seen int32
	s.OnEvent = func(string, asl.Event) { atomic.AddInt32(&seen, 1) }

	arn, err := s.Start(ctx, "blocker", []byte(stopDef), json.RawMessage(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	<-res.started
	if e, _ := s.Describe(ctx, arn); e.Status != asl.StatusRunning {
		t.Fatalf("status %s while running", e.Status)
	}
	e, err := s.Stop(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != asl.StatusAborted || !strings.HasSuffix(eventTypes(e.Events), "ExecutionAborted") || e.Output != nil {
		t.Fatalf("%s: %s", e.Status, eventTypes(e.Events))
	}
	if _, err := s.Stop(ctx, arn); err == nil {
		t.Error("stopping a stopped execution worked")
	}

	arn2, err := s.Start(ctx, "redrivable", []byte(redriveDef), nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err = s.Wait(ctx, arn2)
	if err != nil || e.Status != asl.StatusFailed || e.FailedState != "F" || e.Error != "Flaky" {
		t.Fatalf("%v %+v", err, e)
	}
	n := len(e.Events)
	if err := s.Redrive(ctx, arn2); err != nil {
		t.Fatal(err)
	}
	e, err = s.Wait(ctx, arn2)
	if err != nil || e.Status != asl.StatusSucceeded || e.RedriveCount != 1 {
		t.Fatalf("%v %s %d", err, e.Status, e.RedriveCount)
	}
	if e.Events[n].Type != "ExecutionRedriven" || e.Events[n+1].Type != "TaskStateEntered" || e.Events[n+1].ID != int64(n+2) {
		t.Errorf("redrive events: %s", eventTypes(e.Events[n:]))
	}
	if string(e.Output) != `{"a":"a"}` {
		t.Errorf("output %s", e.Output)
	}
	if err := s.Redrive(ctx, arn2); err == nil {
		t.Error("redrove a succeeded execution")
	}
	if atomic.LoadInt32(&seen) == 0 {
		t.Error("OnEvent never called")
	}

	// A new service instance on the same lake sees everything.
	s2 := New(lk, res, clk)
	ms, err := s2.Machines(ctx)
	if err != nil || len(ms) != 2 || ms[0].Name != "blocker" || ms[1].Name != "redrivable" {
		t.Fatalf("machines %+v %v", ms, err)
	}
	list, err := s2.Executions(ctx, "redrivable")
	if err != nil || len(list) != 1 || list[0].ARN != arn2 || list[0].Status != asl.StatusSucceeded {
		t.Fatalf("executions %+v %v", list, err)
	}
	hist, err := s2.History(ctx, arn2)
	if err != nil || eventTypes(hist) != eventTypes(e.Events) {
		t.Fatalf("history %v", err)
	}
	if _, err := s2.Describe(ctx, "arn:aws:states:local:000000000000:execution:redrivable:nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown execution: %v", err)
	}
}

func TestStartRefusesInvalidDefinition(t *testing.T) {
	s := New(newLake(t), &blockingResources{}, asl.NewFakeClock(day))
	_, err := s.Start(context.Background(), "bad", []byte(`{"StartAt":"Foo","States":{"Foo":{"Type":"Pass","Next":"Bar"}}}`), nil)
	if err == nil || !strings.Contains(err.Error(), `States.Foo.Next: no state "Bar"`) {
		t.Fatalf("got %v", err)
	}
}

// `flow stop` from another process: a second service on the same lake
// stops an execution the first one runs.
func TestStopFromAnotherProcess(t *testing.T) {
	ctx := context.Background()
	lk := newLake(t)
	res := &blockingResources{started: make(chan struct{})}
	owner := New(lk, res, asl.NewFakeClock(day))
	owner.StopPoll = 5 * time.Millisecond
	defer owner.Close()
	arn, err := owner.Start(ctx, "blocker", []byte(stopDef), nil)
	if err != nil {
		t.Fatal(err)
	}
	<-res.started
	other := New(lk, res, asl.NewFakeClock(day))
	if e, err := other.Stop(ctx, arn); err != nil || e.Status != asl.StatusAborted {
		t.Fatalf("%v", err)
	}
	e, err := owner.Wait(ctx, arn)
	if err != nil || e.Status != asl.StatusAborted {
		t.Fatalf("owner: %v %+v", err, e)
	}
	if e, _ := other.Describe(ctx, arn); e.Status != asl.StatusAborted {
		t.Errorf("record says %s", e.Status)
	}
}

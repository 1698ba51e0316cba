package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
)

// Stop aborts a running execution (ExecutionAborted). For an execution
// the lake shows as RUNNING that another process runs, Stop leaves a stop
// request that process picks up within StopPoll, and marks the record
// ABORTED (which also settles executions whose process died).
func (s *Service) Stop(ctx context.Context, arn string) (*Execution, error) {
	if err := s.lake.CheckWritable("stop an execution"); err != nil {
		return nil, err
	}
	machine, name, err := parseARN(arn)
	if err != nil {
		return nil, err
	}
	arn = ExecutionARN(machine, name)
	s.mu.Lock()
	a := s.running[arn]
	s.mu.Unlock()
	if a != nil {
		a.cancel()
		return s.Wait(ctx, arn)
	}
	e, err := s.Describe(ctx, arn)
	if err != nil {
		return nil, err
	}
	if e.Status != asl.StatusRunning {
		return nil, fmt.Errorf("flows: execution %s is %s, not RUNNING", arn, e.Status)
	}
	// Another process may be running it: leave it a stop request, and mark
	// the record ABORTED for the case that its process has died (a live
	// process overwrites it with its own ABORTED record when it stops).
	if err := s.lake.Store.Put(ctx, stopKey(machine, name), strings.NewReader("stop\n")); err != nil {
		return nil, fmt.Errorf("flows: stop %s: %w", arn, err)
	}
	now := s.clock.Now().UTC()
	var last int64
	if len(e.Events) > 0 {
		last = e.Events[len(e.Events)-1].ID
	}
	e.Events = append(e.Events, asl.Event{ID: last + 1, PreviousEventID: last, Timestamp: now, Type: "ExecutionAborted",
		Cause: "stopped from another process"})
	e.Status, e.StopDate = asl.StatusAborted, now
	if err := s.save(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Service) save(ctx context.Context, e *Execution) error {
	b, err := json.Marshal(e)
	if err == nil {
		err = s.lake.Store.Put(ctx, execKey(e.Machine, e.Name), bytes.NewReader(b))
	}
	if err != nil {
		return fmt.Errorf("flows: save execution %s: %w", e.ARN, err)
	}
	return nil
}

// Redrive restarts a FAILED, TIMED_OUT or ABORTED execution, as Step
// Functions' RedriveExecution does, from the top-level state that did not
// finish, with the input that state had, in the background: an
// ExecutionRedriven event, then the new run's events are appended to the
// same execution. The machine's TimeoutSeconds counts from the redrive.
func (s *Service) Redrive(ctx context.Context, arn string) error {
	e, err := s.Describe(ctx, arn)
	if err != nil {
		return err
	}
	switch e.Status {
	case asl.StatusFailed, asl.StatusTimedOut, asl.StatusAborted:
	default:
		return fmt.Errorf("flows: execution %s is %s; only FAILED, TIMED_OUT or ABORTED executions can be redriven", e.ARN, e.Status)
	}
	if err := s.lake.CheckWritable("redrive an execution"); err != nil {
		return err
	}
	m, err := asl.Parse(e.Definition)
	if err != nil {
		return fmt.Errorf("flows: execution %s: %w", e.ARN, err)
	}
	if e.FailedState == "" { // stopped from another process whose run had died
		e.FailedState, e.FailedInput = unfinished(m, e.Events)
	}
	if e.FailedState == "" {
		return fmt.Errorf("flows: execution %s has no state to redrive from", e.ARN)
	}
	s.mu.Lock()
	if s.running[e.ARN] != nil {
		s.mu.Unlock()
		return fmt.Errorf("flows: execution %s is already running", e.ARN)
	}
	s.mu.Unlock()
	var last int64
	if len(e.Events) > 0 {
		last = e.Events[len(e.Events)-1].ID
	}
	e.RedriveCount++
	e.RedriveDate = s.clock.Now().UTC()
	e.Events = append(e.Events, asl.Event{ID: last + 1, PreviousEventID: last, Timestamp: e.RedriveDate, Type: "ExecutionRedriven", StateName: e.FailedState})
	e.Status, e.Output, e.Error, e.Cause, e.StopDate = asl.StatusRunning, nil, "", "", time.Time{}
	startAt, startInput := e.FailedState, e.FailedInput
	if s.OnEvent != nil {
		s.OnEvent(e.ARN, e.Events[len(e.Events)-1])
	}
	a := s.launch(ctx, e, m, asl.Options{StartAt: startAt, StartInput: startInput, FirstEventID: last + 1})
	return s.persist(ctx, a)
}

// unfinished is the top-level state a history entered last, and the input
// it had: where a redrive restarts when the record names no state ("" when
// the history entered none).
func unfinished(m *asl.Machine, events []asl.Event) (string, json.RawMessage) {
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if _, top := m.States[e.StateName]; top && strings.HasSuffix(e.Type, "StateEntered") {
			return e.StateName, e.Input
		}
	}
	return "", nil
}

// Close stops every execution running in this process and waits for them.
func (s *Service) Close() {
	s.mu.Lock()
	var all []*active
	for _, a := range s.running {
		all = append(all, a)
	}
	s.mu.Unlock()
	for _, a := range all {
		a.cancel()
		<-a.done
	}
}

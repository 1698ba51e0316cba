package cli

import (
	"encoding/json"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/aws/flows/sfn"
)

// The JSON shapes of the flow commands, the same for the local runner and
// Step Functions (--aws) where both know a field. Inputs and outputs are
// the executions' own JSON, as they are.

// machineOut is one state machine of `flow ls`.
type machineOut struct {
	Name string `json:"name"`
	ARN  string `json:"arn"`
	// Registered: shipped with lakeops (local); Type and Created: Step Functions'.
	Registered     bool      `json:"registered"`
	DefinitionHash string    `json:"definition_sha256,omitempty"`
	Type           string    `json:"type,omitempty"`
	Created        time.Time `json:"created,omitzero"`
}

// executionOut is an execution: a line of `flow ls MACHINE`, or `flow
// describe` with input, output, error and Map Runs.
type executionOut struct {
	ARN          string          `json:"execution_arn"`
	Name         string          `json:"name"`
	Machine      string          `json:"machine"`
	Status       string          `json:"status"`
	StartDate    time.Time       `json:"start_date"`
	StopDate     time.Time       `json:"stop_date,omitzero"`
	RedriveCount int             `json:"redrive_count"`
	RedriveDate  time.Time       `json:"redrive_date,omitzero"`
	Input        json.RawMessage `json:"input,omitempty"`
	Output       json.RawMessage `json:"output,omitempty"`
	Error        string          `json:"error,omitempty"`
	Cause        string          `json:"cause,omitempty"`
	FailedState  string          `json:"failed_state,omitempty"`
	MapRuns      []mapRunOut     `json:"map_runs,omitempty"`
}

// flowResult is what run, start and redrive print with --format json when
// the execution has ended.
type flowResult struct {
	ExecutionARN string          `json:"execution_arn"`
	Status       string          `json:"status"`
	Output       json.RawMessage `json:"output"` // null unless it succeeded
	Error        string          `json:"error,omitempty"`
	Cause        string          `json:"cause,omitempty"`
	Events       []eventOut      `json:"events"`
}

// eventOut is one history event.
type eventOut struct {
	ID         int64           `json:"id"`
	PreviousID int64           `json:"previous_event_id"`
	Timestamp  time.Time       `json:"timestamp"`
	Type       string          `json:"type"`
	StateName  string          `json:"state_name,omitempty"`
	Resource   string          `json:"resource,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     json.RawMessage `json:"output,omitempty"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
	Index      *int            `json:"index,omitempty"`  // of a Map iteration
	Length     *int            `json:"length,omitempty"` // a Map's items
	MapRunARN  string          `json:"map_run_arn,omitempty"`
}

// mapRunOut is one run of a distributed Map.
type mapRunOut struct {
	ARN                        string          `json:"map_run_arn"`
	StateName                  string          `json:"state_name,omitempty"`
	Status                     string          `json:"status"`
	StartDate                  time.Time       `json:"start_date"`
	StopDate                   time.Time       `json:"stop_date,omitzero"`
	MaxConcurrency             int             `json:"max_concurrency"`
	ToleratedFailurePercentage float64         `json:"tolerated_failure_percentage"`
	ToleratedFailureCount      int64           `json:"tolerated_failure_count"`
	Items                      mapRunCounts    `json:"item_counts"`
	Executions                 mapRunCounts    `json:"execution_counts"`
	Failures                   []mapRunFailure `json:"failures"`
}

type mapRunCounts struct {
	Pending   int64 `json:"pending"`
	Running   int64 `json:"running"`
	Succeeded int64 `json:"succeeded"`
	Failed    int64 `json:"failed"`
	TimedOut  int64 `json:"timed_out"`
	Aborted   int64 `json:"aborted"`
	Total     int64 `json:"total"`
}

type mapRunFailure struct {
	Index int    `json:"index"`
	Error string `json:"error"`
	Cause string `json:"cause"`
}

// controlOut is what stop (and redrive on Step Functions) print with
// --format json.
type controlOut struct {
	ExecutionARN string    `json:"execution_arn"`
	Status       string    `json:"status"`
	StopDate     time.Time `json:"stop_date,omitzero"`
	RedriveDate  time.Time `json:"redrive_date,omitzero"`
}

func localEvent(e asl.Event) eventOut {
	return eventOut{ID: e.ID, PreviousID: e.PreviousEventID, Timestamp: utc(e.Timestamp), Type: e.Type, StateName: e.StateName,
		Resource: e.Resource, Input: e.Input, Output: e.Output, Parameters: e.Parameters, Error: e.Error, Cause: e.Cause,
		Index: e.Index, Length: e.Length, MapRunARN: e.MapRunARN}
}

func localEvents(evs []asl.Event) []eventOut {
	out := make([]eventOut, len(evs))
	for i, e := range evs {
		out[i] = localEvent(e)
	}
	return out
}

func localExecution(e *local.Execution) executionOut {
	out := executionOut{ARN: e.ARN, Name: e.Name, Machine: e.Machine, Status: e.Status, StartDate: utc(e.StartDate),
		StopDate: utc(e.StopDate), RedriveCount: e.RedriveCount, RedriveDate: utc(e.RedriveDate), Input: e.Input, Output: e.Output,
		Error: e.Error, Cause: e.Cause, FailedState: e.FailedState}
	for _, r := range e.MapRuns {
		out.MapRuns = append(out.MapRuns, localMapRunOut(r))
	}
	return out
}

func localMapRunOut(r asl.MapRun) mapRunOut {
	counts := func(c asl.MapRunCounts) mapRunCounts {
		return mapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed, TimedOut: c.TimedOut,
			Aborted: c.Aborted, Total: c.Total}
	}
	out := mapRunOut{ARN: r.ARN, StateName: r.StateName, Status: r.Status, StartDate: utc(r.StartDate), StopDate: utc(r.StopDate),
		MaxConcurrency: r.MaxConcurrency, ToleratedFailurePercentage: r.ToleratedFailurePercentage,
		ToleratedFailureCount: r.ToleratedFailureCount, Items: counts(r.Items), Executions: counts(r.Executions),
		Failures: []mapRunFailure{}}
	for _, f := range r.Failures {
		out.Failures = append(out.Failures, mapRunFailure(f))
	}
	return out
}

func localResult(e *local.Execution) flowResult {
	res := flowResult{ExecutionARN: e.ARN, Status: e.Status, Output: e.Output, Events: localEvents(e.Events)}
	if e.Status != asl.StatusSucceeded {
		res.Error, res.Cause = e.Error, e.Cause
	}
	if res.Output == nil {
		res.Output = json.RawMessage("null")
	}
	return res
}

// rawJSON is a Step Functions JSON string as JSON: as it is when valid, a
// JSON string otherwise, nothing when empty.
func rawJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func awsEvent(e sfn.Event) eventOut {
	out := eventOut{ID: e.ID, PreviousID: e.PreviousID, Timestamp: utc(e.Timestamp), Type: e.Type, StateName: e.StateName,
		Resource: e.Resource, Input: rawJSON(e.Input), Output: rawJSON(e.Output), Error: e.Error, Cause: e.Cause, MapRunARN: e.MapRunARN}
	if e.MapIndex >= 0 && e.Type != "MapStateStarted" {
		i := e.MapIndex
		out.Index = &i
	}
	if e.Type == "MapStateStarted" {
		n := e.MapLength
		out.Length = &n
	}
	return out
}

func awsExecution(e sfn.Execution) executionOut {
	return executionOut{ARN: e.ARN, Name: e.Name, Machine: e.MachineARN, Status: e.Status, StartDate: utc(e.Start),
		StopDate: utc(e.Stop), RedriveCount: e.RedriveCount, RedriveDate: utc(e.RedriveDate), Input: rawJSON(e.Input), Output: rawJSON(e.Output),
		Error: e.Error, Cause: e.Cause}
}

func awsMapRunOut(r sfn.MapRun) mapRunOut {
	counts := func(c sfn.MapRunCounts) mapRunCounts {
		return mapRunCounts{Pending: c.Pending, Running: c.Running, Succeeded: c.Succeeded, Failed: c.Failed, TimedOut: c.TimedOut,
			Aborted: c.Aborted, Total: c.Total}
	}
	return mapRunOut{ARN: r.ARN, Status: r.Status, StartDate: utc(r.Start), StopDate: utc(r.Stop), MaxConcurrency: r.MaxConcurrency,
		ToleratedFailurePercentage: r.ToleratedFailurePercentage, ToleratedFailureCount: r.ToleratedFailureCount,
		Items: counts(r.Items), Executions: counts(r.Executions), Failures: []mapRunFailure{}}
}

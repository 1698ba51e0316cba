package sfn

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Event is one history event of an execution, flattened: the fields that the
// event's *EventDetails carry are copied into the matching fields here, and
// the others stay empty.
type Event struct {
	ID         int64
	PreviousID int64
	// Type is the event type exactly as Step Functions names it, e.g.
	// "ExecutionStarted", "TaskStateEntered", "TaskSucceeded",
	// "MapIterationFailed", "ExecutionRedriven".
	Type      string
	Timestamp time.Time // UTC

	// StateName is the state the event is about: the name in the event's
	// details (state entered/exited, Map iteration, evaluation failure), or,
	// for task, Lambda, activity and Map run events and ParallelStateStarted
	// and MapStateStarted, whose details name no state, the state whose
	// *StateEntered event is reached by following PreviousID through such
	// events. Otherwise empty: execution events, and events such as
	// ParallelStateFailed or MapStateSucceeded that follow the last event of
	// a branch rather than their own state's events.
	StateName string

	Input  string // JSON: state or execution input, task parameters, Lambda or activity input
	Output string // JSON: state, task, Lambda, activity or execution output
	Error  string
	Cause  string

	// Resource is the task's resource as Step Functions reports it: for
	// service integrations the API action ("startJobRun.sync") with
	// ResourceType the service ("glue"); for Lambda and activity events the
	// function's or activity's ARN with ResourceType empty.
	Resource     string
	ResourceType string

	MapIndex     int    // index of the iteration for MapIteration* events; -1 otherwise
	MapLength    int    // item count for MapStateStarted
	MapRunARN    string // MapRunStarted, MapRunRedriven
	RedriveCount int    // ExecutionRedriven, MapRunRedriven
}

// History streams an execution's history to fn, oldest event first, reading
// GetExecutionHistory page by page. It stops at the first error: a failed
// call is returned as an *Error; an error returned by fn is returned as it is.
func (c *Client) History(ctx context.Context, executionARN string, fn func(Event) error) error {
	p := sfn.NewGetExecutionHistoryPaginator(c.api, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(executionARN),
		MaxResults:   c.opts.PageSize,
	})
	// owner maps the id of an event inside a state (its *StateEntered event
	// and the unnamed events that follow it) to the state's name.
	owner := make(map[int64]string)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return c.wrap("GetExecutionHistory", executionARN, err)
		}
		for i := range page.Events {
			ev := toEvent(&page.Events[i])
			switch {
			case strings.HasSuffix(ev.Type, "StateEntered"):
				owner[ev.ID] = ev.StateName
			case ev.StateName == "" && insideState(ev.Type):
				if name, ok := owner[ev.PreviousID]; ok {
					ev.StateName = name
					owner[ev.ID] = name
				}
			}
			if err := fn(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// insideState reports whether an event of type typ, when it follows an event
// of some state, belongs to that same state: task, Lambda, activity and Map
// run events, and the start of a Parallel or Map state. (The end of a
// Parallel or Map state follows the last event of one of its branches, so it
// does not qualify.)
func insideState(typ string) bool {
	for _, p := range []string{"Task", "LambdaFunction", "Activity", "MapRun"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return typ == "ParallelStateStarted" || typ == "MapStateStarted"
}

// toEvent flattens one HistoryEvent.
func toEvent(h *types.HistoryEvent) Event {
	e := Event{
		ID:         h.Id,
		PreviousID: h.PreviousEventId,
		Type:       string(h.Type),
		Timestamp:  toTime(h.Timestamp),
		MapIndex:   -1,
	}
	s := aws.ToString
	failure := func(errName, cause *string) { e.Error, e.Cause = s(errName), s(cause) }
	task := func(resource, resourceType *string) { e.Resource, e.ResourceType = s(resource), s(resourceType) }

	switch {
	// Execution.
	case h.ExecutionStartedEventDetails != nil:
		e.Input = s(h.ExecutionStartedEventDetails.Input)
	case h.ExecutionSucceededEventDetails != nil:
		e.Output = s(h.ExecutionSucceededEventDetails.Output)
	case h.ExecutionFailedEventDetails != nil:
		failure(h.ExecutionFailedEventDetails.Error, h.ExecutionFailedEventDetails.Cause)
	case h.ExecutionAbortedEventDetails != nil:
		failure(h.ExecutionAbortedEventDetails.Error, h.ExecutionAbortedEventDetails.Cause)
	case h.ExecutionTimedOutEventDetails != nil:
		failure(h.ExecutionTimedOutEventDetails.Error, h.ExecutionTimedOutEventDetails.Cause)
	case h.ExecutionRedrivenEventDetails != nil:
		e.RedriveCount = int(aws.ToInt32(h.ExecutionRedrivenEventDetails.RedriveCount))

	// States.
	case h.StateEnteredEventDetails != nil:
		e.StateName, e.Input = s(h.StateEnteredEventDetails.Name), s(h.StateEnteredEventDetails.Input)
	case h.StateExitedEventDetails != nil:
		e.StateName, e.Output = s(h.StateExitedEventDetails.Name), s(h.StateExitedEventDetails.Output)
	case h.EvaluationFailedEventDetails != nil:
		d := h.EvaluationFailedEventDetails
		e.StateName = s(d.State)
		failure(d.Error, d.Cause)

	// Tasks (service integrations).
	case h.TaskScheduledEventDetails != nil:
		d := h.TaskScheduledEventDetails
		task(d.Resource, d.ResourceType)
		e.Input = s(d.Parameters)
	case h.TaskStartedEventDetails != nil:
		task(h.TaskStartedEventDetails.Resource, h.TaskStartedEventDetails.ResourceType)
	case h.TaskSubmittedEventDetails != nil:
		d := h.TaskSubmittedEventDetails
		task(d.Resource, d.ResourceType)
		e.Output = s(d.Output)
	case h.TaskSucceededEventDetails != nil:
		d := h.TaskSucceededEventDetails
		task(d.Resource, d.ResourceType)
		e.Output = s(d.Output)
	case h.TaskFailedEventDetails != nil:
		d := h.TaskFailedEventDetails
		task(d.Resource, d.ResourceType)
		failure(d.Error, d.Cause)
	case h.TaskStartFailedEventDetails != nil:
		d := h.TaskStartFailedEventDetails
		task(d.Resource, d.ResourceType)
		failure(d.Error, d.Cause)
	case h.TaskSubmitFailedEventDetails != nil:
		d := h.TaskSubmitFailedEventDetails
		task(d.Resource, d.ResourceType)
		failure(d.Error, d.Cause)
	case h.TaskTimedOutEventDetails != nil:
		d := h.TaskTimedOutEventDetails
		task(d.Resource, d.ResourceType)
		failure(d.Error, d.Cause)

	// Lambda functions (the legacy lambda ARN resource).
	case h.LambdaFunctionScheduledEventDetails != nil:
		d := h.LambdaFunctionScheduledEventDetails
		e.Resource, e.Input = s(d.Resource), s(d.Input)
	case h.LambdaFunctionSucceededEventDetails != nil:
		e.Output = s(h.LambdaFunctionSucceededEventDetails.Output)
	case h.LambdaFunctionFailedEventDetails != nil:
		failure(h.LambdaFunctionFailedEventDetails.Error, h.LambdaFunctionFailedEventDetails.Cause)
	case h.LambdaFunctionScheduleFailedEventDetails != nil:
		failure(h.LambdaFunctionScheduleFailedEventDetails.Error, h.LambdaFunctionScheduleFailedEventDetails.Cause)
	case h.LambdaFunctionStartFailedEventDetails != nil:
		failure(h.LambdaFunctionStartFailedEventDetails.Error, h.LambdaFunctionStartFailedEventDetails.Cause)
	case h.LambdaFunctionTimedOutEventDetails != nil:
		failure(h.LambdaFunctionTimedOutEventDetails.Error, h.LambdaFunctionTimedOutEventDetails.Cause)

	// Activities.
	case h.ActivityScheduledEventDetails != nil:
		d := h.ActivityScheduledEventDetails
		e.Resource, e.Input = s(d.Resource), s(d.Input)
	case h.ActivitySucceededEventDetails != nil:
		e.Output = s(h.ActivitySucceededEventDetails.Output)
	case h.ActivityFailedEventDetails != nil:
		failure(h.ActivityFailedEventDetails.Error, h.ActivityFailedEventDetails.Cause)
	case h.ActivityScheduleFailedEventDetails != nil:
		failure(h.ActivityScheduleFailedEventDetails.Error, h.ActivityScheduleFailedEventDetails.Cause)
	case h.ActivityTimedOutEventDetails != nil:
		failure(h.ActivityTimedOutEventDetails.Error, h.ActivityTimedOutEventDetails.Cause)

	// Map state, its iterations and distributed map runs.
	case h.MapStateStartedEventDetails != nil:
		e.MapLength = int(h.MapStateStartedEventDetails.Length)
	case h.MapIterationStartedEventDetails != nil:
		e.StateName, e.MapIndex = s(h.MapIterationStartedEventDetails.Name), int(h.MapIterationStartedEventDetails.Index)
	case h.MapIterationSucceededEventDetails != nil:
		e.StateName, e.MapIndex = s(h.MapIterationSucceededEventDetails.Name), int(h.MapIterationSucceededEventDetails.Index)
	case h.MapIterationFailedEventDetails != nil:
		e.StateName, e.MapIndex = s(h.MapIterationFailedEventDetails.Name), int(h.MapIterationFailedEventDetails.Index)
	case h.MapIterationAbortedEventDetails != nil:
		e.StateName, e.MapIndex = s(h.MapIterationAbortedEventDetails.Name), int(h.MapIterationAbortedEventDetails.Index)
	case h.MapRunStartedEventDetails != nil:
		e.MapRunARN = s(h.MapRunStartedEventDetails.MapRunArn)
	case h.MapRunFailedEventDetails != nil:
		failure(h.MapRunFailedEventDetails.Error, h.MapRunFailedEventDetails.Cause)
	case h.MapRunRedrivenEventDetails != nil:
		d := h.MapRunRedrivenEventDetails
		e.MapRunARN, e.RedriveCount = s(d.MapRunArn), int(aws.ToInt32(d.RedriveCount))
	}
	return e
}

package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lakeops/lakeops/aws/flows/sfn"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/views/flows"
)

// awsFlows adapts the Step Functions client to the Flows view's Service.
type awsFlows struct {
	c *sfn.Client
	// readOnly refuses start, stop and redrive.
	readOnly func(action string) error
	// ops gives the default input of the start editor (the lake's new raw files).
	ops *ops.Ops
	// stackMachine is the state machine of --stack's stack: listed first
	// (and listed even when the account's list leaves it out).
	stackMachine flows.Machine
}

func (a *awsFlows) Name() string { return "aws" }

func (a *awsFlows) Machines(ctx context.Context) ([]flows.Machine, error) {
	ms, err := a.c.ListStateMachines(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Machine, 0, len(ms)+1)
	if a.stackMachine.ID != "" {
		out = append(out, a.stackMachine)
	}
	for _, m := range ms {
		if m.ARN != a.stackMachine.ID {
			out = append(out, flows.Machine{ID: m.ARN, Name: m.Name})
		}
	}
	return out, nil
}

func (a *awsFlows) Definition(ctx context.Context, machineID string) ([]byte, error) {
	d, err := a.c.DescribeStateMachine(ctx, machineID)
	if err != nil {
		return nil, err
	}
	return []byte(d.Definition), nil
}

func (a *awsFlows) Executions(ctx context.Context, machineID string) ([]flows.Execution, error) {
	es, err := a.c.ListExecutions(ctx, machineID, "")
	if err != nil {
		return nil, err
	}
	out := make([]flows.Execution, len(es))
	for i, e := range es {
		out[i] = execution(e)
	}
	return out, nil
}

func execution(e sfn.Execution) flows.Execution {
	return flows.Execution{ID: e.ARN, Name: e.Name, MachineID: e.MachineARN, Status: e.Status, Start: e.Start,
		Stop: e.Stop, Input: e.Input, Output: e.Output, Error: e.Error, Cause: e.Cause}
}

func (a *awsFlows) Describe(ctx context.Context, execID string) (flows.Execution, error) {
	e, err := a.c.Describe(ctx, execID)
	if err != nil {
		return flows.Execution{}, err
	}
	out := execution(e)
	runs, err := a.c.MapRuns(ctx, execID) // a distributed Map's progress
	if err != nil {
		return out, fmt.Errorf("map runs of %s: %w", execID, err)
	}
	for _, r := range runs {
		out.MapRuns = append(out.MapRuns, awsMapRun(r))
	}
	return out, nil
}

// awsMapRun is a Step Functions Map Run as the Flows view shows it; its
// state is the label its state machine ARN ends with (machine/label).
func awsMapRun(r sfn.MapRun) flows.MapRun {
	label := r.StateMachineARN
	if i := strings.LastIndexByte(label, '/'); i >= 0 {
		label = label[i+1:]
	}
	return flows.MapRun{ID: r.ARN, State: label, Status: r.Status, MaxConcurrency: r.MaxConcurrency,
		Total: r.Items.Total, Pending: r.Items.Pending, Running: r.Items.Running, Succeeded: r.Items.Succeeded,
		Failed: r.Items.Failed + r.Items.TimedOut, Aborted: r.Items.Aborted,
		Executions: flows.MapRunCounts{Total: r.Executions.Total, Pending: r.Executions.Pending, Running: r.Executions.Running,
			Succeeded: r.Executions.Succeeded, Failed: r.Executions.Failed + r.Executions.TimedOut, Aborted: r.Executions.Aborted}}
}

func (a *awsFlows) History(ctx context.Context, execID string) ([]flows.Event, error) {
	var out []flows.Event
	err := a.c.History(ctx, execID, func(e sfn.Event) error {
		out = append(out, flows.Event{ID: e.ID, PreviousID: e.PreviousID, Type: e.Type, Time: e.Timestamp,
			State: e.StateName, Input: e.Input, Output: e.Output, Error: e.Error, Cause: e.Cause})
		return nil
	})
	return out, err
}

func (a *awsFlows) Start(ctx context.Context, machineID, input string) (string, error) {
	if err := a.readOnly("start an execution"); err != nil {
		return "", err
	}
	arn, _, err := a.c.Start(ctx, machineID, "", input)
	return arn, err
}

func (a *awsFlows) Stop(ctx context.Context, execID string) error {
	if err := a.readOnly("stop an execution"); err != nil {
		return err
	}
	_, err := a.c.Stop(ctx, execID, "lakeops.Stopped", "stopped from the lakeops console")
	return err
}

func (a *awsFlows) Redrive(ctx context.Context, execID string) error {
	if err := a.readOnly("redrive an execution"); err != nil {
		return err
	}
	_, err := a.c.Redrive(ctx, execID)
	return err
}

func (a *awsFlows) DefaultInput(ctx context.Context, machineID string) (string, error) {
	return a.ops.NewFilesInput(ctx)
}

// Preview says what an execution would do with input, on the console's
// lake (previewStart).
func (a *awsFlows) Preview(ctx context.Context, machineID, input string) (flows.StartPreview, error) {
	def, err := a.Definition(ctx, machineID)
	if err != nil {
		return flows.StartPreview{}, err
	}
	return previewStart(ctx, a.ops, def, input, time.Now())
}

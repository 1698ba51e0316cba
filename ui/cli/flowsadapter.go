package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/views/flows"
)

// flowPoll is how often the Flows view reloads a running execution of a
// service that cannot push its events (Step Functions).
const flowPoll = time.Second

// localFlows adapts the local runner to the Flows view's Service.
type localFlows struct {
	lake *lake.Lake
	svc  *local.Service
	ops  *ops.Ops
}

func (f *localFlows) Name() string { return "local" }

func (f *localFlows) Machines(ctx context.Context) ([]flows.Machine, error) {
	ms, err := f.svc.Machines(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Machine, len(ms))
	for i, m := range ms {
		out[i] = flows.Machine{ID: m.Name, Name: m.Name}
	}
	return out, nil
}

func (f *localFlows) Definition(ctx context.Context, machineID string) ([]byte, error) {
	if def, ok := definitions.All()[machineID]; ok {
		return def, nil
	}
	// A machine known only from executions in the lake: take the newest one's definition.
	sums, err := f.svc.Executions(ctx, machineID)
	if err != nil || len(sums) == 0 {
		return nil, fmt.Errorf("flows: no definition for %s", machineID)
	}
	e, err := f.svc.Describe(ctx, sums[0].ARN)
	if err != nil {
		return nil, err
	}
	return e.Definition, nil
}

func (f *localFlows) Executions(ctx context.Context, machineID string) ([]flows.Execution, error) {
	sums, err := f.svc.Executions(ctx, machineID)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Execution, len(sums))
	for i, s := range sums {
		out[i] = flows.Execution{ID: s.ARN, Name: s.Name, MachineID: s.Machine, Status: s.Status, Start: s.StartDate, Stop: s.StopDate}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, nil
}

func (f *localFlows) Describe(ctx context.Context, execID string) (flows.Execution, error) {
	e, err := f.svc.Describe(ctx, execID)
	if err != nil {
		return flows.Execution{}, err
	}
	out := flows.Execution{ID: e.ARN, Name: e.Name, MachineID: e.Machine, Status: e.Status, Start: e.StartDate,
		Stop: e.StopDate, Input: string(e.Input), Output: string(e.Output), Error: e.Error, Cause: e.Cause}
	for _, mr := range e.MapRuns {
		out.MapRuns = append(out.MapRuns, localMapRun(mr))
	}
	return out, nil
}

// localMapRun is a local runner's Map Run as the Flows view shows it.
func localMapRun(r asl.MapRun) flows.MapRun {
	out := flows.MapRun{ID: r.ARN, State: r.StateName, Status: r.Status, MaxConcurrency: r.MaxConcurrency,
		Total: r.Items.Total, Pending: r.Items.Pending, Running: r.Items.Running, Succeeded: r.Items.Succeeded,
		Failed: r.Items.Failed + r.Items.TimedOut, Aborted: r.Items.Aborted,
		Executions: flows.MapRunCounts{Total: r.Executions.Total, Pending: r.Executions.Pending, Running: r.Executions.Running,
			Succeeded: r.Executions.Succeeded, Failed: r.Executions.Failed + r.Executions.TimedOut, Aborted: r.Executions.Aborted}, Error: r.Error}
	if out.Error == "" && len(r.Failures) > 0 {
		out.Error = r.Failures[0].Error
		if c := r.Failures[0].Cause; c != "" {
			out.Error += ": " + c
		}
	}
	return out
}

func (f *localFlows) History(ctx context.Context, execID string) ([]flows.Event, error) {
	evs, err := f.svc.History(ctx, execID)
	if err != nil {
		return nil, err
	}
	out := make([]flows.Event, len(evs))
	for i, e := range evs {
		out[i] = flowEvent(e)
	}
	return out, nil
}

// flowEvent is a runner's event as the Flows view shows it.
func flowEvent(e asl.Event) flows.Event {
	return flows.Event{ID: e.ID, PreviousID: e.PreviousEventID, Type: e.Type, Time: e.Timestamp, State: e.StateName,
		Input: string(e.Input), Output: string(e.Output), Error: e.Error, Cause: e.Cause}
}

func (f *localFlows) Start(ctx context.Context, machineID, input string) (string, error) {
	if err := f.lake.CheckWritable("start an execution"); err != nil {
		return "", err
	}
	// The execution runs on after the command that started it returns.
	return f.svc.Start(context.WithoutCancel(ctx), machineID, nil, json.RawMessage(input))
}

func (f *localFlows) Stop(ctx context.Context, execID string) error {
	if err := f.lake.CheckWritable("stop an execution"); err != nil {
		return err
	}
	_, err := f.svc.Stop(ctx, execID)
	return err
}

func (f *localFlows) Redrive(ctx context.Context, execID string) error {
	if err := f.lake.CheckWritable("redrive an execution"); err != nil {
		return err
	}
	return f.svc.Redrive(context.WithoutCancel(ctx), execID)
}

// DefaultInput is the new raw files, as {"files": [...]}: what an
// execution would load.
func (f *localFlows) DefaultInput(ctx context.Context, machineID string) (string, error) {
	return f.ops.NewFilesInput(ctx)
}

// Preview says what an execution would do with input (previewStart).
func (f *localFlows) Preview(ctx context.Context, machineID, input string) (flows.StartPreview, error) {
	def, err := f.Definition(ctx, machineID)
	if err != nil {
		return flows.StartPreview{}, err
	}
	return previewStart(ctx, f.ops, def, input, time.Now())
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/flows/asl"
	"github.com/lakeops/lakeops/aws/flows/definitions"
	"github.com/lakeops/lakeops/aws/flows/local"
	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/ui"
	flowsview "github.com/lakeops/lakeops/views/flows"
)

// consoleWaitScale shortens Wait states in the console (the lab's machine
// waits 35 s for its crawler; the local crawler is ready at once).
const consoleWaitScale = 0.1

// localFlows adapts the local runner to the Flows view's Service.
type localFlows struct {
	lake *lake.Lake
	svc  *local.Service
}

// newLocalFlows starts the local flows service with the project's and the
// lab's state machines registered.
func newLocalFlows(lk *lake.Lake, events chan<- tea.Msg) (*localFlows, error) {
	clock := asl.RealClock{Scale: consoleWaitScale}
	res := local.NewLakeResources(lk, clock)
	send := func(msg tea.Msg) {
		select { // never block a running execution on the screen
		case events <- msg:
		default:
		}
	}
	// SNS publishes become notifications on screen; every recorded event
	// tells the Flows view to refresh.
	res.Notify = func(n local.Notification) {
		text := n.Message
		if n.Subject != "" {
			text = n.Subject + ": " + text
		}
		send(ui.Notify{Text: "SNS · " + text, Error: n.Error != ""})
	}
	svc := local.New(lk, res, clock)
	svc.OnEvent = func(string, asl.Event) { send(flowsview.Changed{}) }
	for name, def := range definitions.All() {
		if err := svc.Register(name, def); err != nil {
			return nil, err
		}
	}
	return &localFlows{lake: lk, svc: svc}, nil
}

func (f *localFlows) Close() { f.svc.Close() }

func (f *localFlows) Name() string { return "local" }

func (f *localFlows) Machines(ctx context.Context) ([]flowsview.Machine, error) {
	ms, err := f.svc.Machines(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]flowsview.Machine, len(ms))
	for i, m := range ms {
		out[i] = flowsview.Machine{ID: m.Name, Name: m.Name}
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

func (f *localFlows) Executions(ctx context.Context, machineID string) ([]flowsview.Execution, error) {
	sums, err := f.svc.Executions(ctx, machineID)
	if err != nil {
		return nil, err
	}
	out := make([]flowsview.Execution, len(sums))
	for i, s := range sums {
		out[i] = flowsview.Execution{ID: s.ARN, Name: s.Name, MachineID: s.Machine, Status: s.Status, Start: s.StartDate, Stop: s.StopDate}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, nil
}

func (f *localFlows) Describe(ctx context.Context, execID string) (flowsview.Execution, error) {
	e, err := f.svc.Describe(ctx, execID)
	if err != nil {
		return flowsview.Execution{}, err
	}
	return flowsview.Execution{ID: e.ARN, Name: e.Name, MachineID: e.Machine, Status: e.Status, Start: e.StartDate,
		Stop: e.StopDate, Input: string(e.Input), Output: string(e.Output), Error: e.Error, Cause: e.Cause}, nil
}

func (f *localFlows) History(ctx context.Context, execID string) ([]flowsview.Event, error) {
	evs, err := f.svc.History(ctx, execID)
	if err != nil {
		return nil, err
	}
	out := make([]flowsview.Event, len(evs))
	for i, e := range evs {
		out[i] = flowsview.Event{ID: e.ID, PreviousID: e.PreviousEventID, Type: e.Type, Time: e.Timestamp, State: e.StateName,
			Input: string(e.Input), Output: string(e.Output), Error: e.Error, Cause: e.Cause}
	}
	return out, nil
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

// DefaultInput lists the raw files the ingest log has not seen, as
// {"files": [...]} — what an execution would load.
func (f *localFlows) DefaultInput(ctx context.Context, machineID string) (string, error) {
	entries, err := ledger.Open(f.lake).Entries(ctx)
	if err != nil {
		return "", err
	}
	files := []string{}
	for info, err := range f.lake.Store.List(ctx, f.lake.Layout.Bronze, storage.ListOptions{}) {
		if err != nil {
			return "", err
		}
		if !dataset.IsRawFile(info.Key) {
			continue
		}
		if !ledger.Ingested(entries, ledger.Identity{Key: info.Key, Size: info.Size, ETag: info.ETag, ModTime: info.ModTime}) {
			files = append(files, info.Key)
		}
	}
	b, err := json.Marshal(map[string][]string{"files": files})
	return string(b), err
}

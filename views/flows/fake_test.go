package flows

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// seedPath is the seed's state machine walked by the fake, state by state
// (the Parallel state counts as one step).
func seedPath() []string {
	return []string{"Glue StartJobRun", "StartCrawler", "WaitForCrawler", "CheckCrawlerStatus",
		"IsCrawlingComplete", "Parallel", "Archive Files", "Succeed Message"}
}

// seedType is the event-name prefix of a seed state.
func seedType(state string) string {
	switch state {
	case "WaitForCrawler":
		return "Wait"
	case "IsCrawlingComplete":
		return "Choice"
	case "Parallel":
		return "Parallel"
	}
	return "Task"
}

type startCall struct{ machine, input string }

// fakeExec is an execution and its history; step is the index in seedPath
// of the state running (len(seedPath()) when done).
type fakeExec struct {
	e      Execution
	events []Event
	step   int
}

// fakeService answers from memory; it is safe for concurrent use (the
// teatest test runs commands in goroutines).
type fakeService struct {
	mu        sync.Mutex
	name      string
	machines  []Machine
	def       []byte
	execs     []*fakeExec // newest first
	input     string
	inputErr  error
	startErr  error
	defErr    error
	starts    []startCall
	previews  []startCall
	stops     []string
	redrives  []string
	histCalls int
	t0        time.Time
	n         int
}

func seedDef(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/seed.json")
	if err != nil {
		t.Fatalf("read the seed: %v", err)
	}
	return b
}

func newFakeService(t testing.TB) *fakeService {
	return &fakeService{name: "local", def: seedDef(t),
		machines: []Machine{{ID: "arn:aws:states:local:machine:lakehouse", Name: "lakehouse"},
			{ID: "arn:aws:states:local:machine:other", Name: "other"}},
		input: `{"files":["bronze_layer/orders/orders_2025-01-01.csv","bronze_layer/products/products.csv"]}`,
		t0:    time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
}

func (f *fakeService) Name() string { return f.name }

func (f *fakeService) Machines(context.Context) ([]Machine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.machines), nil
}

func (f *fakeService) Definition(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.defErr != nil {
		return nil, f.defErr
	}
	for _, m := range f.machines {
		if m.ID == id {
			return slices.Clone(f.def), nil
		}
	}
	return nil, fmt.Errorf("no machine %s", id)
}

func (f *fakeService) Executions(_ context.Context, id string) ([]Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Execution
	for _, x := range f.execs {
		if x.e.MachineID == id {
			out = append(out, x.e)
		}
	}
	return out, nil
}

func (f *fakeService) find(id string) *fakeExec {
	for _, x := range f.execs {
		if x.e.ID == id {
			return x
		}
	}
	return nil
}

func (f *fakeService) Describe(_ context.Context, id string) (Execution, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if x := f.find(id); x != nil {
		return x.e, nil
	}
	return Execution{}, fmt.Errorf("no execution %s", id)
}

func (f *fakeService) History(_ context.Context, id string) ([]Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.histCalls++
	if x := f.find(id); x != nil {
		return slices.Clone(x.events), nil
	}
	return nil, fmt.Errorf("no execution %s", id)
}

// Preview says the fake's input files would load and be archived.
func (f *fakeService) Preview(_ context.Context, machine, input string) (StartPreview, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.previews = append(f.previews, startCall{machine: machine, input: input})
	return StartPreview{Lines: []string{"loads 2 files", "then Archive Files moves each file whose load succeeded to archive/2026/11/25/"},
		Files: []PreviewFile{{Name: "bronze_layer/orders/orders_2025-01-01.csv", Dataset: "orders", Status: "new", Size: 1234567}}}, nil
}

func (f *fakeService) DefaultInput(context.Context, string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.input, f.inputErr
}

func (f *fakeService) Start(_ context.Context, machine, input string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, startCall{machine, input})
	if f.startErr != nil {
		return "", f.startErr
	}
	x := f.addLocked(machine, input)
	return x.e.ID, nil
}

// addLocked adds a running execution that entered the first state.
func (f *fakeService) addLocked(machine, input string) *fakeExec {
	f.n++
	at := f.t0.Add(time.Duration(f.n) * time.Minute)
	x := &fakeExec{e: Execution{ID: fmt.Sprintf("exec-%d", f.n), Name: fmt.Sprintf("run-%d", f.n), MachineID: machine,
		Status: StatusRunning, Start: at, Input: input}}
	x.event(Event{Type: "ExecutionStarted", Input: input}, at)
	x.enter(seedPath()[0], at)
	f.execs = append([]*fakeExec{x}, f.execs...)
	return x
}

func (x *fakeExec) event(e Event, at time.Time) {
	e.ID = int64(len(x.events) + 1)
	e.PreviousID = e.ID - 1
	e.Time = at
	x.events = append(x.events, e)
}

func (x *fakeExec) enter(state string, at time.Time) {
	x.event(Event{Type: seedType(state) + "StateEntered", State: state, Input: fmt.Sprintf(`{"at":%q}`, state)}, at)
}

func (x *fakeExec) exit(state string, at time.Time) {
	x.event(Event{Type: seedType(state) + "StateExited", State: state, Output: fmt.Sprintf(`{"done":%q,"rows":42}`, state)}, at)
}

// advance finishes the running state of an execution and enters the next
// one (or ends the execution after the last).
func (f *fakeService) advance(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x := f.find(id)
	if x == nil || x.e.Status != StatusRunning {
		return
	}
	at := x.e.Start.Add(time.Duration(len(x.events)) * time.Second)
	x.exit(seedPath()[x.step], at)
	x.step++
	if x.step == len(seedPath()) {
		x.event(Event{Type: "ExecutionSucceeded", Output: `{"ok":true}`}, at)
		x.e.Status, x.e.Stop, x.e.Output = StatusSucceeded, at, `{"ok":true}`
		return
	}
	x.enter(seedPath()[x.step], at)
}

// fail fails the running state of an execution, and the execution.
func (f *fakeService) fail(id, errName, cause string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x := f.find(id)
	at := x.e.Start.Add(time.Duration(len(x.events)) * time.Second)
	x.event(Event{Type: "TaskFailed", State: seedPath()[x.step], Error: errName, Cause: cause}, at)
	x.event(Event{Type: "ExecutionFailed", Error: errName, Cause: cause}, at)
	x.e.Status, x.e.Stop, x.e.Error, x.e.Cause = StatusFailed, at, errName, cause
}

// timeOut ends an execution with its running state timed out.
func (f *fakeService) timeOut(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x := f.find(id)
	at := x.e.Start.Add(time.Duration(len(x.events)) * time.Second)
	x.event(Event{Type: "ExecutionTimedOut", Error: "States.Timeout"}, at)
	x.e.Status, x.e.Stop, x.e.Error = StatusTimedOut, at, "States.Timeout"
}

func (f *fakeService) Stop(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stops = append(f.stops, id)
	x := f.find(id)
	if x == nil || x.e.Status != StatusRunning {
		return errors.New("ExecutionDoesNotExist: not running")
	}
	at := x.e.Start.Add(time.Hour)
	x.event(Event{Type: "ExecutionAborted", Error: "States.Aborted"}, at)
	x.e.Status, x.e.Stop = StatusAborted, at
	return nil
}

func (f *fakeService) Redrive(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.redrives = append(f.redrives, id)
	x := f.find(id)
	if x == nil || !slices.Contains([]string{StatusFailed, StatusAborted, StatusTimedOut}, x.e.Status) {
		return errors.New("ExecutionNotRedrivable")
	}
	at := x.e.Stop.Add(time.Second)
	x.event(Event{Type: "ExecutionRedriven"}, at)
	x.enter(seedPath()[x.step], at)
	x.e.Status, x.e.Stop, x.e.Error, x.e.Cause = StatusRunning, time.Time{}, "", ""
	return nil
}

// calls returns copies of the recorded calls.
func (f *fakeService) calls() (starts []startCall, stops, redrives []string, hist int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.starts), slices.Clone(f.stops), slices.Clone(f.redrives), f.histCalls
}

// add adds a running execution of the first machine; steps advances it.
func (f *fakeService) add(steps int) string {
	f.mu.Lock()
	x := f.addLocked(f.machines[0].ID, "{}")
	f.mu.Unlock()
	for range steps {
		f.advance(x.e.ID)
	}
	return x.e.ID
}

// ticks records the refresh ticks a view asks for instead of sleeping.
type ticks struct{ n int }

func (tk *ticks) tick(time.Duration, func(time.Time) tea.Msg) tea.Cmd {
	tk.n++
	return nil
}

// Package flows is the Flows view: the state
// machines of the flows service — AWS Step Functions, or the local runner
// of the same Amazon States Language JSON — their executions (status,
// start, duration), and one execution in detail: the state graph drawn in
// the terminal with each state's live status, the history events, and the
// input, output, error and cause of a selected state. Executions start
// from an input editor (prefilled with the service's default input, JSON
// checked before submitting), and stop or redrive after a confirmation.
//
// The view owns the small Service interface it needs, with plain types;
// the composition root adapts the local runner and the Step Functions
// client to it. Every call runs in a command under the application's
// context and comes back as a message carrying a generation, so stale
// results are dropped. The local runner pushes each event it records as a
// Changed message, which the view applies without asking again; a service
// that cannot push (Step Functions) is polled while a shown execution runs
// (Poll).
package flows

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/editor"
	"github.com/lakeops/lakeops/ui/components/listview"
)

// Service is what the Flows view needs from a flows service. The local
// runner and the Step Functions client are each adapted to it.
type Service interface {
	// Name is "local" or "aws" (shown in the view's title).
	Name() string
	// Machines lists the state machines.
	Machines(ctx context.Context) ([]Machine, error)
	// Definition returns a machine's Amazon States Language JSON.
	Definition(ctx context.Context, machineID string) ([]byte, error)
	// Executions lists a machine's executions, newest first.
	Executions(ctx context.Context, machineID string) ([]Execution, error)
	// Describe returns one execution with its input, output, error and cause.
	Describe(ctx context.Context, execID string) (Execution, error)
	// History returns an execution's events, oldest first.
	History(ctx context.Context, execID string) ([]Event, error)
	// Start starts an execution of a machine with a JSON input.
	Start(ctx context.Context, machineID, input string) (execID string, err error)
	// Stop stops a running execution.
	Stop(ctx context.Context, execID string) error
	// Redrive restarts a FAILED, ABORTED or TIMED_OUT execution from the
	// state that did not finish.
	Redrive(ctx context.Context, execID string) error
	// DefaultInput is the input the editor is prefilled with (e.g. the new
	// raw files); "" means "{}".
	DefaultInput(ctx context.Context, machineID string) (string, error)
	// Preview says what an execution of a machine with a JSON input would
	// do (which files it loads, which it moves); the view shows it and
	// asks before it calls Start.
	Preview(ctx context.Context, machineID, input string) (StartPreview, error)
}

// Machine is one state machine: its ID (an ARN on AWS) and name.
type Machine struct {
	ID, Name string
}

// Execution statuses, as Step Functions names them.
const (
	StatusRunning        = "RUNNING"
	StatusSucceeded      = "SUCCEEDED"
	StatusFailed         = "FAILED"
	StatusAborted        = "ABORTED"
	StatusTimedOut       = "TIMED_OUT"
	StatusPendingRedrive = "PENDING_REDRIVE"
)

// Execution is one execution of a state machine.
type Execution struct {
	ID, Name, MachineID string
	// Status is one of the Status* constants.
	Status string
	// Start and Stop are when it started and ended (Stop is zero while it runs).
	Start, Stop time.Time
	// Input and Output are JSON; Error and Cause say why it failed.
	Input, Output, Error, Cause string
	// MapRuns are the runs of its distributed Map states.
	MapRuns []MapRun
}

// MapRun is the progress of one distributed Map state's run: its items,
// and its child executions (one per item, or per batch of items with an
// ItemBatcher), by status.
type MapRun struct {
	ID     string // the Map Run's ARN
	State  string // the Map state's name (its label on Step Functions)
	Status string // RUNNING, SUCCEEDED, FAILED or ABORTED
	// MaxConcurrency is how many child executions may run at once (0: no limit).
	MaxConcurrency int
	// The items by status: an item is running while the child execution
	// that holds it runs, pending until that one starts.
	Total, Pending, Running, Succeeded, Failed, Aborted int64
	// Executions are the child executions by status (what MaxConcurrency
	// limits); all zero when the service did not say.
	Executions MapRunCounts
	// Error is the first failure, if any ("" otherwise).
	Error string
}

// MapRunCounts count a Map Run's child executions by status.
type MapRunCounts struct {
	Total, Pending, Running, Succeeded, Failed, Aborted int64
}

// Event is one history event of an execution.
type Event struct {
	ID, PreviousID int64
	// Type is the Step Functions event name, e.g. "TaskStateEntered",
	// "TaskFailed", "ExecutionSucceeded".
	Type string
	Time time.Time
	// State is the state the event is about ("" for execution events).
	State string
	// Input and Output are JSON (a state's input on *StateEntered, its
	// output on *StateExited); Error and Cause come with failures.
	Input, Output, Error, Cause string
}

// Changed tells the view that an execution changed. The local runner's
// wiring sends one with each event the execution records (ExecID and
// Event set): the view adds the event to the execution it shows, or
// updates the execution's status in the list, without asking the service.
// A Changed without an event makes the view reload what it shows.
type Changed struct {
	ExecID string
	Event  *Event
	// MapRun, when set (and Event is not), is a distributed Map's progress:
	// the view updates the execution it shows without asking the service.
	MapRun *MapRun
}

type mode int

const (
	modeMachines mode = iota
	modeExecs
	modeExec
)

// Option configures the view.
type Option func(*Model)

// Poll reloads a shown running execution every d, for a service that
// does not push its events (Step Functions).
func Poll(d time.Duration) Option { return func(m *Model) { m.every = d } }

// gens are the generations of the view's requests, one per kind; a result
// whose generation is not the current one is dropped.
type gens struct {
	machines, def, execs, exec, input, start, tick int
}

// bindings are the view's own keys (the shell's keymap has the rest).
type bindings struct {
	start, redrive, refresh, focus, submit, cancelEdit key.Binding
}

// detailCache keeps the selected state's detail lines between frames
// (pretty-printing and wrapping a large input is not free).
type detailCache struct {
	key   string
	lines []string
}

// pending is a stop or redrive waiting for y/n.
type pending struct {
	verb string // "stop" or "redrive"
	exec Execution
}

// Model is the Flows view.
type Model struct {
	svc   Service
	name  string          // the service's name, read once at construction
	app   context.Context // the application's context, for the service calls
	keys  ui.KeyMap
	bind  bindings
	now   func() time.Time
	every time.Duration
	tick  func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	mode    mode
	gen     gens
	ticking bool
	confirm *pending
	refused string // the note of a stop or redrive that did not apply, until the next key

	machines    []Machine
	openOnLoad  string // a machine to open once listed (Open)
	machLoading bool
	machErr     error
	machTable   *listview.Model

	machine   Machine // the machine whose executions are shown
	graph     *graph
	graphFor  string
	graphErr  error
	execs     []Execution
	execsBusy bool
	execsErr  error
	execTable *listview.Model

	execID      string
	exec        Execution
	events      []Event
	runs        map[string]*stateRun
	runsVer     int // counts changes of runs (the detail cache's key)
	execBusy    bool
	execErr     error
	pending     []Event // pushed while the execution was loading
	sel         int     // index into graph.states
	follow      bool    // the selection follows the last state entered
	focusEvents bool
	gOff, dOff  int // first graph and detail lines shown
	dH          int // detail pane height of the last frame
	dCache      detailCache
	evTable     *listview.Model

	editing    bool
	editor     textarea.Model
	edMachine  Machine
	edErr      string
	edLoading  bool
	edStarting bool
	edSize     editor.Size
	styled     *ui.Theme

	preview      *StartPreview // the start question, when asked
	previewInput string
	previewList  *listview.Model
}

// New returns the Flows view over svc; a nil svc shows a note instead.
func New(svc Service, opts ...Option) *Model {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	m := &Model{svc: svc, app: context.Background(), keys: ui.DefaultKeyMap(), now: time.Now, tick: tea.Tick,
		runs: map[string]*stateRun{}, follow: true,
		bind: bindings{
			start:      b([]string{"s"}, "s", "start an execution (input editor)"),
			redrive:    b([]string{"R"}, "R", "redrive a failed, aborted or timed-out execution"),
			refresh:    b([]string{"r", "ctrl+r"}, "ctrl+r", "refresh"),
			focus:      b([]string{"f"}, "←/→ f", "focus the graph or the events (tab switches views)"),
			submit:     b([]string{"ctrl+s"}, "ctrl+s", "start with this input"),
			cancelEdit: b([]string{"esc"}, "esc", "close the editor"),
		}}
	m.machTable = listview.New(listview.Options{Empty: "no state machines",
		Columns: []listview.Column{{Title: "name", Max: 48}, {Title: "id"}}})
	m.execTable = listview.New(listview.Options{Empty: "no executions yet: s starts one", Columns: []listview.Column{
		{Title: "name", Max: 40}, {Title: "status", Width: 15}, {Title: "started", Width: 19},
		{Title: "duration", Width: 8, Right: true}, {Title: "id"}}})
	m.execTable.SetCellStyle(m.execStyle)
	m.evTable = listview.New(listview.Options{Empty: "no events yet", Columns: []listview.Column{
		{Title: "id", Width: 4, Right: true}, {Title: "time", Width: 8}, {Title: "type", Max: 28}, {Title: "state"}}})
	m.evTable.SetCellStyle(m.eventStyle)
	m.editor = newEditor()
	m.previewList = newPreviewList()
	if svc != nil {
		m.name = svc.Name()
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Title is the tab name.
func (m *Model) Title() string { return "Flows" }

// InputFocused reports whether the input editor is open or a filter is typed.
func (m *Model) InputFocused() bool { return m.editing || m.list().Filtering() }

// list is the list the keys go to on the current screen.
func (m *Model) list() *listview.Model {
	switch {
	case m.mode == modeMachines:
		return m.machTable
	case m.mode == modeExecs:
		return m.execTable
	}
	return m.evTable
}

// Help lists the view's keys.
func (m *Model) Help() []key.Binding {
	k, b := m.keys, m.bind
	stop := key.NewBinding(key.WithKeys(k.Cancel.Keys()...), key.WithHelp(k.Cancel.Help().Key, "stop a running execution"))
	detail := key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll the state's input and output"))
	return []key.Binding{k.Enter, k.Back, k.Up, k.Down, b.start, stop, b.redrive, b.focus, detail, k.Copy,
		k.Filter, b.refresh, b.submit, b.cancelEdit}
}

// Init loads the state machines.
func (m *Model) Init(ctx *ui.Context) tea.Cmd {
	m.keys, m.app = ctx.Keys, ctx.App
	if m.svc == nil {
		return nil
	}
	return m.loadMachines()
}

// Update handles messages and keys.
func (m *Model) Update(ctx *ui.Context, msg tea.Msg) (ui.View, tea.Cmd) {
	m.keys, m.app = ctx.Keys, ctx.App
	if m.svc == nil {
		return m, nil
	}
	m.sizeEditor(ctx.Width, ctx.Height) // before a default input arrives, so it shows from its top
	switch msg := msg.(type) {
	case reply:
		return m, msg.apply(m)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.editing {
			var cmd tea.Cmd
			m.editor, cmd = m.editor.Update(msg)
			return m, cmd
		}
	case tea.MouseWheelMsg:
		m.wheel(msg)
	case ui.Click: // a row; a second click opens it
		if m.mode != modeExec && !m.editing {
			if _, again := m.list().Click(msg); again {
				return m, m.key(tea.KeyPressMsg{Code: tea.KeyEnter})
			}
		}
	}
	return m, nil
}

func (m *Model) setNote(s string, isErr bool) { m.list().SetNote(s, isErr) }

// reload asks again for what the current screen shows.
func (m *Model) reload() tea.Cmd {
	switch m.mode {
	case modeExecs:
		return m.loadExecs()
	case modeExec:
		return m.loadExec()
	}
	return m.loadMachines()
}

// live reports whether the current screen shows a running execution.
func (m *Model) live() bool {
	switch m.mode {
	case modeExec:
		return isLive(m.exec.Status)
	case modeExecs:
		for _, e := range m.execs {
			if isLive(e.Status) {
				return true
			}
		}
	}
	return false
}

func isLive(status string) bool { return status == StatusRunning || status == StatusPendingRedrive }

// schedule starts the refresh ticker when the screen shows a running
// execution and no tick is pending.
func (m *Model) schedule() tea.Cmd {
	if m.ticking || !m.live() || m.tick == nil || m.every <= 0 {
		return nil
	}
	m.ticking = true
	m.gen.tick++
	gen := m.gen.tick
	return m.tick(m.every, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
}

// stopTicking drops the pending tick (the screen changed).
func (m *Model) stopTicking() {
	m.gen.tick++
	m.ticking = false
}

func (m *Model) ticked(msg tickMsg) tea.Cmd {
	if msg.gen != m.gen.tick || !m.ticking {
		return nil
	}
	m.ticking = false
	if !m.live() {
		return nil
	}
	return m.reload()
}

// selectedMachine is the machine under the cursor of the machines list.
func (m *Model) selectedMachine() (Machine, bool) {
	if r := m.machTable.Cursor(); r >= 0 && r < len(m.machines) {
		return m.machines[r], true
	}
	return Machine{}, false
}

// selectedExec is the execution the keys act on: the one under the cursor
// of the executions list, or the one shown.
func (m *Model) selectedExec() (Execution, bool) {
	switch m.mode {
	case modeExecs:
		if r := m.execTable.Cursor(); r >= 0 && r < len(m.execs) {
			return m.execs[r], true
		}
	case modeExec:
		return m.exec, m.execID != ""
	}
	return Execution{}, false
}

// openMachine shows a machine's executions (and loads its definition).
func (m *Model) openMachine(mc Machine) tea.Cmd {
	if mc.ID != m.machine.ID {
		m.execs = nil
		m.execsErr = nil
		m.execTable.SetRows(nil)
		m.execTable.Table().SetPosition(0)
	}
	m.machine = mc
	m.mode = modeExecs
	m.stopTicking()
	return tea.Batch(m.loadDefFor(mc.ID), m.loadExecs())
}

// openExec shows one execution.
func (m *Model) openExec(e Execution) tea.Cmd {
	if e.ID != m.execID {
		m.events, m.runs, m.pending = nil, map[string]*stateRun{}, nil
		m.runsVer++
		m.evTable.SetRows(nil)
		m.sel, m.gOff, m.dOff = 0, 0, 0
		m.follow = true
	}
	m.execID, m.exec, m.execErr = e.ID, e, nil
	m.mode, m.focusEvents = modeExec, false
	m.stopTicking()
	return tea.Batch(m.loadDefFor(e.MachineID), m.loadExec())
}

// back goes one screen up.
func (m *Model) back() tea.Cmd {
	switch m.mode {
	case modeExec:
		m.mode = modeExecs
		m.stopTicking()
		return m.loadExecs()
	case modeExecs:
		m.mode = modeMachines
		m.stopTicking()
		return m.loadMachines()
	}
	return nil
}

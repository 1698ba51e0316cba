package flows

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/ui"
)

// callTimeout bounds one service call.
const callTimeout = 30 * time.Second

type (
	tickMsg     struct{ gen int }
	machinesMsg struct {
		gen      int
		machines []Machine
		err      error
	}
	defMsg struct {
		gen       int
		machineID string
		graph     *graph
		err       error
	}
	execsMsg struct {
		gen       int
		machineID string
		execs     []Execution
		err       error
	}
	execMsg struct {
		gen    int
		id     string
		exec   Execution
		events []Event
		err    error
	}
	inputMsg struct {
		gen       int
		machineID string
		input     string
		err       error
	}
	startedMsg struct {
		gen     int
		machine Machine
		id      string
		err     error
	}
	actionMsg struct {
		verb string
		exec Execution
		err  error
	}
)

// reply is a message that answers one of the view's requests (or the
// service's push): it knows what to do with the view.
type reply interface{ apply(m *Model) tea.Cmd }

func (msg Changed) apply(m *Model) tea.Cmd     { return m.changed(msg) }
func (msg tickMsg) apply(m *Model) tea.Cmd     { return m.ticked(msg) }
func (msg machinesMsg) apply(m *Model) tea.Cmd { return m.machinesLoaded(msg) }
func (msg defMsg) apply(m *Model) tea.Cmd      { return m.defLoaded(msg) }
func (msg execsMsg) apply(m *Model) tea.Cmd    { return m.execsLoaded(msg) }
func (msg execMsg) apply(m *Model) tea.Cmd     { return m.execLoaded(msg) }
func (msg inputMsg) apply(m *Model) tea.Cmd    { return m.inputLoaded(msg) }
func (msg startedMsg) apply(m *Model) tea.Cmd  { return m.started(msg) }
func (msg actionMsg) apply(m *Model) tea.Cmd   { return m.acted(msg) }

// call runs fn with a context under the application's that times out.
func call[T any](app context.Context, fn func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(app, callTimeout)
	defer cancel()
	return fn(ctx)
}

func (m *Model) loadMachines() tea.Cmd {
	m.gen.machines++
	gen, svc, app := m.gen.machines, m.svc, m.app
	m.machLoading = true
	return func() tea.Msg {
		ms, err := call(app, svc.Machines)
		if err != nil {
			err = fmt.Errorf("list state machines: %w", err)
		}
		return machinesMsg{gen: gen, machines: ms, err: err}
	}
}

// loadDefFor loads and lays out a machine's definition unless it is
// already shown or on its way.
func (m *Model) loadDefFor(id string) tea.Cmd {
	if id == "" {
		id = m.machine.ID
	}
	if id == "" || id == m.graphFor {
		return nil
	}
	m.gen.def++
	gen, svc, app := m.gen.def, m.svc, m.app
	m.graphFor, m.graph, m.graphErr = id, nil, nil
	return func() tea.Msg {
		def, err := call(app, func(ctx context.Context) ([]byte, error) { return svc.Definition(ctx, id) })
		if err != nil {
			return defMsg{gen: gen, machineID: id, err: fmt.Errorf("read the definition of %s: %w", id, err)}
		}
		g, err := parseGraph(def)
		if err != nil {
			err = fmt.Errorf("draw the definition of %s: %w", id, err)
		}
		return defMsg{gen: gen, machineID: id, graph: g, err: err}
	}
}

func (m *Model) loadExecs() tea.Cmd {
	m.gen.execs++
	gen, svc, app, id := m.gen.execs, m.svc, m.app, m.machine.ID
	m.execsBusy = true
	return func() tea.Msg {
		es, err := call(app, func(ctx context.Context) ([]Execution, error) { return svc.Executions(ctx, id) })
		if err != nil {
			err = fmt.Errorf("list the executions of %s: %w", id, err)
		}
		return execsMsg{gen: gen, machineID: id, execs: es, err: err}
	}
}

// loadExec describes the shown execution and reads its history.
func (m *Model) loadExec() tea.Cmd {
	m.gen.exec++
	gen, svc, app, id := m.gen.exec, m.svc, m.app, m.execID
	m.execBusy = true
	return func() tea.Msg {
		msg := execMsg{gen: gen, id: id}
		e, err := call(app, func(ctx context.Context) (Execution, error) { return svc.Describe(ctx, id) })
		if err != nil {
			msg.err = fmt.Errorf("describe execution %s: %w", id, err)
			return msg
		}
		evs, err := call(app, func(ctx context.Context) ([]Event, error) { return svc.History(ctx, id) })
		if err != nil {
			msg.err = fmt.Errorf("read the history of %s: %w", id, err)
			return msg
		}
		msg.exec, msg.events = e, evs
		return msg
	}
}

func (m *Model) loadInput(mc Machine) tea.Cmd {
	m.gen.input++
	gen, svc, app := m.gen.input, m.svc, m.app
	return func() tea.Msg {
		in, err := call(app, func(ctx context.Context) (string, error) { return svc.DefaultInput(ctx, mc.ID) })
		if err != nil {
			err = fmt.Errorf("default input of %s: %w", mc.ID, err)
		}
		return inputMsg{gen: gen, machineID: mc.ID, input: in, err: err}
	}
}

func (m *Model) startCmd(mc Machine, input string) tea.Cmd {
	m.gen.start++
	gen, svc, app := m.gen.start, m.svc, m.app
	return func() tea.Msg {
		id, err := call(app, func(ctx context.Context) (string, error) { return svc.Start(ctx, mc.ID, input) })
		if err != nil {
			err = fmt.Errorf("start %s: %w", machineLabel(mc), err)
		}
		return startedMsg{gen: gen, machine: mc, id: id, err: err}
	}
}

func (m *Model) actionCmd(p pending) tea.Cmd {
	svc, app := m.svc, m.app
	return func() tea.Msg {
		_, err := call(app, func(ctx context.Context) (struct{}, error) {
			if p.verb == "redrive" {
				return struct{}{}, svc.Redrive(ctx, p.exec.ID)
			}
			return struct{}{}, svc.Stop(ctx, p.exec.ID)
		})
		if err != nil {
			err = fmt.Errorf("%s %s: %w", p.verb, execLabel(p.exec), err)
		}
		return actionMsg{verb: p.verb, exec: p.exec, err: err}
	}
}

func (m *Model) machinesLoaded(msg machinesMsg) tea.Cmd {
	if msg.gen != m.gen.machines {
		return nil
	}
	m.machLoading, m.machErr = false, msg.err
	if msg.err != nil {
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	cur, _ := m.selectedMachine()
	m.machines = msg.machines
	rows := make([][]string, len(msg.machines))
	pos := -1
	for i, mc := range msg.machines {
		rows[i] = []string{mc.Name, mc.ID}
		if mc.ID == cur.ID {
			pos = i
		}
	}
	m.machTable.SetRows(rows)
	if pos >= 0 {
		m.machTable.SelectRow(pos)
	}
	return m.openPending()
}

func (m *Model) defLoaded(msg defMsg) tea.Cmd {
	if msg.gen != m.gen.def || msg.machineID != m.graphFor {
		return nil
	}
	m.graph, m.graphErr = msg.graph, msg.err
	if msg.err != nil {
		m.graphFor = "" // the next refresh tries again
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	m.clampSel()
	if m.follow {
		m.followLast(lastEntered(m.events))
	}
	return nil
}

func (m *Model) execsLoaded(msg execsMsg) tea.Cmd {
	if msg.gen != m.gen.execs || msg.machineID != m.machine.ID {
		return nil
	}
	m.execsBusy, m.execsErr = false, msg.err
	if msg.err != nil {
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	m.setExecs(msg.execs)
	return m.schedule()
}

// setExecs shows executions, keeping the cursor on its execution.
func (m *Model) setExecs(execs []Execution) {
	cur, _ := m.selectedExecRow()
	m.execs = execs
	now := m.now()
	rows := make([][]string, len(execs))
	pos := -1
	for i, e := range execs {
		rows[i] = []string{execLabel(e), e.Status, timeText(e.Start), duration(e, now), e.ID}
		if e.ID == cur {
			pos = i
		}
	}
	m.execTable.SetRows(rows)
	if pos >= 0 {
		m.execTable.SelectRow(pos)
	}
}

// selectedExecRow is the ID under the executions list's cursor.
func (m *Model) selectedExecRow() (string, bool) {
	if r := m.execTable.Cursor(); r >= 0 && r < len(m.execs) {
		return m.execs[r].ID, true
	}
	return "", false
}

func (m *Model) execLoaded(msg execMsg) tea.Cmd {
	if msg.gen != m.gen.exec || msg.id != m.execID {
		return nil
	}
	m.execBusy, m.execErr = false, msg.err
	if msg.err != nil {
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	m.exec = msg.exec
	m.setEvents(msg.events)
	for _, e := range m.pending { // pushed while the load was under way
		m.push(e)
	}
	m.pending = nil
	return m.schedule()
}

// setEvents shows an execution's events and what they say of each state.
func (m *Model) setEvents(events []Event) {
	runs, last := replay(events)
	m.events, m.runs = events, runs
	m.runsVer++
	atEnd := m.evTable.Len() == 0 || m.evTable.Table().Position() >= m.evTable.Len()-1
	rows := make([][]string, len(events))
	for i, e := range events {
		rows[i] = []string{fmt.Sprint(e.ID), clock(e.Time), e.Type, e.State}
	}
	m.evTable.SetRows(rows)
	if atEnd {
		m.evTable.Table().SetPosition(len(rows) - 1)
	}
	if m.follow {
		m.followLast(last)
	}
}

func (m *Model) inputLoaded(msg inputMsg) tea.Cmd {
	if msg.gen != m.gen.input || !m.editing || msg.machineID != m.edMachine.ID {
		return nil
	}
	m.edLoading = false
	if msg.err != nil {
		m.edErr = msg.err.Error()
		if m.editor.Value() == "" {
			m.editor.SetValue("{}")
		}
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	if m.editor.Value() == "" { // the user has not typed yet
		in := editorText(prettyJSON(msg.input))
		if in == "" {
			in = "{}"
		}
		m.editor.SetValue(in)
	}
	return nil
}

func (m *Model) started(msg startedMsg) tea.Cmd {
	current := msg.gen == m.gen.start && m.editing
	if msg.err != nil {
		if current {
			m.edStarting, m.edErr = false, msg.err.Error()
		}
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	note := ui.NotifyCmd("started execution "+msg.id+" of "+machineLabel(msg.machine), false)
	if !current {
		return note
	}
	m.closeEditor()
	if msg.machine.ID != m.machine.ID {
		m.machine = msg.machine
		m.execs = nil
		m.execTable.SetRows(nil)
	}
	open := m.openExec(Execution{ID: msg.id, MachineID: msg.machine.ID, Status: StatusRunning, Start: m.now()})
	return tea.Batch(note, open)
}

func (m *Model) acted(msg actionMsg) tea.Cmd {
	if msg.err != nil {
		return ui.NotifyCmd(msg.err.Error(), true)
	}
	text := "stop requested for " + execLabel(msg.exec)
	if msg.verb == "redrive" {
		text = "redrive requested for " + execLabel(msg.exec)
	}
	return tea.Batch(ui.NotifyCmd(text, false), m.reload())
}

// machineLabel names a machine: its name, else its ID.
func machineLabel(mc Machine) string {
	if mc.Name != "" {
		return mc.Name
	}
	return mc.ID
}

// execLabel names an execution: its name, else its ID.
func execLabel(e Execution) string {
	if e.Name != "" {
		return e.Name
	}
	return e.ID
}

package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/editor"
)

// key handles a key press: the editor first, then a pending y/n, then the
// view's keys.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.editing {
		return m.editorKey(msg)
	}
	k, b := &m.keys, &m.bind
	list := m.list()
	if list.Busy() {
		list.Update(k, msg)
		return nil
	}
	if m.confirm != nil {
		p := *m.confirm
		switch {
		case key.Matches(msg, k.Confirm):
			m.confirm = nil
			if why := refusal(p.verb, m.current(p.exec)); why != "" { // it ended (or changed) meanwhile
				m.refuse(why)
				return nil
			}
			return m.actionCmd(p)
		case key.Matches(msg, k.Deny):
			m.confirm = nil
		}
		return nil
	}
	if why := m.refused; why != "" {
		m.refused = ""
		answer := (key.Matches(msg, k.Confirm) || key.Matches(msg, k.Deny)) &&
			!key.Matches(msg, k.Enter) && !key.Matches(msg, k.Back)
		if answer && list.Note() != "" {
			// A y or n meant as an answer while the refusal shows: no
			// question is open, so it does nothing (not even y's copy);
			// enter and esc keep their own meaning.
			m.setNote("no question is open: "+why, true)
			return nil
		}
	}
	list.SetNote("", false)
	switch {
	case key.Matches(msg, k.Back) && !list.HasFilter():
		return m.back()
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, b.refresh), key.Matches(msg, k.Refresh):
		if m.mode == modeMachines {
			return m.reload()
		}
		return tea.Batch(m.loadDefFor(m.machine.ID), m.reload()) // a definition that failed to load is tried again
	case key.Matches(msg, b.start):
		return m.openEditor()
	case key.Matches(msg, k.Cancel):
		m.ask("stop")
		return nil
	case key.Matches(msg, b.redrive):
		m.ask("redrive")
		return nil
	}
	if m.mode == modeExec {
		return m.execKey(msg)
	}
	list.Update(k, msg)
	return nil
}

func (m *Model) enter() tea.Cmd {
	switch m.mode {
	case modeMachines:
		if mc, ok := m.selectedMachine(); ok {
			return m.openMachine(mc)
		}
	case modeExecs:
		if e, ok := m.selectedExec(); ok {
			return m.openExec(e)
		}
	case modeExec:
		if m.focusEvents {
			if r := m.evTable.Cursor(); r >= 0 && r < len(m.events) && m.events[r].State != "" {
				m.selectState(m.events[r].State)
				m.follow, m.focusEvents = false, false
			}
		}
	}
	return nil
}

// ask opens the y/n confirmation for stopping or redriving the selected
// execution, or says why it does not apply.
func (m *Model) ask(verb string) {
	e, ok := m.selectedExec()
	if !ok {
		return
	}
	if why := refusal(verb, e); why != "" {
		m.refuse(why)
		return
	}
	m.confirm = &pending{verb: verb, exec: e}
}

// refusal says why verb ("stop" or "redrive") does not apply to an
// execution in its status, or is "" when it does.
func refusal(verb string, e Execution) string {
	// The execution is the one selected: the note leaves its name out to
	// fit an 80-column line.
	switch {
	case verb == "stop" && !isLive(e.Status):
		return "nothing to stop: the execution already " + e.Status
	case verb == "redrive" && !redrivable(e.Status):
		how := "is " + e.Status
		if e.Status == StatusSucceeded {
			how = e.Status
		}
		return fmt.Sprintf("nothing to redrive: it %s (R takes FAILED, ABORTED, TIMED_OUT)", how)
	}
	return ""
}

// redrivable reports whether an execution in this status can be
// redriven, as Step Functions' RedriveExecution allows: FAILED, ABORTED
// and TIMED_OUT.
func redrivable(status string) bool {
	return status == StatusFailed || status == StatusAborted || status == StatusTimedOut
}

// refuse shows why a key did nothing; a y or n right after it is taken
// for an answer to no question and ignored.
func (m *Model) refuse(why string) {
	m.setNote(why, true)
	m.refused = why
}

// current is the execution as the view now shows it (its status may have
// changed since e was read), or e.
func (m *Model) current(e Execution) Execution {
	if m.mode == modeExec && m.execID == e.ID {
		return m.exec
	}
	for _, x := range m.execs {
		if x.ID == e.ID {
			return x
		}
	}
	return e
}

// execKey handles the keys of one execution's screen.
func (m *Model) execKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	switch {
	case key.Matches(msg, m.bind.focus):
		m.focusEvents = !m.focusEvents
	case key.Matches(msg, k.Left):
		m.focusEvents = false
	case key.Matches(msg, k.Right):
		m.focusEvents = true
	case key.Matches(msg, k.Copy):
		return m.copyState()
	case key.Matches(msg, k.Filter), key.Matches(msg, k.Back):
		m.focusEvents = true // the filter is the events'
		m.evTable.Update(k, msg)
	case m.focusEvents:
		m.evTable.Update(k, msg)
	case key.Matches(msg, k.Up):
		m.moveSel(-1)
	case key.Matches(msg, k.Down):
		m.moveSel(1)
	case key.Matches(msg, k.Top):
		m.moveSel(-1 << 30)
	case key.Matches(msg, k.Bottom):
		m.moveSel(1 << 30)
	case key.Matches(msg, k.PageUp):
		m.dOff = max(0, m.dOff-max(m.dH-1, 1))
	case key.Matches(msg, k.PageDown):
		m.dOff += max(m.dH-1, 1)
	}
	return nil
}

func (m *Model) wheel(msg tea.MouseWheelMsg) {
	switch {
	case m.editing:
	case m.mode != modeExec, m.focusEvents:
		m.list().Update(&m.keys, msg)
	case msg.Button == tea.MouseWheelUp:
		m.dOff = max(0, m.dOff-3)
	case msg.Button == tea.MouseWheelDown:
		m.dOff += 3
	}
}

// moveSel moves the graph's selection by n states; the selection stops
// following the execution.
func (m *Model) moveSel(n int) {
	if m.graph == nil || len(m.graph.states) == 0 {
		return
	}
	m.sel = max(0, min(m.sel+n, len(m.graph.states)-1))
	m.follow, m.dOff = false, 0
}

func (m *Model) clampSel() {
	if m.graph == nil || len(m.graph.states) == 0 {
		m.sel = 0
		return
	}
	m.sel = max(0, min(m.sel, len(m.graph.states)-1))
}

// selectState selects the first state line of the named state.
func (m *Model) selectState(name string) bool {
	if m.graph == nil {
		return false
	}
	for i, li := range m.graph.states {
		if m.graph.lines[li].state == name {
			if i != m.sel {
				m.dOff = 0
			}
			m.sel = i
			return true
		}
	}
	return false
}

// followLast selects the state entered last (the selection follows the run).
func (m *Model) followLast(name string) {
	if name != "" {
		m.selectState(name)
	}
}

// selName is the selected state's name ("" without a graph).
func (m *Model) selName() string {
	if m.graph == nil || m.sel < 0 || m.sel >= len(m.graph.states) {
		return ""
	}
	return m.graph.lines[m.graph.states[m.sel]].state
}

// copyState copies the selected state's output (its input when it has no
// output yet) through the shell.
func (m *Model) copyState() tea.Cmd {
	r := m.runs[m.selName()]
	if r == nil {
		m.setNote("the state was not reached: nothing to copy", true)
		return nil
	}
	text := r.output
	if text == "" {
		text = r.input
	}
	return ui.CopyCmd(text)
}

// newEditor returns the input editor.
func newEditor() textarea.Model { return editor.New("{ … }") }

// styleEditor styles the editor from the theme (again when it changes).
func (m *Model) styleEditor(th *ui.Theme) {
	if m.styled == th {
		return
	}
	m.styled = th
	editor.Style(&m.editor, th, false)
}

// openEditor opens the input editor for the machine the keys act on and
// asks the service for the default input.
func (m *Model) openEditor() tea.Cmd {
	mc := m.machine
	if m.mode == modeMachines {
		var ok bool
		if mc, ok = m.selectedMachine(); !ok {
			return nil
		}
	}
	m.editing, m.edMachine = true, mc
	m.edErr, m.edLoading, m.edStarting = "", true, false
	m.editor.Reset()
	m.editor.Placeholder = "loading the default input…"
	_ = m.editor.Focus()
	return m.loadInput(mc)
}

func (m *Model) closeEditor() {
	m.editing, m.edLoading, m.edStarting, m.preview = false, false, false, nil
	m.editor.Blur()
}

func (m *Model) editorKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.preview != nil {
		return m.previewKey(msg)
	}
	switch {
	case key.Matches(msg, m.bind.submit):
		if m.edStarting {
			return nil
		}
		input := m.editor.Value()
		if strings.TrimSpace(input) == "" {
			input = "{}"
		}
		if err := checkJSON(input); err != nil {
			m.edErr = err.Error()
			return nil
		}
		m.edErr, m.edStarting = "", true
		return m.previewCmd(m.edMachine, input) // say what it will do and ask first
	case key.Matches(msg, m.bind.cancelEdit):
		m.closeEditor()
		m.gen.start++ // a start under way no longer opens its execution
		m.gen.input++
		return nil
	}
	m.edErr = ""
	m.editor.Placeholder = "{ … }"
	var cmd tea.Cmd
	m.editor, cmd = m.editor.Update(msg)
	return cmd
}

// editorText escapes the runes the editor would drop or that would draw
// text out of order — control characters other than newlines (C0, DEL,
// C1) and bidi controls — as JSON \uXXXX escapes, which stand for the
// same runes inside JSON strings.
func editorText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != '\n' && textfmt.IsControl(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// checkJSON reports whether s is one JSON value, saying where it is not.
func checkJSON(s string) error {
	var v any
	err := json.Unmarshal([]byte(s), &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(max(int(se.Offset), 0), len(s))
		line := 1 + strings.Count(s[:off], "\n")
		col := max(off-strings.LastIndexByte(s[:off], '\n')-1, 1) // the byte read last
		return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

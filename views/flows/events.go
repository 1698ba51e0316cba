package flows

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// changed applies a pushed event to what the screen shows, or reloads it
// when the message carries none.
func (m *Model) changed(msg Changed) tea.Cmd {
	if msg.MapRun != nil && msg.Event == nil {
		if m.mode == modeExec && msg.ExecID == m.execID && !m.execBusy {
			m.exec.MapRuns = withMapRun(m.exec.MapRuns, *msg.MapRun)
			m.runsVer++
		}
		return nil
	}
	if msg.Event == nil || msg.ExecID == "" {
		return m.reload()
	}
	e := *msg.Event
	switch m.mode {
	case modeExec:
		if msg.ExecID != m.execID {
			return nil
		}
		if m.execBusy { // a load is under way: apply the event after it
			m.pending = append(m.pending, e)
			return nil
		}
		if !m.push(e) {
			return m.loadExec() // an event went missing: ask for the whole history
		}
	case modeExecs:
		for i := range m.execs {
			if m.execs[i].ID == msg.ExecID {
				execs := append([]Execution(nil), m.execs...)
				execs[i] = withEvent(execs[i], e)
				m.setExecs(execs)
				return m.schedule()
			}
		}
		if e.Type == "ExecutionStarted" && !m.execsBusy {
			return m.loadExecs() // an execution started elsewhere
		}
	}
	return nil
}

// push adds the next event of the shown execution; it reports false when
// the event does not follow the last one shown (then the history must be
// read again). An event already shown is ignored.
func (m *Model) push(e Event) bool {
	n := int64(len(m.events))
	switch {
	case n > 0 && e.ID <= m.events[n-1].ID:
		return true
	case e.ID != n+1:
		return false
	}
	m.exec = withEvent(m.exec, e)
	m.setEvents(append(m.events[:n:n], e))
	return true
}

// withEvent is an execution as an execution-level event leaves it.
func withEvent(x Execution, e Event) Execution {
	switch e.Type {
	case "ExecutionStarted", "ExecutionRedriven":
		x.Status, x.Stop, x.Error, x.Cause = StatusRunning, time.Time{}, "", ""
	case "ExecutionSucceeded":
		x.Status, x.Stop, x.Output = StatusSucceeded, e.Time, e.Output
	case "ExecutionFailed":
		x.Status, x.Stop, x.Error, x.Cause = StatusFailed, e.Time, e.Error, e.Cause
	case "ExecutionAborted":
		x.Status, x.Stop = StatusAborted, e.Time
	case "ExecutionTimedOut":
		x.Status, x.Stop = StatusTimedOut, e.Time
	}
	return x
}

// withMapRun returns runs with r in place of the run of the same ID (or
// added), leaving runs itself unchanged.
func withMapRun(runs []MapRun, r MapRun) []MapRun {
	out := append([]MapRun(nil), runs...)
	for i := range out {
		if out[i].ID == r.ID {
			out[i] = r
			return out
		}
	}
	return append(out, r)
}

// mapRunOf returns the newest run of a Map state, or nil.
func mapRunOf(runs []MapRun, state string) *MapRun {
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].State == state {
			return &runs[i]
		}
	}
	return nil
}

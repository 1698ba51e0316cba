package flows

import tea "charm.land/bubbletea/v2"

// Open makes the view open one machine's executions as soon as the
// machines are listed (the console opens the state machine of the stack
// named by --stack); the machines list stays one esc away.
func Open(machineID string) Option { return func(m *Model) { m.openOnLoad = machineID } }

// openPending opens the machine Open named, once, if it was listed.
func (m *Model) openPending() tea.Cmd {
	id := m.openOnLoad
	if id == "" || m.mode != modeMachines {
		return nil
	}
	for i, mc := range m.machines {
		if mc.ID == id {
			m.openOnLoad = ""
			m.machTable.SelectRow(i)
			return m.openMachine(mc)
		}
	}
	return nil
}

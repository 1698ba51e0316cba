package rejects

// The rows out of the view: an export of the rows shown to a file, and a
// raw record to the clipboard.

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/ui"
)

// export writes the rows in view (filtered, in view order) to a new
// file in the export folder.
func (m *Model) export(format string) tea.Cmd {
	return m.exportRows(ops.ExportTarget{Dir: m.exportDir, Format: format})
}

// exportTo writes the rows in view to a path the user named (:export
// PATH): a .csv, .json or .jsonl file (never replaced) or a folder.
func (m *Model) exportTo(path string) tea.Cmd {
	t, err := ops.ParseExportTarget(path, ops.RejectExportExts(), "csv")
	if err != nil {
		return ui.NotifyCmd(err.Error(), true)
	}
	return m.exportRows(t)
}

func (m *Model) exportRows(t ops.ExportTarget) tea.Cmd {
	if m.list.Len() == 0 {
		return ui.NotifyCmd("nothing to export: no rejected rows are shown", true)
	}
	rows := make([]ops.RejectRow, 0, m.list.Len())
	for pos := 0; pos < m.list.Len(); pos++ {
		rows = append(rows, m.rows[m.shown[m.list.RowAt(pos)]])
	}
	m.list.SetNote("exporting…", false)
	now, ds := m.now(), m.dataset()
	return func() tea.Msg {
		path, err := ops.ExportRejectsTo(t, now, ds, rows)
		return exportedMsg{path: path, rows: len(rows), err: err}
	}
}

// ExportsToPath marks the view as taking :export PATH.
func (m *Model) ExportsToPath() string { return "the rejected rows shown" }

// copyRaw copies the raw record of the row under the cursor (OSC52).
func (m *Model) copyRaw() tea.Cmd {
	r := m.current()
	if r == nil {
		return nil
	}
	m.list.SetNote(fmt.Sprintf("copied the raw record of line %d", r.Line), false)
	return ui.CopyCmd(string(r.RawBytes()))
}

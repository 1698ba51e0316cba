package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// Render draws the view in exactly ctx.Width × ctx.Height cells.
func (m *Model) Render(ctx *ui.Context) string {
	th, w, h := ctx.Theme, ctx.Width, ctx.Height
	if th == nil {
		th = ui.NewTheme(true, true)
	}
	if m.svc == nil {
		note := []string{th.Title.Render("Flows"), "",
			th.Warn.Render("No state-machine service is configured."),
			th.Dim.Render("The console was started without a flows service (local runner or Step Functions)."),
			th.Dim.Render("Start it with a lake (lakeops --lake DIR, or lakeops demo), or with --aws for Step Functions.")}
		return screen.Compose(w, h, note, nil, nil)
	}
	if m.editing {
		return m.renderEditor(w, h, th)
	}
	switch m.mode {
	case modeExecs:
		return m.renderExecs(w, h, th)
	case modeExec:
		return m.renderExec(w, h, th)
	}
	return m.renderMachines(w, h, th)
}

func (m *Model) renderMachines(w, h int, th *ui.Theme) string {
	title := th.Title.Render("state machines") + th.Dim.Render(fmt.Sprintf(" · %s · %d", textfmt.Sanitize(m.name), len(m.machines)))
	switch {
	case m.machLoading && m.machines == nil:
		title += th.Dim.Render(" · loading…")
	case m.machErr != nil:
		title += " " + th.Error.Render(table.Truncate(m.machErr.Error(), w))
	}
	m.machTable.SetBodyTop(1)
	body := func(bh int) string { return m.machTable.Body(w, bh, th) }
	hints := []string{"enter", "executions", "s", "start", "ctrl+r", "refresh", "/", "filter"}
	return screen.Compose(w, h, []string{title}, body, []string{m.footer(th, w, hints)})
}

func (m *Model) renderExecs(w, h int, th *ui.Theme) string {
	title := th.Title.Render(table.Truncate(machineLabel(m.machine), max(w/2, 10))) +
		th.Dim.Render(fmt.Sprintf(" · executions · %d", len(m.execs)))
	switch {
	case m.execsBusy && m.execs == nil:
		title += th.Dim.Render(" · loading…")
	case m.execsErr != nil:
		title += " " + th.Error.Render(table.Truncate(m.execsErr.Error(), w))
	}
	hints := []string{"enter", "open", "s", "start"}
	if e, ok := m.selectedExec(); ok {
		hints = append(hints, m.actionHints(e)...)
	}
	hints = append(hints, "esc", "machines", "/", "filter")
	m.execTable.SetBodyTop(1)
	body := func(bh int) string { return m.execTable.Body(w, bh, th) }
	return screen.Compose(w, h, []string{title}, body, []string{m.footer(th, w, hints)})
}

// actionHints are the stop/redrive hints that apply to an execution.
func (m *Model) actionHints(e Execution) []string {
	switch {
	case isLive(e.Status):
		return []string{m.keys.Cancel.Help().Key, "stop"}
	case redrivable(e.Status):
		return []string{m.bind.redrive.Help().Key, "redrive"}
	}
	return nil
}

func (m *Model) renderEditor(w, h int, th *ui.Theme) string {
	if m.preview != nil {
		return m.renderPreview(w, h, th)
	}
	m.styleEditor(th)
	m.sizeEditor(w, h)
	title := th.Title.Render("start ") + table.Truncate(machineLabel(m.edMachine), max(w/2, 10)) +
		th.Dim.Render(" · input JSON")
	if m.edLoading {
		title += th.Dim.Render(" · loading the default input…")
	}
	if m.edStarting {
		title += th.Warn.Render(" · reading what it would do…")
	}
	// The error line is always there (blank without an error) so the
	// editor keeps its size when an error shows.
	bottom := []string{th.Error.Render(table.Truncate(m.edErr, w)), th.Dim.Render(screen.Hints("ctrl+s", "start (says what it will do and asks)", "esc", "cancel"))}
	return screen.Compose(w, h, []string{title}, func(int) string { return m.editor.View() }, bottom)
}

// editorChrome is how many lines of the editor screen are not the editor.
const editorChrome = 3

// sizeEditor fits the editor to a w × h view.
func (m *Model) sizeEditor(w, h int) { m.edSize.Fit(&m.editor, w, h-editorChrome) }

// footer is the y/n question, or the current list's footer: the filter,
// a note, or the key hints.
func (m *Model) footer(th *ui.Theme, w int, hints []string) string {
	if m.confirm != nil {
		return th.Warn.Render(fmt.Sprintf("%s execution %s? y/n", m.confirm.verb, textfmt.Sanitize(execLabel(m.confirm.exec))))
	}
	return m.list().Footer(w, th, hints...)
}

// statusStyle colours an execution status.
func statusStyle(th *ui.Theme, status string) (lipgloss.Style, bool) {
	switch status {
	case StatusSucceeded:
		return th.OK, true
	case StatusRunning, StatusPendingRedrive:
		return th.Warn, true
	case StatusFailed, StatusTimedOut, StatusAborted:
		return th.Error, true
	}
	return lipgloss.Style{}, false
}

func (m *Model) execStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if col != 1 || row >= len(m.execs) {
		return lipgloss.Style{}, false
	}
	return statusStyle(th, m.execs[row].Status)
}

func (m *Model) eventStyle(row, col int, th *ui.Theme) (lipgloss.Style, bool) {
	if col != 2 || row >= len(m.events) {
		return lipgloss.Style{}, false
	}
	t := m.events[row].Type
	switch {
	case strings.HasSuffix(t, "Failed"), strings.HasSuffix(t, "TimedOut"), strings.HasSuffix(t, "Aborted"):
		return th.Error, true
	case t == "ExecutionSucceeded":
		return th.OK, true
	case strings.HasSuffix(t, "StateEntered"):
		return th.Header, true
	}
	return th.Dim, true
}

// statusLook is a state status's mark style and name style.
func statusLook(th *ui.Theme, s runStatus) (mark, name lipgloss.Style) {
	switch s {
	case running:
		return th.Warn, th.Warn
	case succeeded:
		return th.OK, lipgloss.NewStyle()
	case failed:
		return th.Error, th.Error
	case caught, aborted:
		return th.Warn, lipgloss.NewStyle()
	}
	return th.Dim, th.Dim
}

// timeText renders a time in local time ("" for the zero time).
func timeText(t time.Time) string { return textfmt.Time(t) }

// clock renders a time of day in local time.
func clock(t time.Time) string { return textfmt.Clock(t) }

// duration is how long an execution ran (so far, when it runs).
func duration(e Execution, now time.Time) string {
	switch {
	case e.Start.IsZero():
		return ""
	case e.Stop.IsZero():
		if !isLive(e.Status) {
			return ""
		}
		return textfmt.Duration(now.Sub(e.Start))
	}
	return textfmt.Duration(e.Stop.Sub(e.Start))
}

// prettyJSON indents JSON; text that is not JSON comes back trimmed.
func prettyJSON(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}

// pad clips a styled line to w cells and pads it to exactly w.
func pad(line string, w int) string {
	line = table.Clip(line, w)
	if n := w - lipgloss.Width(line); n > 0 {
		line += strings.Repeat(" ", n)
	}
	return line
}

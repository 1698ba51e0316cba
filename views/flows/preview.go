package flows

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/listview"
	"github.com/lakeops/lakeops/ui/components/screen"
	"github.com/lakeops/lakeops/ui/components/table"
)

// StartPreview is what an execution would do, said before it starts (the
// service reads the input and the lake): the console shows it and asks.
type StartPreview struct {
	// Lines say what the execution does, in order (which files it loads,
	// where the loaded ones are moved).
	Lines []string
	// Warnings are said as errors (a named file that does not exist).
	Warnings []string
	// Files are the raw files it would take.
	Files []PreviewFile
}

// PreviewFile is one raw file an execution would take.
type PreviewFile struct {
	Name, Dataset, Status string
	Size                  int64
}

// previewMsg carries the service's preview of a start.
type previewMsg struct {
	gen     int
	machine Machine
	input   string
	preview StartPreview
	err     error
}

func (msg previewMsg) apply(m *Model) tea.Cmd { return m.previewed(msg) }

// newPreviewList is the list of the files a start would take.
func newPreviewList() *listview.Model {
	return listview.New(listview.Options{Empty: "no raw file to load", Columns: []listview.Column{
		{Title: "file", Flex: true, Middle: true}, {Title: "dataset", Width: 11}, {Title: "size", Width: 10, Right: true}, {Title: "status", Max: 18}}})
}

// previewCmd asks the service what a start with input would do.
func (m *Model) previewCmd(mc Machine, input string) tea.Cmd {
	m.gen.start++
	gen, svc, app := m.gen.start, m.svc, m.app
	return func() tea.Msg {
		p, err := call(app, func(ctx context.Context) (StartPreview, error) { return svc.Preview(ctx, mc.ID, input) })
		if err != nil {
			err = fmt.Errorf("what %s would do: %w", machineLabel(mc), err)
		}
		return previewMsg{gen: gen, machine: mc, input: input, preview: p, err: err}
	}
}

func (m *Model) previewed(msg previewMsg) tea.Cmd {
	if msg.gen != m.gen.start || !m.editing {
		return nil
	}
	m.edStarting = false
	if msg.err != nil {
		m.edErr = msg.err.Error()
		return nil
	}
	p := msg.preview
	m.preview, m.previewInput = &p, msg.input
	rows := make([][]string, len(p.Files))
	for i, f := range p.Files {
		size := ""
		if f.Size > 0 || f.Status != "missing" {
			size = textfmt.Bytes(f.Size)
		}
		rows[i] = []string{f.Name, f.Dataset, size, f.Status}
	}
	m.previewList.SetRows(rows)
	m.previewList.Table().SetPosition(0)
	return nil
}

// previewKey handles the keys of the start question: y starts, n or esc
// goes back to the input, the rest move in the files.
func (m *Model) previewKey(msg tea.KeyPressMsg) tea.Cmd {
	k := &m.keys
	if m.previewList.Busy() {
		m.previewList.Update(k, msg)
		return nil
	}
	switch {
	case msg.String() == "y":
		input := m.previewInput
		m.preview, m.edStarting = nil, true
		return m.startCmd(m.edMachine, input)
	case msg.String() == "n", key.Matches(msg, k.Back) && !m.previewList.HasFilter():
		m.preview = nil
		m.gen.start++
		return nil
	}
	m.previewList.Update(k, msg)
	return nil
}

// renderPreview draws the start question: what the execution will do,
// the files it takes, and y/n.
func (m *Model) renderPreview(w, h int, th *ui.Theme) string {
	p := m.preview
	top := []string{th.Title.Render("start ") + table.Truncate(machineLabel(m.edMachine), max(w/2, 10)) +
		th.Dim.Render(" · what it will do")}
	// What it does is wrapped, never cut: it is what the user says yes to.
	for _, l := range p.Lines {
		top = append(top, table.Wrap(l, w)...)
	}
	for _, l := range p.Warnings {
		for _, part := range table.Wrap(l, w) {
			top = append(top, th.Error.Render(part))
		}
	}
	q := th.Warn.Render("start this execution? y/n") + th.Dim.Render("  "+screen.Hints("↑↓", "files", "/", "filter", "n/esc", "back to the input"))
	if m.previewList.Busy() || m.previewList.HasFilter() {
		q = m.previewList.Footer(w, th)
	}
	return screen.Compose(w, h, top, func(bh int) string { return m.previewList.Body(w, bh, th) }, []string{q})
}

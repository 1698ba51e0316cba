package tables

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/ui/components/screen"
)

// Table maintenance from the view: V vacuums, O optimizes, L cleans up the
// log of the table under the cursor (or the one in detail). Vacuum and log
// cleanup first list what they would delete (a dry run, which reads only);
// every action asks before it runs, and runs as a background job, so it
// shows in Runs, keeps to the job limit and can be cancelled there. The
// list reloads when the job ends.

// Maintainer is what the view needs for maintenance; ops.Ops has it.
type Maintainer interface {
	// Vacuum with DryRun lists the data files a vacuum would delete.
	Vacuum(ctx context.Context, info ops.TableInfo, opts ops.VacuumOptions) (*ops.VacuumResult, error)
	// CleanupLog with dryRun lists the log files a cleanup would delete.
	CleanupLog(ctx context.Context, info ops.TableInfo, dryRun bool) (*ops.LogCleanupResult, error)
	// PlanOptimize says what an optimize would pack.
	PlanOptimize(ctx context.Context, info ops.TableInfo, targetSize int64) (ops.OptimizePlan, error)
	// SubmitMaintenance queues a vacuum, optimize or log cleanup job.
	SubmitMaintenance(m ops.Maintenance, info ops.TableInfo) (int, error)
}

type (
	// planMsg carries a dry run's outcome, to ask about.
	planMsg struct {
		gen   int
		kind  ops.Maintenance
		info  ops.TableInfo
		files int
		bytes int64
		what  string // what the dry run says would go
		err   error
	}
	// submittedMsg says a maintenance job was queued (or why not).
	submittedMsg struct {
		text string
		err  error
	}
)

// ask is a maintenance action waiting for y/n.
type ask struct {
	question string
	kind     ops.Maintenance
	info     ops.TableInfo
}

func (m *Model) bindMaintenance() {
	m.bind.vacuum = key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "vacuum: delete unreferenced data files past retention (asks)"))
	m.bind.optimize = key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "optimize: bin-pack small files (asks)"))
	m.bind.cleanLog = key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "clean up the log past its retention (asks)"))
}

// maintenanceKey starts the action of a maintenance key on e.
func (m *Model) maintenanceKey(ctx *ui.Context, msg tea.KeyPressMsg, e *entry) (tea.Cmd, bool) {
	var kind ops.Maintenance
	switch {
	case key.Matches(msg, m.bind.vacuum):
		kind = ops.MaintainVacuum
	case key.Matches(msg, m.bind.optimize):
		kind = ops.MaintainOptimize
	case key.Matches(msg, m.bind.cleanLog):
		kind = ops.MaintainCleanupLog
	default:
		return nil, false
	}
	if e == nil {
		return nil, true
	}
	mt, ok := m.svc.(Maintainer)
	if !ok {
		m.focused().SetNote("table maintenance is not available here", true)
		return nil, true
	}
	info := e.info
	gen, app := m.gen, ctx.App
	m.focused().SetNote(fmt.Sprintf("%s %s: working out what it would do…", kind, textfmt.Sanitize(info.Name)), false)
	return func() tea.Msg {
		c, cancel := context.WithTimeout(app, loadTimeout)
		defer cancel()
		out := planMsg{gen: gen, kind: kind, info: info}
		switch kind {
		case ops.MaintainVacuum:
			res, err := mt.Vacuum(c, info, ops.VacuumOptions{DryRun: true})
			out.err = err
			if res != nil {
				out.files, out.bytes = len(res.Files), res.Bytes
				out.what = fmt.Sprintf("%s (%s) removed or never committed before %s (retention %s)",
					textfmt.Counted(int64(len(res.Files)), "data file", "data files"), textfmt.Bytes(res.Bytes),
					textfmt.Time(res.Cutoff), ops.FormatInterval(res.Retention))
				if len(res.Files) == 0 {
					out.what = fmt.Sprintf("no data file was removed or left uncommitted before %s (retention %s)",
						textfmt.Time(res.Cutoff), ops.FormatInterval(res.Retention))
				}
			}
		case ops.MaintainOptimize:
			p, err := mt.PlanOptimize(c, info, ops.OptimizeTargetSize)
			out.err, out.files, out.bytes = err, p.Files, p.Bytes
			out.what = fmt.Sprintf("pack %s (%s) in %s into %s near %s, the content unchanged",
				textfmt.Counted(int64(p.Files), "small file", "small files"), textfmt.Bytes(p.Bytes),
				textfmt.Counted(int64(p.Partitions), "partition", "partitions"), textfmt.Counted(int64(p.Bins), "file", "files"),
				textfmt.Bytes(ops.OptimizeTargetSize))
		case ops.MaintainCleanupLog:
			res, err := mt.CleanupLog(c, info, true)
			out.err = err
			if res != nil {
				out.files = len(res.Files)
				out.what = fmt.Sprintf("%s older than %s (retention %s)",
					textfmt.Counted(int64(len(res.Files)), "log file", "log files"), textfmt.Time(res.Cutoff), ops.FormatInterval(res.Retention))
			}
		}
		return out
	}, true
}

// planned asks about a dry run's outcome, or says there is nothing to do.
func (m *Model) planned(msg planMsg) {
	if msg.gen != m.gen {
		return
	}
	name := textfmt.Sanitize(msg.info.Name)
	switch {
	case msg.err != nil:
		m.focused().SetNote(textfmt.Sanitize(msg.err.Error()), true)
	case msg.files == 0 && msg.kind == ops.MaintainOptimize:
		m.focused().SetNote(fmt.Sprintf("optimize %s: nothing to pack — no partition has two or more small files", name), false)
	case msg.files == 0:
		m.focused().SetNote(fmt.Sprintf("%s %s: nothing to delete — %s", msg.kind, name, msg.what), false)
	case msg.kind == ops.MaintainOptimize:
		m.asking = &ask{kind: msg.kind, info: msg.info, question: fmt.Sprintf("optimize %s: %s?", name, msg.what)}
	default:
		m.asking = &ask{kind: msg.kind, info: msg.info, question: fmt.Sprintf("%s %s: delete %s?", msg.kind, name, msg.what)}
	}
}

// answer runs or drops the action asked about.
func (m *Model) answer(msg tea.KeyPressMsg) tea.Cmd {
	a := m.asking
	switch {
	case key.Matches(msg, m.keys.Confirm):
		m.asking = nil
		mt := m.svc.(Maintainer)
		return func() tea.Msg {
			id, err := mt.SubmitMaintenance(a.kind, a.info)
			if err != nil {
				return submittedMsg{err: err}
			}
			return submittedMsg{text: fmt.Sprintf("%s %s queued as job %d (see Runs)", a.kind, textfmt.Sanitize(a.info.Name), id)}
		}
	case key.Matches(msg, m.keys.Deny), key.Matches(msg, m.keys.Back):
		m.asking = nil
		m.focused().SetNote(fmt.Sprintf("%s %s: not run", a.kind, textfmt.Sanitize(a.info.Name)), false)
	}
	return nil
}

// submitted notes a queued job or why it was not queued.
func (m *Model) submitted(msg submittedMsg) {
	if msg.err != nil {
		m.focused().SetNote(textfmt.Sanitize(msg.err.Error()), true)
		return
	}
	m.focused().SetNote(msg.text, false)
}

// askLines are the footer while an action waits for y/n.
func (m *Model) askLines(th *ui.Theme, w int) []string {
	lines := screen.Question(m.asking.question, "y/n", w)
	for i, l := range lines {
		lines[i] = th.Warn.Render(l)
	}
	return lines
}

package files

import (
	"fmt"
	"path"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
)

// askRun is a run waiting for y/n: a whole folder, or a forced re-run.
type askRun struct {
	question, answers string
	spec              ops.JobSpec
}

// expandedMsg carries the raw files under the folders of a run.
type expandedMsg struct {
	files, folders []string
	force          bool
	all            bool         // R: every new raw file (files is empty)
	plan           ops.LoadPlan // what the run would take (not for a forced one)
	err            error
}

func (m *Model) inArchive() bool { return strings.HasPrefix(m.dir, m.archive) }

// run submits the selected files (or the file under the cursor) as a job;
// a folder in it runs every raw file under it, and a forced run re-runs
// files that were ingested — both ask first.
func (m *Model) run(ctx *ui.Context, force bool) tea.Cmd {
	if m.inArchive() {
		m.list.SetNote("archived files are not in the raw zone: a run takes raw files only (a to go back)", true)
		return nil
	}
	picked := m.list.Selected()
	if len(picked) == 0 {
		if e := m.entry(); e != nil {
			picked = []string{e.Key}
		}
	}
	if len(picked) == 0 {
		m.list.SetNote("nothing to run: select files with space, or put the cursor on a file (R runs all new files)", true)
		return nil
	}
	var files, folders []string
	for _, k := range picked {
		if strings.HasSuffix(k, "/") {
			folders = append(folders, k)
		} else {
			files = append(files, k)
		}
	}
	return m.planRun(ctx, expandedMsg{files: files, folders: folders, force: force})
}

// runAll runs every new raw file (R), saying so when there is none.
func (m *Model) runAll(ctx *ui.Context) tea.Cmd { return m.planRun(ctx, expandedMsg{all: true}) }

// planRun expands the folders and, for a run that is not forced, asks what
// it would take (ingested files are skipped), on the command's goroutine.
func (m *Model) planRun(ctx *ui.Context, out expandedMsg) tea.Cmd {
	svc, app := m.svc, ctx.App
	return func() tea.Msg {
		for _, dir := range out.folders {
			under, err := svc.RawFilesUnder(app, dir)
			if err != nil {
				out.err = err
				return out
			}
			out.files = append(out.files, under...)
		}
		if !out.force && (out.all || len(out.files) > 0) {
			out.plan, out.err = svc.PlanLoad(app, out.files, false, time.Now())
		}
		return out
	}
}

// expanded asks before running a folder or a forced re-run.
func (m *Model) expanded(msg expandedMsg) tea.Cmd {
	if msg.err != nil {
		m.list.SetNote(msg.err.Error(), true)
		return nil
	}
	if msg.all {
		if len(msg.plan.Files) == 0 {
			m.list.SetNote(msg.plan.NothingNew("F forces a re-run"), false)
			return nil
		}
		keys := msg.plan.Keys()
		// The files just planned, so the job does not list the raw zone again.
		return m.submit(ops.JobSpec{Title: "run all new files", Files: keys})
	}
	if len(msg.files) == 0 {
		m.list.SetNote("no raw file under "+strings.Join(msg.folders, ", "), true)
		return nil
	}
	what := textfmt.Counted(int64(len(msg.files)), "raw file", "raw files")
	if len(msg.folders) > 0 {
		what += " under " + strings.Join(shortNames(m.root, msg.folders), ", ")
	}
	if msg.force {
		q := fmt.Sprintf("force a re-run of %s? ingested ones load again (rows MERGE: updated, not doubled) ·", what)
		m.ask = &askRun{question: q, answers: "y/n · c: yes, checking every row", spec: m.spec(msg.files, true)}
		return nil
	}
	skipped := msg.plan.Skipped()
	switch {
	case skipped == len(msg.files) && len(msg.files) == 1:
		m.list.SetNote(path.Base(msg.files[0])+" is ingested already: F forces a re-run", false)
		return nil
	case skipped == len(msg.files):
		m.list.SetNote(fmt.Sprintf("all %s are ingested already: F forces a re-run", what), false)
		return nil
	case len(msg.folders) == 0 && skipped == 0:
		return m.start(msg.files, false) // the files picked, all new: no question
	}
	q := fmt.Sprintf("run the %s?", what)
	if skipped > 0 {
		q = fmt.Sprintf("run the %s? %s ingested already (F forces them) ·", what, textfmt.Count(int64(skipped)))
	}
	m.ask = &askRun{question: q, answers: "y/n", spec: m.spec(msg.files, false)}
	return nil
}

// answer handles y/n for a pending run.
func (m *Model) answer(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Confirm):
		spec := m.ask.spec
		m.ask = nil
		return m.startSpec(spec)
	case m.ask.spec.Force && key.Matches(msg, m.recheck):
		spec := m.ask.spec
		m.ask = nil
		spec.Recheck = true
		spec.Title += ", every row checked"
		return m.startSpec(spec)
	case key.Matches(msg, m.keys.Deny):
		m.ask = nil
		m.list.SetNote("not run", false)
	}
	return nil
}

func (m *Model) spec(files []string, force bool) ops.JobSpec {
	title := "run " + path.Base(files[0])
	if len(files) > 1 {
		title = "run " + textfmt.Counted(int64(len(files)), "file", "files")
	}
	if force {
		title = "force " + title
	}
	return ops.JobSpec{Title: title, Files: files, Force: force}
}

func (m *Model) start(files []string, force bool) tea.Cmd { return m.startSpec(m.spec(files, force)) }

func (m *Model) startSpec(spec ops.JobSpec) tea.Cmd {
	m.list.ClearSelection()
	for _, f := range spec.Files {
		m.running[f] = true
	}
	m.rebuild()
	return m.submit(spec)
}

// submit queues a job and follows it to the Runs view.
func (m *Model) submit(spec ops.JobSpec) tea.Cmd {
	svc := m.svc
	return func() tea.Msg {
		id, err := svc.Submit(spec)
		if err != nil {
			return ui.Notify{Text: err.Error(), Error: true}
		}
		return ui.Go{To: ui.ShowJob{ID: id}}
	}
}

func shortNames(root string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, root)
	}
	return out
}

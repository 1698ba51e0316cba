package query

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/ops"
	"github.com/lakeops/lakeops/internal/textfmt"
	"github.com/lakeops/lakeops/ui"
)

// exportedMsg reports an export.
type exportedMsg struct {
	res     *result
	path    string
	rows    int
	extra   [][]any // rows read past the view's, up to maxKeep in all
	dropped int     // rows read past the view's and not kept
	stats   ops.QueryStats
	drained bool // the export read the result (its cursor is closed)
	err     error
}

// exportJob is what an export command needs; it owns cur when set.
type exportJob struct {
	dir, format string
	now         time.Time
	cols        []ops.Column
	vals        [][]any // the rows the view holds (not modified)
	cur         *cursor // the rest of the result, or nil
	ctx         context.Context
	keep        int
	res         *result
	path        string // a file the user named ("" for dir/query-<time>.<ext>)
}

// askExport opens the export prompt when there is a result to export.
func (m *Model) askExport() {
	r := m.res
	switch {
	case r == nil || len(r.cols) == 0:
		m.setNote("nothing to export: run a query first", true)
	case r.running:
		m.setNote("wait for the query to finish (or cancel it with ctrl+x) before exporting", true)
	case m.exporting:
		m.setNote("an export is already running", true)
	case !r.done:
		m.list.AskExport("every row (the rest is read to the end)")
	default:
		m.list.AskExport("the shown rows")
	}
}

// ExportsToPath marks the view as taking :export PATH.
func (m *Model) ExportsToPath() string { return "the query result" }

// exportExts are the file extensions :export PATH takes and their formats.
func exportExts() map[string]string {
	return map[string]string{".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}
}

// exportTo exports the result to a path the user named (:export PATH): a
// file whose extension names the format, or a folder (CSV, named by time).
func (m *Model) exportTo(ctx *ui.Context, path string) tea.Cmd {
	switch r := m.res; {
	case r == nil || len(r.cols) == 0:
		m.setNote("nothing to export: run a query first", true)
		return nil
	case r.running:
		m.setNote("wait for the query to finish (or cancel it with ctrl+x) before exporting", true)
		return nil
	case m.exporting:
		m.setNote("an export is already running", true)
		return nil
	}
	t, err := ops.ParseExportTarget(path, exportExts(), "csv")
	if err != nil {
		m.setNote(err.Error(), true)
		return nil
	}
	return m.startExport(ctx, t.Format, t.Dir, t.File)
}

// export starts writing the result in a format to the export folder.
func (m *Model) export(ctx *ui.Context, format string) tea.Cmd {
	return m.startExport(ctx, format, m.exportDir, "")
}

func (m *Model) startExport(ctx *ui.Context, format, dir, file string) tea.Cmd {
	r := m.res
	ectx, cancel := context.WithCancel(ctx.App)
	job := exportJob{dir: dir, path: file, format: format, now: m.now(), cols: r.cols,
		vals: r.vals[:len(r.vals):len(r.vals)], cur: r.cur, ctx: ectx, keep: max(maxKeep-len(r.vals), 0), res: r}
	r.cur = nil // the export owns the rest of the result now
	m.exporting, m.exportCancel = true, cancel
	m.setNote(fmt.Sprintf("exporting %s… (ctrl+x cancels)", format), false)
	return exportCmd(job)
}

// exported takes an export's outcome: the rows it read past the view's
// are added (up to maxKeep) and the result is complete.
func (m *Model) exported(msg exportedMsg) tea.Cmd {
	m.exporting = false
	m.exportCancel()
	if r := m.res; r == msg.res && msg.drained {
		r.done = true
		if msg.err == nil {
			r.eof, r.stats = true, msg.stats
		}
		r.partial = msg.err != nil || msg.dropped > 0
		if len(msg.extra) > 0 {
			r.vals = append(r.vals, msg.extra...)
			m.list.AppendRows(cells(msg.extra)...)
		}
	}
	if msg.err != nil {
		m.setNote(msg.err.Error(), true)
		return nil
	}
	noun := "rows"
	if msg.rows == 1 {
		noun = "row"
	}
	text := fmt.Sprintf("exported %s %s to %s", textfmt.Count(int64(msg.rows)), noun, msg.path)
	if msg.dropped > 0 {
		text += " (" + textfmt.Rows(int64(msg.dropped)) + " are in the file only)"
	}
	m.setNote(text, false)
	return nil
}

// exportCmd writes every row of a result — the view's and the rest, read
// to the end — to query-<time>.<ext> in the export folder.
func exportCmd(job exportJob) tea.Cmd {
	return func() tea.Msg {
		msg := exportedMsg{res: job.res, drained: job.cur != nil}
		path, err := job.write(&msg)
		if job.cur != nil {
			if cerr := job.cur.close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			msg.err = fmt.Errorf("export the result: %w", err)
			return msg
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		msg.path = path
		return msg
	}
}

func (job *exportJob) write(msg *exportedMsg) (string, error) {
	t := ops.ExportTarget{File: job.path, Dir: job.dir, Format: job.format} // a named file is never replaced
	f, path, err := t.Create("query-" + job.now.Format("20060102-150405"))
	if err != nil {
		return "", err
	}
	err = job.writeTo(f, msg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

func (job *exportJob) writeTo(f io.Writer, msg *exportedMsg) error {
	bw := bufio.NewWriterSize(f, 64<<10)
	names := make([]string, len(job.cols))
	for i, c := range job.cols {
		names[i] = c.Name
	}
	w, err := ops.NewRowWriter(bw, job.format, names)
	if err != nil {
		return err
	}
	for _, row := range job.vals {
		if err := w.Write(row); err != nil {
			return err
		}
	}
	msg.rows = len(job.vals)
	if c := job.cur; c != nil {
		for {
			row, err := c.rows.Next(job.ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("read the rest of the result after %d rows: %w", msg.rows, err)
			}
			if err := w.Write(row); err != nil {
				return err
			}
			msg.rows++
			if len(msg.extra) < job.keep {
				msg.extra = append(msg.extra, row)
			} else {
				msg.dropped++
			}
		}
		msg.stats = c.rows.Stats()
	}
	if err := w.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

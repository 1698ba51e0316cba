package queryview

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/parquet-go/parquet-go"

	"github.com/lakeops/lakeops/aws/query"
	"github.com/lakeops/lakeops/etl/delta"
	"github.com/lakeops/lakeops/etl/rowfmt"
	exportfile "github.com/lakeops/lakeops/views/internal/export"
)

// exportedMsg reports an export.
type exportedMsg struct {
	res     *result
	path    string
	rows    int
	extra   [][]any // rows read past the view's, up to maxKeep in all
	dropped int     // rows read past the view's and not kept
	stats   query.Stats
	drained bool // the export read the result (its cursor is closed)
	err     error
}

// exportJob is what an export command needs; it owns cur when set.
type exportJob struct {
	dir, format string
	now         time.Time
	cols        []query.Column
	vals        [][]any // the rows the view holds (not modified)
	cur         *cursor // the rest of the result, or nil
	ctx         context.Context
	keep        int
	res         *result
}

// exportFormat maps a key of the export prompt to a format (the file extension).
func exportFormat(k string) (string, bool) {
	switch k {
	case "c":
		return "csv", true
	case "j":
		return "jsonl", true
	case "p":
		return "parquet", true
	}
	return "", false
}

func (m *Model) askExport() {
	r := m.res
	switch {
	case r == nil || len(r.cols) == 0:
		m.setNote("nothing to export: run a query first", true)
	case r.running:
		m.setNote("wait for the query to finish (or cancel it with ctrl+x) before exporting", true)
	case m.exporting:
		m.setNote("an export is already running", true)
	default:
		m.prompt = true
	}
}

func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	m.prompt = false
	format, ok := exportFormat(msg.String())
	if !ok {
		m.setNote("export cancelled", false)
		return nil
	}
	r := m.res
	ctx, cancel := context.WithCancel(context.Background())
	job := exportJob{dir: m.exportDir, format: format, now: m.now(), cols: r.cols,
		vals: r.vals[:len(r.vals):len(r.vals)], cur: r.cur, ctx: ctx, keep: max(maxKeep-len(r.vals), 0), res: r}
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
			m.table.AppendRows(cells(msg.extra)...)
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
	text := fmt.Sprintf("exported %d %s to %s", msg.rows, noun, msg.path)
	if msg.dropped > 0 {
		text += fmt.Sprintf(" (%d rows are in the file only)", msg.dropped)
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

// rowWriter writes rows in one format.
type rowWriter interface {
	Write(row []any) error
	Close() error // flushes; the file is closed by the caller
}

func (job *exportJob) write(msg *exportedMsg) (string, error) {
	f, path, err := exportfile.Create(job.dir, "query-"+job.now.Format("20060102-150405"), job.format)
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
	names := uniqueNames(job.cols)
	var w rowWriter
	switch job.format {
	case "csv":
		w = newCSVWriter(bw, names)
	case "jsonl":
		w = jsonlWriter{rowfmt.NewJSONL(bw, names)}
	default:
		w = newParquetWriter(bw, names)
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

// uniqueNames are the column names, made unique (id, id_2) for formats
// keyed by name.
func uniqueNames(cols []query.Column) []string {
	seen := map[string]bool{}
	out := make([]string, len(cols))
	for i, c := range cols {
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("column%d", i+1)
		}
		for n := 2; seen[name]; n++ {
			name = fmt.Sprintf("%s_%d", c.Name, n)
		}
		seen[name] = true
		out[i] = name
	}
	return out
}

// GuardFormula prefixes a CSV cell that a spreadsheet would run as a
// formula (it starts with =, +, -, @, a tab or a carriage return) with a
// single quote. Plain numbers (-12.5) are left alone: they are not formulas.
func GuardFormula(s string) string { return exportfile.GuardFormula(s, true) }

type csvWriter struct {
	w     *csv.Writer
	cells []string
}

func newCSVWriter(w io.Writer, names []string) *csvWriter {
	c := &csvWriter{w: csv.NewWriter(w), cells: make([]string, len(names))}
	for i, n := range names {
		c.cells[i] = GuardFormula(n)
	}
	_ = c.w.Write(c.cells) // errors surface at Close
	return c
}

func (c *csvWriter) Write(row []any) error {
	for i := range c.cells {
		c.cells[i] = ""
		if i < len(row) {
			c.cells[i] = GuardFormula(rowfmt.Text(row[i]))
		}
	}
	return c.w.Write(c.cells)
}

func (c *csvWriter) Close() error { c.w.Flush(); return c.w.Error() }

type jsonlWriter struct{ w rowfmt.Writer }

func (j jsonlWriter) Write(row []any) error { return j.w.Write(row) }
func (j jsonlWriter) Close() error          { return j.w.Flush() }

// parquetWriter writes every column as an optional UTF-8 string (the
// values as the CSV export renders them; null stays null).
type parquetWriter struct {
	w     *parquet.Writer
	batch []parquet.Row
	n     int
}

func newParquetWriter(w io.Writer, names []string) *parquetWriter {
	group := parquet.Group{}
	for _, n := range names {
		group[n] = parquet.Optional(parquet.String())
	}
	schema := parquet.NewSchema("query", delta.OrderedGroup{Group: group, Order: names})
	return &parquetWriter{w: parquet.NewWriter(w, schema, parquet.Compression(&parquet.Snappy)),
		batch: make([]parquet.Row, 0, 1024), n: len(names)}
}

func (p *parquetWriter) Write(row []any) error {
	prow := make(parquet.Row, p.n)
	for i := range p.n {
		if i >= len(row) || row[i] == nil {
			prow[i] = parquet.NullValue().Level(0, 0, i)
			continue
		}
		prow[i] = parquet.ByteArrayValue([]byte(rowfmt.Text(row[i]))).Level(0, 1, i)
	}
	p.batch = append(p.batch, prow)
	if len(p.batch) == cap(p.batch) {
		return p.flush()
	}
	return nil
}

func (p *parquetWriter) flush() error {
	if _, err := p.w.WriteRows(p.batch); err != nil {
		return fmt.Errorf("encode parquet: %w", err)
	}
	p.batch = p.batch[:0]
	return nil
}

func (p *parquetWriter) Close() error {
	if err := p.flush(); err != nil {
		return err
	}
	if err := p.w.Close(); err != nil {
		return fmt.Errorf("encode parquet: %w", err)
	}
	return nil
}

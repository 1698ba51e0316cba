package rejectsview

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/etl/rejects"
	exportfile "github.com/lakeops/lakeops/views/internal/export"
)

// exportColumns are the exported fields, in order.
func exportColumns() []string {
	return []string{"dataset", "file", "line", "reasons", "status", "run_id", "rejected_at", "raw"}
}

// exportRecord is one row in a JSON export.
type exportRecord struct {
	Dataset    string   `json:"dataset"`
	File       string   `json:"file"`
	Line       int64    `json:"line"`
	Reasons    []string `json:"reasons"`
	Status     string   `json:"status"`
	RunID      string   `json:"run_id"`
	RejectedAt string   `json:"rejected_at"`
	Raw        string   `json:"raw"`
}

func record(ds string, r rejects.Row) exportRecord {
	reasons := r.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return exportRecord{Dataset: ds, File: r.File, Line: r.Line, Reasons: reasons, Status: r.Status,
		RunID: r.RunID, RejectedAt: r.RejectedAt.UTC().Format(time.RFC3339Nano), Raw: r.Raw}
}

// GuardFormula prefixes a cell that a spreadsheet would run as a formula
// (it starts with =, +, -, @, or a tab or carriage return) with a single
// quote; raw records are text, so a leading "-" is guarded too.
func GuardFormula(s string) string { return exportfile.GuardFormula(s, false) }

// exportCmd writes rows to rejects-<dataset>-<time>.<format> in dir
// (never replacing a file: a suffix is added when the name is taken).
func exportCmd(dir, ds, format string, now time.Time, rows []rejects.Row) tea.Cmd {
	return func() tea.Msg {
		path, err := export(dir, ds, format, now, rows)
		if err != nil {
			return exportedMsg{err: fmt.Errorf("export rejected rows: %w", err)}
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return exportedMsg{path: path, rows: len(rows)}
	}
}

func export(dir, ds, format string, now time.Time, rows []rejects.Row) (string, error) {
	f, path, err := exportfile.Create(dir, fmt.Sprintf("rejects-%s-%s", ds, now.Format("20060102-150405")), format)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	if format == "json" {
		err = writeJSON(w, ds, rows)
	} else {
		err = writeCSV(w, ds, rows)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

func writeCSV(w io.Writer, ds string, rows []rejects.Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportColumns()); err != nil {
		return err
	}
	cells := make([]string, len(exportColumns()))
	for _, r := range rows {
		rec := record(ds, r)
		cells[0], cells[1], cells[2] = rec.Dataset, rec.File, strconv.FormatInt(rec.Line, 10)
		cells[3], cells[4], cells[5] = strings.Join(rec.Reasons, ";"), rec.Status, rec.RunID
		cells[6], cells[7] = rec.RejectedAt, rec.Raw
		for i := range cells {
			cells[i] = GuardFormula(cells[i])
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, ds string, rows []rejects.Row) error {
	out := make([]exportRecord, len(rows))
	for i, r := range rows {
		out[i] = record(ds, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

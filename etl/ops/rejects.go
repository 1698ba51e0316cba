package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/rejects"
	"github.com/lakeops/lakeops/etl/rowfmt"
)

// Rejects reads the rejected rows of one dataset that match f.
func (o *Ops) Rejects(ctx context.Context, datasetName string, f RejectFilter) ([]RejectRow, error) {
	rows, err := rejects.Read(ctx, o.lake, datasetName, f)
	if err != nil {
		return nil, fmt.Errorf("read rejected rows of %s: %w", datasetName, err)
	}
	return rows, nil
}

// RejectColumns are the fields of an exported rejected row, in order.
func RejectColumns() []string {
	return []string{"dataset", "file", "line", "reasons", "status", "run_id", "rejected_at", "raw"}
}

// rejectRecord is one exported rejected row (the JSON shape).
type rejectRecord struct {
	Dataset    string   `json:"dataset"`
	File       string   `json:"file"`
	Line       int64    `json:"line"`
	Reasons    []string `json:"reasons"`
	Status     string   `json:"status"`
	RunID      string   `json:"run_id"`
	RejectedAt string   `json:"rejected_at"`
	Raw        string   `json:"raw"`
}

func newRejectRecord(ds string, r RejectRow) rejectRecord {
	reasons := r.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return rejectRecord{Dataset: ds, File: r.File, Line: r.Line, Reasons: reasons, Status: r.Status,
		RunID: r.RunID, RejectedAt: r.RejectedAt.UTC().Format(time.RFC3339Nano), Raw: r.Raw}
}

// RejectWriter writes rejected rows in one of the export formats, the
// same from the console and the CLI: "csv" (a header, then one line a
// row, reasons joined by ";", every cell formula-guarded), "json" (one
// array of objects, one a line) or "jsonl" (the same objects, one a line,
// without the array).
type RejectWriter struct {
	format string
	w      *bufio.Writer
	csv    rowfmt.Writer
	n      int
}

// NewRejectWriter starts writing rejected rows to w.
func NewRejectWriter(w io.Writer, format string) (*RejectWriter, error) {
	rw := &RejectWriter{format: format, w: bufio.NewWriter(w)}
	switch format {
	case "csv":
		c, err := rowfmt.NewGuardedCSV(rw.w, RejectColumns(), false)
		if err != nil {
			return nil, err
		}
		rw.csv = c
	case "json":
		rw.w.WriteString("[")
	case "jsonl":
	default:
		return nil, fmt.Errorf("export format must be csv, json or jsonl, not %q", format)
	}
	return rw, nil
}

// Write writes one rejected row of a dataset.
func (rw *RejectWriter) Write(ds string, r RejectRow) error {
	rec := newRejectRecord(ds, r)
	rw.n++
	if rw.csv != nil {
		return rw.csv.Write([]any{rec.Dataset, rec.File, strconv.FormatInt(rec.Line, 10),
			strings.Join(rec.Reasons, ";"), rec.Status, rec.RunID, rec.RejectedAt, rec.Raw})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if rw.format == "jsonl" {
		_, err = rw.w.Write(append(b, '\n'))
		return err
	}
	if rw.n > 1 {
		rw.w.WriteString(",")
	}
	rw.w.WriteString("\n  ")
	_, err = rw.w.Write(b)
	return err
}

// Close ends the output and flushes it.
func (rw *RejectWriter) Close() error {
	if rw.csv != nil {
		if err := rw.csv.Flush(); err != nil {
			return err
		}
	} else if rw.format == "json" {
		if rw.n > 0 {
			rw.w.WriteString("\n")
		}
		rw.w.WriteString("]\n")
	}
	return rw.w.Flush()
}

// ExportRejects writes rows of a dataset to a new file
// rejects-<dataset>-<time>.<format> in dir (never replacing a file) and
// returns its absolute path.
func ExportRejects(dir string, now time.Time, ds, format string, rows []RejectRow) (string, error) {
	return ExportRejectsTo(ExportTarget{Dir: dir, Format: format}, now, ds, rows)
}

// ExportRejectsTo writes rows of dataset ds to the target (a file the user
// named, never replaced, or a folder as ExportRejects does) and returns the
// file's absolute path; a file that fails half-way is removed.
func ExportRejectsTo(t ExportTarget, now time.Time, ds string, rows []RejectRow) (string, error) {
	f, path, err := t.Create(fmt.Sprintf("rejects-%s-%s", ds, now.Format("20060102-150405")))
	if err != nil {
		return "", fmt.Errorf("export rejected rows: %w", err)
	}
	err = writeRejects(f, ds, t.Format, rows)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("export rejected rows: write %s: %w", path, err)
	}
	return path, nil
}

// RejectExportExts are the file extensions a rejects export takes and
// their formats.
func RejectExportExts() map[string]string {
	return map[string]string{".csv": "csv", ".json": "json", ".jsonl": "jsonl"}
}

func writeRejects(w io.Writer, ds, format string, rows []RejectRow) error {
	rw, err := NewRejectWriter(w, format)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := rw.Write(ds, r); err != nil {
			return err
		}
	}
	return rw.Close()
}

// FieldCheck is one column of a rejected row, re-read with its file's
// header and checked again.
type FieldCheck struct {
	Column  string
	Type    string // e.g. "long", "decimal(12,2)", "string?" (optional)
	Raw     string // the raw cell
	Verdict string // "ok", "ok (optional, null)", or the reasons that blame the column
	Bad     bool   // the cell breaks a rule
}

// InspectReject re-reads a rejected row's raw record with its file's
// header and says, column by column, what the row rules think of it; the
// reference reasons only the run could know are kept from the row.
func InspectReject(datasetName string, r RejectRow) ([]FieldCheck, error) {
	ds, err := dataset.ByName(datasetName)
	if err != nil {
		return nil, err
	}
	chk, err := recheck(ds, r.Header, r.RawBytes())
	if err != nil {
		return nil, err
	}
	blame := columnReasons(ds, chk.Reasons)
	malformed := slices.Contains(chk.Reasons, dataset.ReasonMalformed)
	if malformed {
		// A record that does not fit its header blames no one column:
		// RejectNotes says how many fields it has.
		for i := range blame {
			blame[i] = slices.DeleteFunc(blame[i], func(c string) bool { return c == dataset.ReasonMalformed })
			chk.Bad[i] = false
		}
		for i := range chk.Cells {
			if chk.Cells[i] == "" {
				chk.Cells[i] = "(none)"
			}
		}
	}
	for _, code := range r.Reasons {
		if kind, col, _ := strings.Cut(code, ":"); kind == "reference" {
			if i := ds.Index(col); i >= 0 && !slices.Contains(blame[i], code) {
				blame[i] = append(blame[i], code+" (from the run)")
			}
		}
	}
	out := make([]FieldCheck, len(ds.Columns))
	for i, c := range ds.Columns {
		verdict := "ok"
		switch {
		case len(blame[i]) > 0:
			verdict = strings.Join(blame[i], " ")
		case malformed: // its cells are not where the header says: nothing to check
			verdict = "not checked (malformed record)"
		case chk.Bad[i]:
			verdict = "not valid UTF-8 (encoding)"
		case chk.Cells[i] == "" && c.Optional:
			verdict = "ok (optional, null)"
		}
		typ := typeName(c.Type)
		if c.Optional {
			typ += "?"
		}
		out[i] = FieldCheck{Column: c.Name, Type: typ, Raw: chk.Cells[i], Verdict: verdict,
			Bad: len(blame[i]) > 0 || chk.Bad[i]}
	}
	return out, nil
}

func typeName(t dataset.Type) string {
	switch t {
	case dataset.Long:
		return "long"
	case dataset.Int:
		return "int"
	case dataset.String:
		return "string"
	case dataset.Timestamp:
		return "timestamp"
	case dataset.Decimal:
		return "decimal(12,2)"
	case dataset.Date:
		return "date"
	case dataset.Bool:
		return "boolean"
	}
	return "?"
}

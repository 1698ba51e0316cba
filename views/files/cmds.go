package files

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/lakeops/lakeops/aws/storage"
	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/etl/jobs"
	"github.com/lakeops/lakeops/etl/lake"
	"github.com/lakeops/lakeops/etl/ledger"
	"github.com/lakeops/lakeops/etl/pipeline"
	"github.com/lakeops/lakeops/ui"
	"github.com/lakeops/lakeops/views/internal/rowcheck"
	"github.com/lakeops/lakeops/views/runs"
)

// Sizes of the lazy listing and the preview.
const (
	pageSize       = 500 // entries per listing page
	loadAhead      = 50  // load the next page when the cursor is this close to the end
	previewRecords = 200 // records shown in a preview
)

// listedMsg is one page of a folder listing.
type listedMsg struct {
	gen   int
	infos []storage.ObjectInfo
	more  bool // the listing has more entries after these
	err   error
}

// ledgerMsg carries the ingest log, by file key.
type ledgerMsg struct {
	gen     int
	entries map[string][]ledger.Entry
	err     error
}

// validatedMsg is the outcome of a dry run on one file.
type validatedMsg struct {
	gen int
	key string
	sum *pipeline.Summary
	err error
}

// previewMsg is the first records of a file, checked against the row rules.
type previewMsg struct {
	gen      int
	key      string
	dataset  string
	columns  []string   // line, the dataset's columns, reasons
	rows     [][]string // raw cells
	bad      [][]bool   // per row and column: the cell breaks a rule
	problems int        // rows that break a rule
	warnings []string
	err      error
}

// listCmd lists one page of a folder, one level deep, after the key after.
func listCmd(st storage.Store, dir, after string, gen int) tea.Cmd {
	return func() tea.Msg {
		var out []storage.ObjectInfo
		opts := storage.ListOptions{Delimited: true, StartAfter: after}
		for info, err := range st.List(context.Background(), dir, opts) {
			if err != nil {
				return listedMsg{gen: gen, err: fmt.Errorf("list %s: %w", dir, err)}
			}
			if len(out) == pageSize {
				return listedMsg{gen: gen, infos: out, more: true}
			}
			out = append(out, info)
		}
		return listedMsg{gen: gen, infos: out}
	}
}

// ledgerCmd reads the ingest log.
func ledgerCmd(lk *lake.Lake, gen int) tea.Cmd {
	return func() tea.Msg {
		entries, err := ledger.Open(lk).Entries(context.Background())
		if err != nil {
			return ledgerMsg{gen: gen, err: fmt.Errorf("read the ingest log: %w", err)}
		}
		byFile := map[string][]ledger.Entry{}
		for _, e := range entries {
			byFile[e.File] = append(byFile[e.File], e)
		}
		return ledgerMsg{gen: gen, entries: byFile}
	}
}

// validateCmd dry-runs the pipeline on one file: nothing is written.
func validateCmd(lk *lake.Lake, key string, gen int) tea.Cmd {
	return func() tea.Msg {
		sum, err := pipeline.Run(context.Background(), lk, pipeline.Options{DryRun: true, Files: []string{key}})
		if err != nil {
			err = fmt.Errorf("validate %s: %w", key, err)
		}
		return validatedMsg{gen: gen, key: key, sum: sum, err: err}
	}
}

// submitCmd queues a job and switches to the Runs view on it.
func submitCmd(jm *jobs.Manager, spec jobs.Spec) tea.Cmd {
	return func() tea.Msg {
		id := jm.Submit(spec)
		return ui.SwitchTo{Title: "Runs", Then: runs.ShowJob{ID: id}}
	}
}

// previewCmd reads the first records of a file through the store and checks
// each against the row rules of its dataset (no dedup, no references).
func previewCmd(st storage.Store, key string, gen int) tea.Cmd {
	return func() tea.Msg {
		msg, err := preview(context.Background(), st, key)
		if err != nil {
			return previewMsg{gen: gen, key: key, err: fmt.Errorf("preview %s: %w", key, err)}
		}
		msg.gen = gen
		return msg
	}
}

func preview(ctx context.Context, st storage.Store, key string) (previewMsg, error) {
	msg := previewMsg{key: key}
	ds, ok := dataset.Detect(key)
	if !ok {
		return msg, errors.New("cannot tell the dataset from the file or folder name")
	}
	msg.dataset = ds.Name
	rc, err := st.Open(ctx, key, 0, -1)
	if err != nil {
		return msg, err
	}
	defer rc.Close()
	var src io.Reader = rc
	if strings.HasSuffix(strings.ToLower(key), ".gz") {
		zr, err := gzip.NewReader(rc)
		if err != nil {
			return msg, fmt.Errorf("not a readable gzip file: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	r := csvread.NewReader(src, csvread.Options{BufferSize: 64 << 10})
	hdr, err := r.Next()
	if errors.Is(err, io.EOF) {
		return msg, errors.New("the file is empty: no header")
	}
	if err != nil {
		return msg, err
	}
	if hdr.Err != nil {
		return msg, fmt.Errorf("the header is not valid CSV: %w", hdr.Err)
	}
	m, err := ds.MapHeader(hdr.Fields)
	if err != nil {
		return msg, err
	}
	msg.warnings = m.Warnings
	msg.columns = append(msg.columns, "line")
	for _, c := range ds.Columns {
		msg.columns = append(msg.columns, c.Name)
	}
	msg.columns = append(msg.columns, "reasons")
	vals := make([]dataset.Value, len(ds.Columns))
	for len(msg.rows) < previewRecords {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return msg, err
		}
		chk := rowcheck.Check(m, rec, vals)
		row := append(append([]string{fmt.Sprint(chk.Line)}, chk.Cells...), strings.Join(chk.Reasons, " "))
		bad := append(append([]bool{false}, chk.Bad...), len(chk.Reasons) > 0)
		if chk.Raw != "" && chk.Cells[0] == "" {
			row[1] = chk.Raw // a record that could not be split: show its text
		}
		if len(chk.Reasons) > 0 {
			msg.problems++
		}
		msg.rows = append(msg.rows, row)
		msg.bad = append(msg.bad, bad)
	}
	return msg, nil
}

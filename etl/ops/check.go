package ops

// The row rules applied to single records, for previews and the detail of
// a rejected row: which cells of a record break a rule (to highlight
// them), and a rejected row re-read with its file's header into named
// fields. Nothing is written and no duplicates or references are checked.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
)

// columnReasons maps reason codes to the dataset columns they blame:
// required:, type:, timestamp:, date: and range: name their column;
// mismatch:date blames order_timestamp and date; malformed blames every
// column. Row-level codes (encoding, duplicate, superseded, reference:)
// blame none here.
func columnReasons(ds *dataset.Dataset, reasons []string) [][]string {
	out := make([][]string, len(ds.Columns))
	for _, r := range reasons {
		kind, col, _ := strings.Cut(r, ":")
		switch kind {
		case "required", "type", "timestamp", "date", "range":
			if i := ds.Index(col); i >= 0 {
				out[i] = append(out[i], r)
			}
		case "mismatch":
			if ds.Timestamp >= 0 && ds.Date >= 0 {
				out[ds.Timestamp] = append(out[ds.Timestamp], r)
				out[ds.Date] = append(out[ds.Date], r)
			}
		case dataset.ReasonMalformed:
			for i := range out {
				out[i] = append(out[i], r)
			}
		}
	}
	return out
}

// checkedRow is a record checked against the row rules: one cell per
// dataset column (raw text), which cells break a rule, and all reason codes.
type checkedRow struct {
	Line    int
	Cells   []string
	Bad     []bool
	Reasons []string
	// Raw is the record's text when it could not be split into fields.
	Raw string
}

// check checks one record read with the mapping's header. vals is scratch
// space of one value per dataset column.
func check(m *dataset.Mapping, rec *csvread.Record, vals []dataset.Value) checkedRow {
	ds := m.Dataset
	row := checkedRow{Line: rec.Line, Cells: make([]string, len(ds.Columns)), Bad: make([]bool, len(ds.Columns))}
	if rec.Err != nil || rec.NumFields() != m.NumField {
		row.Raw = string(rec.Raw)
		row.Reasons = []string{dataset.ReasonMalformed}
		for i := range row.Bad {
			row.Bad[i] = true
		}
		if rec.Err == nil {
			row.fill(m, rec)
		}
		return row
	}
	row.fill(m, rec)
	row.Reasons = m.Check(rec, rec.Raw, vals, nil)
	for i, rs := range columnReasons(ds, row.Reasons) {
		row.Bad[i] = row.Bad[i] || len(rs) > 0
	}
	return row
}

func (row *checkedRow) fill(m *dataset.Mapping, rec *csvread.Record) {
	for ci := range m.Dataset.Columns {
		if p := m.Pos[ci]; p >= 0 {
			f := rec.Field(p)
			row.Cells[ci] = string(f)
			if !utf8.Valid(f) {
				row.Bad[ci] = true
			}
		}
	}
}

// recheck re-reads a rejected row's raw record with its file's header line
// and applies the row rules again.
func recheck(ds *dataset.Dataset, header string, raw []byte) (checkedRow, error) {
	hr := csvread.NewReader(strings.NewReader(header), csvread.Options{})
	hrec, err := hr.Next()
	if err != nil {
		return checkedRow{}, fmt.Errorf("read the stored header: %w", err)
	}
	if hrec.Err != nil {
		return checkedRow{}, fmt.Errorf("the stored header is not valid CSV: %w", hrec.Err)
	}
	m, err := ds.MapHeader(hrec.Fields)
	if err != nil {
		return checkedRow{}, fmt.Errorf("map the stored header: %w", err)
	}
	rr := csvread.NewReader(bytes.NewReader(raw), csvread.Options{})
	rec, err := rr.Next()
	if errors.Is(err, io.EOF) {
		return checkedRow{Cells: make([]string, len(ds.Columns)), Bad: make([]bool, len(ds.Columns)),
			Reasons: []string{dataset.ReasonMalformed}}, nil
	}
	if err != nil {
		return checkedRow{}, fmt.Errorf("read the raw record: %w", err)
	}
	return check(m, rec, make([]dataset.Value, len(ds.Columns))), nil
}

package ops

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/lakeops/lakeops/etl/csvread"
	"github.com/lakeops/lakeops/etl/dataset"
	"github.com/lakeops/lakeops/internal/textfmt"
)

// RejectNotes say, in words, why a rejected row was rejected where its
// fields alone do not tell: a malformed record's field count against its
// header's, which row a duplicate or superseded one lost to, where a
// reference was looked for, and what a date, timestamp, required value or
// encoding must be. One line per reason that needs one (a type or range
// code names its column's rule in the field view).
func RejectNotes(datasetName string, r RejectRow) []string {
	ds, err := dataset.ByName(datasetName)
	if err != nil {
		return nil
	}
	header, _ := firstRecord([]byte(r.Header))
	rec, recErr := firstRecord(r.RawBytes())
	key := ""
	if header != nil && rec != nil && rec.Err == nil {
		if m, err := ds.MapHeader(header.Fields); err == nil && m.Pos[ds.Key] >= 0 && m.Pos[ds.Key] < rec.NumFields() {
			key = string(rec.Field(m.Pos[ds.Key]))
		}
	}
	keyName := ds.Columns[ds.Key].Name
	lookup := fmt.Sprintf("SELECT * FROM %s WHERE %s = %s", ds.Name, keyName, key)
	var out []string
	for _, code := range r.Reasons {
		kind, col, _ := strings.Cut(code, ":")
		switch {
		case kind == dataset.ReasonMalformed:
			switch {
			case recErr != nil || rec == nil:
				out = append(out, "malformed: the record could not be read as CSV")
			case rec.Err != nil:
				out = append(out, "malformed: "+inFile(rec.Err, r.Line).Error())
			case header != nil:
				out = append(out, fmt.Sprintf("malformed: the record has %s, the header has %d",
					textfmt.Counted(int64(rec.NumFields()), "field", "fields"), header.NumFields()))
			}
		case kind == dataset.ReasonDuplicate && key != "":
			out = append(out, fmt.Sprintf("duplicate: an identical row with %s %s was kept; %s shows it", keyName, key, lookup))
		case kind == dataset.ReasonSuperseded && key != "":
			why := "a later order_timestamp (or the same one, later in the input)"
			if ds.Timestamp < 0 {
				why = "a place later in the input"
			}
			out = append(out, fmt.Sprintf("superseded: another row with %s %s and %s was kept; %s shows it", keyName, key, why, lookup))
		case kind == "timestamp":
			out = append(out, fmt.Sprintf("%s: %s must be a date and time, YYYY-MM-DD HH:MM[:SS[.fraction]] (T or a space between), with Z or ±HH:MM or none (UTC)", code, col))
		case kind == "date":
			out = append(out, fmt.Sprintf("%s: %s must be a calendar date, YYYY-MM-DD", code, col))
		case code == dataset.ReasonMismatch:
			out = append(out, "mismatch:date: date is not the day (UTC) of order_timestamp")
		case kind == dataset.ReasonEncoding:
			out = append(out, "encoding: the record is not valid UTF-8 text")
		case kind == "required":
			out = append(out, fmt.Sprintf("%s: %s is empty, and the table needs a value", code, col))
		case kind == "reference":
			out = append(out, fmt.Sprintf("%s: the %s is neither in its table nor among the run's accepted rows (a reprocess after that table is loaded tries again)", code, col))
		}
	}
	return out
}

// inFile is a parse error of a record read on its own with its lines
// counted in the file the record starts on line start of.
func inFile(err error, start int64) error {
	var pe *csvread.ParseError
	if !errors.As(err, &pe) || start < 1 {
		return err
	}
	c := *pe
	c.Line += int(start) - 1
	c.StartLine += int(start) - 1
	return &c
}

// firstRecord reads the first CSV record of b.
func firstRecord(b []byte) (*csvread.Record, error) {
	return csvread.NewReader(bytes.NewReader(b), csvread.Options{}).Next()
}

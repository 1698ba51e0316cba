package dataset

import (
	"bytes"

	"fmt"
	"github.com/lakeops/lakeops/etl/delta"
	"strings"
	"unicode/utf8"
)

// Reason codes that are not tied to a column.
const (
	ReasonMalformed  = "malformed"
	ReasonEncoding   = "encoding"
	ReasonDuplicate  = "duplicate"
	ReasonSuperseded = "superseded"
	ReasonMismatch   = "mismatch:date"
)

// Value is one typed cell. Long, Int, Timestamp (µs), Decimal (hundredths),
// Date (days) and Bool (0/1) use I; String uses S. It is the Delta writer's
// unboxed cell, so accepted rows go to Parquet without conversion.
type Value = delta.Cell

// Mapping maps dataset columns to positions in a file's records.
type Mapping struct {
	Dataset  *Dataset
	Pos      []int // per dataset column, its field index in the file; -1 if absent (optional only)
	NumField int   // number of fields in the header
	Warnings []string
	plan     []colPlan // per dataset column, how to check it
}

// HeaderError is a file-level problem with the header.
type HeaderError struct{ Msg string }

func (e *HeaderError) Error() string { return e.Msg }

// MapHeader matches a header (names trimmed, case-insensitive, any order)
// to the dataset. A missing required column is an error naming it; extra
// columns are ignored with a warning; a repeated name is an error.
func (d *Dataset) MapHeader(header [][]byte) (*Mapping, error) {
	m := &Mapping{Dataset: d, Pos: make([]int, len(d.Columns)), NumField: len(header)}
	for i := range m.Pos {
		m.Pos[i] = -1
	}
	seen := map[string]int{}
	for fi, raw := range header {
		name := strings.ToLower(strings.TrimSpace(string(raw)))
		if fi == 0 {
			name = strings.TrimPrefix(name, "\ufeff")
		}
		if prev, dup := seen[name]; dup && name != "" {
			return nil, &HeaderError{Msg: fmt.Sprintf("header names column %q twice (fields %d and %d)", name, prev+1, fi+1)}
		}
		seen[name] = fi
		if ci := d.Index(name); ci >= 0 {
			m.Pos[ci] = fi
		} else {
			m.Warnings = append(m.Warnings, fmt.Sprintf("extra column %q (field %d) ignored", clipName(name), fi+1))
		}
	}
	var missing []string
	for ci, c := range d.Columns {
		if m.Pos[ci] < 0 && !c.Optional {
			missing = append(missing, c.Name)
		}
	}
	if len(missing) > 0 {
		return nil, &HeaderError{Msg: fmt.Sprintf("header lacks required column(s) %s of dataset %s", strings.Join(missing, ", "), d.Name)}
	}
	m.plan = newPlan(m)
	return m, nil
}

// clipName cuts a header name for a message and makes it valid UTF-8 (the
// screen escapes the rest when it draws the message).
func clipName(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Record is what the row rules need of a CSV record.
type Record interface {
	NumFields() int
	Field(i int) []byte
}

// Check applies the row rules to a well-formed record, filling vals (one per
// dataset column) and appending every broken rule's reason code to reasons.
// raw is the record's source text (for the encoding rule). Hot loops use a
// Checker per goroutine instead.
func (m *Mapping) Check(rec Record, raw []byte, vals []Value, reasons []string) []string {
	fields := make([][]byte, rec.NumFields())
	for i := range fields {
		fields[i] = rec.Field(i)
	}
	return m.NewChecker().Check(fields, raw, false, vals, reasons)
}

// KeyOf returns a record's key parsed exactly as Check parses it; ok is
// false when Check would reject the record for its field count or its key.
// It is the pipeline's cheap first look at a file (which keys repeat).
func (m *Mapping) KeyOf(rec Record) (key int64, ok bool) {
	if rec.NumFields() != m.NumField || m.Pos[m.Dataset.Key] < 0 {
		return 0, false
	}
	return m.ParseKey(rec.Field(m.Pos[m.Dataset.Key]))
}

// ParseKey parses a key field exactly as Check parses it (the caller checks
// the record's field count).
func (m *Mapping) ParseKey(b []byte) (key int64, ok bool) {
	b = trimSpace(b)
	switch m.Dataset.Columns[m.Dataset.Key].Type {
	case Long:
		return parseInt(b, 64)
	case Int:
		return parseInt(b, 32)
	}
	return 0, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Equal reports whether two rows of typed values are identical.
func Equal(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// JoinReasons renders reason codes as stored in the rejects tables.
func JoinReasons(reasons []string) string { return strings.Join(reasons, ";") }

// SplitReasons parses reason codes as stored in the rejects tables.
func SplitReasons(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// EscapeRaw renders a raw record as valid UTF-8 text: invalid bytes become
// \xNN escapes (and a backslash is doubled only when escaping was needed).
func EscapeRaw(raw []byte) (string, bool) {
	if utf8.Valid(raw) {
		return string(raw), false
	}
	var b bytes.Buffer
	for len(raw) > 0 {
		r, n := utf8.DecodeRune(raw)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", raw[0])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.Write(raw[:n])
		}
		raw = raw[n:]
	}
	return b.String(), true
}

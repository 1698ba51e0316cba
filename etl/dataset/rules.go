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
			m.Warnings = append(m.Warnings, fmt.Sprintf("extra column %q (field %d) ignored", sanitizeName(name), fi+1))
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
	return m, nil
}

func sanitizeName(s string) string {
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
// raw is the record's source text (for the encoding rule).
func (m *Mapping) Check(rec Record, raw []byte, vals []Value, reasons []string) []string {
	d := m.Dataset
	if rec.NumFields() != m.NumField {
		return append(reasons, ReasonMalformed)
	}
	if !utf8.Valid(raw) {
		reasons = append(reasons, ReasonEncoding)
	}
	for ci, c := range d.Columns {
		v := &vals[ci]
		*v = Value{}
		pos := m.Pos[ci]
		var b []byte
		if pos >= 0 {
			b = rec.Field(pos)
		}
		if c.Type != String {
			b = trimSpace(b)
		}
		if len(b) == 0 {
			v.Null = true
			if !c.Optional {
				reasons = append(reasons, "required:"+c.Name)
			}
			continue
		}
		ok := true
		switch c.Type {
		case Long:
			v.I, ok = parseInt(b, 64)
		case Int:
			v.I, ok = parseInt(b, 32)
		case Decimal:
			v.I, ok = parseDecimal2(b)
		case Bool:
			var t bool
			t, ok = parseBool(b)
			if t {
				v.I = 1
			}
		case Timestamp:
			if v.I, ok = parseTimestamp(b); !ok {
				reasons = append(reasons, "timestamp:"+c.Name)
				v.Null = true
				continue
			}
		case Date:
			if v.I, ok = parseDate(b); !ok {
				reasons = append(reasons, "date:"+c.Name)
				v.Null = true
				continue
			}
		case String:
			v.S = string(b)
		}
		if !ok {
			reasons = append(reasons, "type:"+c.Name)
			v.Null = true
		}
	}
	return m.checkRanges(vals, reasons)
}

// KeyOf returns a record's key parsed exactly as Check parses it; ok is
// false when Check would reject the record for its field count or its key.
// It is the pipeline's cheap first look at a file (which keys repeat).
func (m *Mapping) KeyOf(rec Record) (key int64, ok bool) {
	d := m.Dataset
	if rec.NumFields() != m.NumField || m.Pos[d.Key] < 0 {
		return 0, false
	}
	b := trimSpace(rec.Field(m.Pos[d.Key]))
	switch d.Columns[d.Key].Type {
	case Long:
		return parseInt(b, 64)
	case Int:
		return parseInt(b, 32)
	}
	return 0, false
}

func (m *Mapping) checkRanges(vals []Value, reasons []string) []string {
	d := m.Dataset
	for ci, c := range d.Columns {
		v := vals[ci]
		if v.Null {
			continue
		}
		switch c.Name {
		case "total_amount":
			if v.I <= 0 {
				reasons = append(reasons, "range:total_amount")
			}
		case "add_to_cart_order":
			if v.I < 1 {
				reasons = append(reasons, "range:add_to_cart_order")
			}
		case "days_since_prior_order":
			if v.I < 0 {
				reasons = append(reasons, "range:days_since_prior_order")
			}
		}
	}
	if d.Timestamp >= 0 && d.Date >= 0 {
		ts, dt := vals[d.Timestamp], vals[d.Date]
		if !ts.Null && !dt.Null && floorDiv(ts.I, 86_400_000_000) != dt.I {
			reasons = append(reasons, ReasonMismatch)
		}
	}
	return reasons
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

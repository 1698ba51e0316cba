package csvread

import (
	"errors"
	"fmt"
)

// ErrMalformed matches (with errors.Is) every error set in Record.Err: the
// record could not be parsed as CSV. The pipeline maps it to the `malformed`
// reason code.
var ErrMalformed = errors.New("malformed CSV record")

// The specific problems a malformed record can have. Record.Err is a
// *ParseError whose Err is one of these.
var (
	// ErrBareQuote: a quote inside a field that does not start with one.
	ErrBareQuote = errors.New(`bare " in unquoted field`)
	// ErrExtraneous: text after the closing quote of a quoted field, before the
	// next delimiter or line end.
	ErrExtraneous = errors.New(`extraneous text after closing "`)
	// ErrUnterminated: a quoted field still open at the end of the input.
	ErrUnterminated = errors.New(`unterminated quoted field at end of input`)
	// ErrFieldTooLong: a field is longer than Options.MaxFieldBytes.
	ErrFieldTooLong = errors.New("field too long")
	// ErrRecordTooLong: a record is longer than Options.MaxRecordBytes.
	ErrRecordTooLong = errors.New("record too long")
)

// ParseError describes why a record is malformed. It is never returned by
// Next as its error: it is set in Record.Err and the reader goes on.
type ParseError struct {
	StartLine int   // line where the record starts (1-based)
	Line      int   // line where the problem was found
	Column    int   // 1-based byte column in Line; 0 when not meaningful
	Field     int   // 1-based field number; 0 for whole-record problems
	Limit     int   // the limit exceeded, for ErrFieldTooLong and ErrRecordTooLong
	Err       error // one of ErrBareQuote, ErrExtraneous, ErrUnterminated, ErrFieldTooLong, ErrRecordTooLong
}

// Error formats the problem with its place, e.g.
// `line 7, column 12: field 3: extraneous text after closing "`.
func (e *ParseError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.Column > 0 {
		where += fmt.Sprintf(", column %d", e.Column)
	}
	if e.Line != e.StartLine {
		where += fmt.Sprintf(" (record starts on line %d)", e.StartLine)
	}
	switch e.Err {
	case ErrFieldTooLong:
		return fmt.Sprintf("%s: field %d exceeds %d bytes", where, e.Field, e.Limit)
	case ErrRecordTooLong:
		return fmt.Sprintf("%s: record exceeds %d bytes", where, e.Limit)
	}
	if e.Field > 0 {
		return fmt.Sprintf("%s: field %d: %v", where, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap lets errors.Is match both ErrMalformed and the specific problem.
func (e *ParseError) Unwrap() []error { return []error{ErrMalformed, e.Err} }

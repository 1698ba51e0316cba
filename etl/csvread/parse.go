package csvread

import "bytes"

// scanState is where a parse stopped when the data ran out mid-record; the
// skipper of over-long records continues from it.
type scanState uint8

const (
	stFieldStart scanState = iota // at the start of a field
	stUnquoted                    // inside an unquoted field
	stQuoted                      // inside a quoted field
	stQuoteEnd                    // just after a quote inside a quoted field
	stToEOL                       // the record ends at the next LF, whatever comes before
)

// outcome is the result of parsing one record at the start of some data.
type outcome struct {
	n      int  // bytes consumed, including the line terminator
	rawEnd int  // Raw is data[:rawEnd]
	more   bool // the record does not end within data (n and rawEnd unset)
	state  scanState
	err    *ParseError // first problem found
}

// parse parses the record at the start of data, which is not empty and does
// not start with a blank line. atEOF says that no data follows. Fields go to
// r.fields (sub-slices of data, or of r.scratch for fields with escaped
// quotes). On a problem it goes on to the end of the physical line where the
// problem is, which is where reading resumes.
func (r *Reader) parse(data []byte, atEOF bool) outcome {
	maxField := r.opts.MaxFieldBytes
	fields := r.fields[:0]
	scratch := r.scratch[:0]
	defer func() { r.fields, r.scratch = fields, scratch }()

	var perr *ParseError
	fieldNo := 1
	fail := func(pos int, err error) {
		if perr != nil {
			return
		}
		perr = r.problem(data, pos, fieldNo, err)
	}
	checkLen := func(val []byte, start int) {
		if len(val) > maxField {
			fail(start, ErrFieldTooLong)
		}
	}
	more := func(st scanState, fieldStart int) outcome {
		if len(data)-fieldStart > maxField {
			fail(fieldStart, ErrFieldTooLong)
		}
		return outcome{more: true, state: st, err: perr}
	}
	// toEOL ends a malformed record at the end of the line holding pos.
	toEOL := func(pos int) outcome {
		k := bytes.IndexByte(data[pos:], '\n')
		if k < 0 {
			if !atEOF {
				return outcome{more: true, state: stToEOL, err: perr}
			}
			return outcome{n: len(data), rawEnd: trimCR(data, len(data)), err: perr}
		}
		return outcome{n: pos + k + 1, rawEnd: trimCR(data, pos+k), err: perr}
	}

	i := 0
	for {
		if i < len(data) && data[i] == '"' {
			open := i
			i++
			start := i
			copied := -1 // where the value starts in scratch, once a "" was seen
			for {
				j := bytes.IndexByte(data[i:], '"')
				if j < 0 {
					if !atEOF {
						return more(stQuoted, open)
					}
					fail(open, ErrUnterminated)
					return outcome{n: len(data), rawEnd: len(data), err: perr}
				}
				i += j
				if i+1 == len(data) && !atEOF {
					return more(stQuoteEnd, open)
				}
				if i+1 < len(data) && data[i+1] == '"' {
					if copied < 0 {
						copied = len(scratch)
					}
					scratch = append(scratch, data[start:i+1]...)
					i += 2
					start = i
					continue
				}
				break // the closing quote
			}
			var val []byte
			if copied >= 0 {
				scratch = append(scratch, data[start:i]...)
				val = scratch[copied:len(scratch):len(scratch)]
			} else {
				val = data[start:i:i]
			}
			fields = append(fields, val)
			checkLen(val, open)
			i++
			if i == len(data) { // end of input, see above
				return outcome{n: i, rawEnd: i, err: perr}
			}
			switch data[i] {
			case ',':
				i++
				fieldNo++
				continue
			case '\n':
				return outcome{n: i + 1, rawEnd: i, err: perr}
			case '\r':
				if i+1 == len(data) {
					if !atEOF {
						return outcome{more: true, state: stToEOL, err: perr}
					}
					return outcome{n: i + 1, rawEnd: i, err: perr}
				}
				if data[i+1] == '\n' {
					return outcome{n: i + 2, rawEnd: i, err: perr}
				}
			}
			fail(i, ErrExtraneous)
			return toEOL(i)
		}

		start := i
		for i < len(data) && data[i] != ',' && data[i] != '\n' && data[i] != '"' {
			i++
		}
		if i == len(data) {
			if !atEOF {
				if i == start {
					return more(stFieldStart, start)
				}
				return more(stUnquoted, start)
			}
			end := trimCR(data, i)
			val := data[start:end:end]
			fields = append(fields, val)
			checkLen(val, start)
			return outcome{n: i, rawEnd: end, err: perr}
		}
		switch data[i] {
		case ',':
			fields = append(fields, data[start:i:i])
			checkLen(data[start:i], start)
			i++
			fieldNo++
		case '\n':
			end := trimCR(data, i)
			val := data[start:end:end]
			fields = append(fields, val)
			checkLen(val, start)
			return outcome{n: i + 1, rawEnd: end, err: perr}
		default: // '"'
			fail(i, ErrBareQuote)
			return toEOL(i)
		}
	}
}

// trimCR returns end, less one if data[end-1] is a CR.
func trimCR(data []byte, end int) int {
	if end > 0 && data[end-1] == '\r' {
		return end - 1
	}
	return end
}

// problem builds the ParseError for a problem at data[pos], data starting at
// the current record.
func (r *Reader) problem(data []byte, pos, field int, err error) *ParseError {
	before := data[:pos]
	e := &ParseError{
		StartLine: r.line,
		Line:      r.line + bytes.Count(before, []byte{'\n'}),
		Column:    pos - bytes.LastIndexByte(before, '\n'),
		Field:     field,
		Err:       err,
	}
	switch err {
	case ErrFieldTooLong:
		e.Limit = r.opts.MaxFieldBytes
	case ErrRecordTooLong:
		e.Limit = r.opts.MaxRecordBytes
	}
	return e
}

// skipScan runs the record grammar over chunk from state st, without keeping
// anything, and returns the index of the LF that ends the record (-1 when
// the chunk ends first) and the state at the end of chunk.
func skipScan(chunk []byte, st scanState) (int, scanState) {
	for i := 0; i < len(chunk); i++ {
		c := chunk[i]
		switch st {
		case stFieldStart, stUnquoted:
			switch {
			case c == '\n':
				return i, st
			case c == ',':
				st = stFieldStart
			case c == '"' && st == stFieldStart:
				st = stQuoted
			case c == '"':
				st = stToEOL
			default:
				st = stUnquoted
			}
		case stQuoted:
			j := bytes.IndexByte(chunk[i:], '"')
			if j < 0 {
				return -1, stQuoted
			}
			i += j
			st = stQuoteEnd
		case stQuoteEnd:
			switch c {
			case '"':
				st = stQuoted
			case ',':
				st = stFieldStart
			case '\n':
				return i, st
			default: // CR LF ends the record as a bad character does: at the LF
				st = stToEOL
			}
		case stToEOL:
			j := bytes.IndexByte(chunk[i:], '\n')
			if j < 0 {
				return -1, stToEOL
			}
			return i + j, stToEOL
		}
	}
	return -1, st
}

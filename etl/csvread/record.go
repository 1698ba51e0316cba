package csvread

import "unicode/utf8"

// Record is one CSV record. The Record returned by Reader.Next, and every
// byte slice it holds, belongs to the Reader and is valid only until the next
// call to Next or Reset; use Clone or CopyTo to keep it longer (for example
// to hand it to another goroutine).
type Record struct {
	// Line is the 1-based physical line on which the record starts. Every
	// line counts: blank lines, lines inside quoted fields, a header.
	Line int
	// Offset is the byte offset of the record's first byte in the input
	// (a skipped BOM counts).
	Offset int64
	// Raw is the record's source text, exactly as in the input, without its
	// line terminator (LF or CRLF). For a malformed record it runs to where
	// reading resumes. It is cut at Options.MaxRecordBytes; Truncated says so.
	Raw []byte
	// Fields are the field values: quotes removed, "" unescaped, CRLF inside
	// quotes kept as is. Nil when Err is set.
	Fields [][]byte
	// Err is nil for a well-formed record, else a *ParseError that matches
	// ErrMalformed. A malformed record is still returned (with Line and Raw)
	// so that the caller can reject it; the reader continues after it.
	Err error
	// Truncated reports that Raw holds only the first Options.MaxRecordBytes
	// bytes of the record's text.
	Truncated bool
	// Plain reports a record without quotes whose Fields are Raw split at
	// every comma (so Raw is the fields joined by commas).
	Plain bool
}

// NumFields returns the number of fields.
func (r *Record) NumFields() int { return len(r.Fields) }

// Field returns field i (0-based), or nil when the record has no such field.
func (r *Record) Field(i int) []byte {
	if i < 0 || i >= len(r.Fields) {
		return nil
	}
	return r.Fields[i]
}

// ValidUTF8 reports whether the record's text is valid UTF-8. For a
// well-formed record this is the same as every field being valid UTF-8:
// removing quotes never joins or splits a multi-byte sequence.
func (r *Record) ValidUTF8() bool { return utf8.Valid(r.Raw) }

// Clone returns a deep copy of r that does not share memory with the Reader.
// It makes three allocations whatever the number of fields.
func (r *Record) Clone() *Record {
	c := new(Record)
	r.CopyTo(c)
	return c
}

// CopyTo makes dst a deep copy of r, reusing dst's storage when it is large
// enough: copying into the same dst over and over does not allocate once it
// has grown. dst.Raw and dst.Fields share one array, so do not append to them.
func (r *Record) CopyTo(dst *Record) {
	n := len(r.Raw)
	for _, f := range r.Fields {
		n += len(f)
	}
	var mem []byte
	if dst.Raw != nil && cap(dst.Raw) >= n {
		mem = dst.Raw[:0:cap(dst.Raw)]
	} else {
		mem = make([]byte, 0, n)
	}
	mem = append(mem, r.Raw...)
	raw := mem[:len(r.Raw)] // full capacity, so that the next CopyTo can reuse it
	var fields [][]byte
	if r.Fields != nil {
		fields = dst.Fields[:0]
		if cap(fields) < len(r.Fields) {
			fields = make([][]byte, 0, len(r.Fields))
		}
		for _, f := range r.Fields {
			start := len(mem)
			mem = append(mem, f...)
			fields = append(fields, mem[start:len(mem):len(mem)])
		}
	}
	*dst = Record{
		Line:      r.Line,
		Offset:    r.Offset,
		Raw:       raw,
		Fields:    fields,
		Err:       r.Err,
		Truncated: r.Truncated,
		Plain:     r.Plain,
	}
}

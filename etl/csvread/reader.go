// Package csvread is a lean, streaming CSV record reader for the lakeops
// pipeline.
//
// It reads RFC 4180 CSV (comma delimiter, double-quote quoting; quoted fields
// may hold commas, doubled quotes and line breaks) with LF or CRLF line
// endings and an optional UTF-8 BOM, and it is built for throughput: it scans
// a large buffer with bytes.IndexByte, takes a fast path for lines without
// quotes, and hands out fields as sub-slices of its buffer, so reading a
// record allocates nothing.
//
// Unlike encoding/csv it never stops at a bad record. A malformed record
// (bare quote, text after a closing quote, unterminated quote at end of input,
// field or record over the size limits) is returned with Record.Err set, its
// line number and its raw text, and reading resumes at the next line (or,
// for an over-long record, after the record's end, which is found without
// buffering the whole record). Entirely blank lines are skipped but counted
// in line numbers. The reader does not check UTF-8; Record.ValidUTF8 does.
//
// Differences from encoding/csv: CRLF inside a quoted field is kept as data
// (encoding/csv turns it into LF); a leading BOM is skipped; errors are per
// record. A lone CR is data, except a CR right before the end of input,
// which is dropped as encoding/csv does.
//
// Typical use:
//
//	r := csvread.NewReader(f, csvread.Options{})
//	for {
//		rec, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err // the source failed
//		}
//		if rec.Err != nil {
//			reject(rec.Line, rec.Raw, rec.Err) // malformed: keep going
//			continue
//		}
//		use(rec.Fields) // valid until the next call to Next
//	}
package csvread

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
)

// Defaults for the zero values in Options.
const (
	DefaultMaxFieldBytes  = 1 << 20
	DefaultMaxRecordBytes = 4 << 20
	DefaultBufferSize     = 1 << 20
)

// maxEmptyReads is how many (0, nil) reads in a row the reader tolerates
// before it reports io.ErrNoProgress.
const maxEmptyReads = 100

// Options configure a Reader. Zero values select the defaults.
type Options struct {
	// MaxFieldBytes is the longest field value accepted (default 1 MiB).
	MaxFieldBytes int
	// MaxRecordBytes is the longest record text accepted, without its line
	// terminator (default 4 MiB). It also bounds the reader's memory: the
	// buffer grows past BufferSize only for a long record, and only up to
	// this size.
	MaxRecordBytes int
	// BufferSize is the initial read buffer size (default 1 MiB).
	BufferSize int
	// MidStream says the source starts at a record boundary inside a larger
	// input (a piece of a file read on its own), so no byte order mark is
	// looked for at its start.
	MidStream bool
}

func (o Options) withDefaults() Options {
	if o.MaxFieldBytes <= 0 {
		o.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.BufferSize <= 0 {
		o.BufferSize = DefaultBufferSize
	}
	return o
}

// Reader reads CSV records from an io.Reader. It is not safe for concurrent
// use; hand Clone()d records to other goroutines.
type Reader struct {
	src  io.Reader
	opts Options

	buf      []byte // buf[pos:end] is read but not yet consumed
	pos, end int
	maxBuf   int   // the buffer never grows past this
	base     int64 // input offset of buf[0]
	line     int   // line number of buf[pos]
	eof      bool  // src reported io.EOF
	err      error // sticky read error, already wrapped
	bomDone  bool

	rec     Record
	fields  [][]byte
	scratch []byte // unescaped quoted fields
	rawBuf  []byte // Raw of an over-long record
}

// NewReader returns a Reader that reads from src.
func NewReader(src io.Reader, opts Options) *Reader {
	opts = opts.withDefaults()
	r := &Reader{opts: opts, maxBuf: max(opts.BufferSize, opts.MaxRecordBytes+2)}
	r.Reset(src)
	return r
}

// Reset makes r read from src as if it were new, keeping its buffers.
func (r *Reader) Reset(src io.Reader) {
	*r = Reader{
		src:     src,
		opts:    r.opts,
		maxBuf:  r.maxBuf,
		buf:     r.buf,
		line:    1,
		fields:  r.fields[:0],
		scratch: r.scratch[:0],
		rawBuf:  r.rawBuf[:0],
		bomDone: r.opts.MidStream,
	}
}

// Offset returns the number of input bytes consumed so far: the end of the
// last record returned (including its line terminator and any blank lines
// before it). At io.EOF it is the input size.
func (r *Reader) Offset() int64 { return r.base + int64(r.pos) }

// Line returns the line number at which the next record would start,
// before any blank lines are skipped.
func (r *Reader) Line() int { return r.line }

// Next returns the next record, or io.EOF after the last one. The Record is
// reused by the next call: see Record. A malformed record is returned with
// a nil error and Record.Err set. Any other error comes from the source; it
// is returned wrapped with the line number, and again on every later call.
func (r *Reader) Next() (*Record, error) {
	data := r.buf[r.pos:r.end]
	if !r.bomDone || len(data) == 0 || data[0] == '\n' || data[0] == '\r' {
		var err error
		if data, err = r.start(); err != nil {
			return nil, err
		}
	}
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 && r.fastLine(data[:nl]) {
		return &r.rec, nil
	}
	return r.slow()
}

// start skips a BOM at the start of the input and any blank lines, reading
// as needed, and returns the unconsumed data, which begins with a record.
// At the end of the input it returns io.EOF or the sticky read error. Its
// callers test for the common case, a record right at r.pos once the BOM is
// decided, and call it only when that fails.
func (r *Reader) start() ([]byte, error) {
	for {
		if (!r.bomDone && r.end-r.pos < 3) || r.pos == r.end {
			// Too little data to decide on a BOM, or none at all.
			if r.fill() {
				continue
			}
			if r.pos == r.end {
				r.bomDone = true
				return nil, r.endErr()
			}
		}
		data := r.buf[r.pos:r.end]
		if !r.bomDone {
			r.bomDone = true
			if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
				r.pos += 3
				continue
			}
		}
		switch data[0] {
		case '\n':
			r.pos++
			r.line++
			continue
		case '\r':
			if len(data) == 1 {
				if r.fill() {
					continue
				}
				if r.err != nil {
					return nil, r.err
				}
				r.pos++ // a lone CR at the end of input: dropped
				continue
			}
			if data[1] == '\n' {
				r.pos += 2
				r.line++
				continue
			}
		}
		return data, nil
	}
}

// SplitPlain splits a line that holds no quote (and no line terminator) at
// every comma, appending the fields to dst, each with its capacity cut at
// its end; it also reports whether the line is all ASCII. It is how Next
// splits such a line, and how a caller splits a line NextLine returns.
func SplitPlain(line []byte, dst [][]byte) (fields [][]byte, ascii bool) {
	fields = dst
	start := 0
	i := 0
	var high uint64 // bytes' high bits, ORed: zero for ASCII text
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:])
		high |= x
		m := commaMask(x)
		for m != 0 {
			k := i + bits.TrailingZeros64(m)>>3
			fields = append(fields, line[start:k:k])
			start = k + 1
			m &= m - 1
		}
	}
	for ; i < len(line); i++ {
		high |= uint64(line[i])
		if line[i] == ',' {
			fields = append(fields, line[start:i:i])
			start = i + 1
		}
	}
	fields = append(fields, line[start:len(line):len(line)])
	return fields, high&0x8080808080808080 == 0
}

// fastLine parses one line that holds no quote and is within the limits,
// and reports whether it could. line excludes the LF.
func (r *Reader) fastLine(line []byte) bool {
	n := len(line) + 1
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > r.opts.MaxRecordBytes || bytes.IndexByte(line, '"') >= 0 {
		return false
	}
	fields, _ := SplitPlain(line, r.fields[:0])
	r.fields = fields
	if len(line) > r.opts.MaxFieldBytes {
		for _, f := range fields {
			if len(f) > r.opts.MaxFieldBytes {
				return false
			}
		}
	}
	rec := &r.rec
	rec.Line, rec.Offset, rec.Raw, rec.Fields, rec.Plain = r.line, r.base+int64(r.pos), line, fields, true
	if rec.Err != nil || rec.Truncated {
		rec.Err, rec.Truncated = nil, false
	}
	r.pos += n
	r.line++
	return true
}

// commaMask returns x with the high bit set in each byte that is a comma,
// and every other bit clear.
func commaMask(x uint64) uint64 {
	const low7, ones = 0x7f7f7f7f7f7f7f7f, 0x0101010101010101
	v := x ^ (',' * ones)
	t := (v & low7) + low7
	return ^(t | v | low7)
}

// slow parses the record at r.pos with the general parser, reading more
// input as needed.
func (r *Reader) slow() (*Record, error) {
	for {
		data := r.buf[r.pos:r.end]
		o := r.parse(data, r.eof)
		if !o.more {
			return r.emit(data, o), nil
		}
		if r.err != nil {
			return nil, r.err
		}
		if len(data) >= r.opts.MaxRecordBytes+2 {
			return r.skipLong(data, o)
		}
		// Read until the pending data has doubled (or the buffer is full),
		// so that re-parsing from the record start stays linear.
		want := min(max(2*len(data), len(data)+1), r.maxBuf)
		for r.end-r.pos < want && r.fill() {
		}
	}
}

// emit fills r.rec from a complete parse of data.
func (r *Reader) emit(data []byte, o outcome) *Record {
	raw := data[:o.rawEnd]
	rec := Record{Line: r.line, Offset: r.base + int64(r.pos), Raw: raw, Fields: r.fields}
	if o.err == nil && len(raw) > r.opts.MaxRecordBytes {
		o.err = &ParseError{Line: r.line, Limit: r.opts.MaxRecordBytes, Err: ErrRecordTooLong}
	}
	if o.err != nil {
		o.err.StartLine = r.line
		rec.Err, rec.Fields = o.err, nil
		if len(raw) > r.opts.MaxRecordBytes {
			rec.Raw, rec.Truncated = raw[:r.opts.MaxRecordBytes], true
		}
	}
	r.rec = rec
	r.line += bytes.Count(data[:o.n], []byte{'\n'})
	r.pos += o.n
	return &r.rec
}

// skipLong handles a record longer than MaxRecordBytes: data is its first
// part and o the parse outcome so far. It keeps the first MaxRecordBytes
// bytes as Raw and discards the rest up to the record's end.
func (r *Reader) skipLong(data []byte, o outcome) (*Record, error) {
	r.rawBuf = append(r.rawBuf[:0], data[:r.opts.MaxRecordBytes]...)
	perr := o.err
	if perr == nil {
		perr = &ParseError{Line: r.line, Limit: r.opts.MaxRecordBytes, Err: ErrRecordTooLong}
	}
	perr.StartLine = r.line
	rec := Record{Line: r.line, Offset: r.base + int64(r.pos), Raw: r.rawBuf, Err: perr, Truncated: true}
	lines := bytes.Count(data, []byte{'\n'})
	st := o.state
	r.pos = r.end
	for {
		if r.pos == r.end && !r.fill() {
			if r.err != nil {
				return nil, r.err
			}
			if st == stQuoted && perr.Err == ErrRecordTooLong {
				perr.Err, perr.Line, perr.Column = ErrUnterminated, r.line+lines, 0
			}
			break
		}
		chunk := r.buf[r.pos:r.end]
		k, next := skipScan(chunk, st)
		st = next
		if k >= 0 {
			lines += bytes.Count(chunk[:k+1], []byte{'\n'})
			r.pos += k + 1
			break
		}
		lines += bytes.Count(chunk, []byte{'\n'})
		r.pos = r.end
	}
	r.rec = rec
	r.line += lines
	return &r.rec, nil
}

// endErr is what Next returns when the input is exhausted.
func (r *Reader) endErr() error {
	if r.err != nil {
		return r.err
	}
	return io.EOF
}

// fill reads more input into the buffer, keeping buf[pos:end], compacting
// or growing the buffer as needed. It reports whether more data may still
// come (false after EOF or a read error, which it records).
func (r *Reader) fill() bool {
	if r.eof || r.err != nil {
		return false
	}
	if r.buf == nil {
		r.buf = make([]byte, r.opts.BufferSize)
	}
	if r.pos > 0 && (r.end == len(r.buf) || r.pos == r.end) {
		r.base += int64(r.pos)
		r.end = copy(r.buf, r.buf[r.pos:r.end])
		r.pos = 0
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.maxBuf {
			return true // full: the caller decides
		}
		nb := make([]byte, min(2*len(r.buf), r.maxBuf))
		r.end = copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for range maxEmptyReads {
		n, err := r.src.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			err = fmt.Errorf("csvread: source returned invalid count %d", n)
			n = 0
		}
		r.end += n
		if err == io.EOF {
			r.eof = true
			return n > 0
		}
		if err != nil {
			r.err = fmt.Errorf("csvread: reading line %d: %w", r.line, err)
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	r.err = fmt.Errorf("csvread: reading line %d: %w", r.line, io.ErrNoProgress)
	return false
}

package csvread

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// SkimField reads the next record like Next but, for a plain line (no quote,
// within the limits), splits nothing: it returns field i (0-based; nil when
// the record has fewer fields) and the number of fields, with rec nil. It is
// meant for passes that need one column of every record, such as a key pass.
//
// Any other record comes back whole in rec, exactly as Next returns it, and
// the caller reads it as from Next. For convenience line is then rec.Line,
// and when rec is well-formed (rec.Err nil) field and nfields are also set,
// to rec.Field(i) and rec.NumFields(), so a caller that only rejects
// malformed records can write:
//
//	field, n, line, rec, err := r.SkimField(0)
//	if err == io.EOF {
//		break
//	}
//	if err != nil {
//		return err // the source failed
//	}
//	if rec != nil && rec.Err != nil {
//		reject(rec.Line, rec.Raw, rec.Err)
//		continue
//	}
//	use(line, field, n)
//
// io.EOF and read errors are returned as Next returns them. The records seen
// through SkimField are those Next would return, with the same line numbers,
// and Offset and Line advance the same way; calls to SkimField and Next may
// be mixed. field, like a Record, is valid only until the next call.
func (r *Reader) SkimField(i int) (field []byte, nfields int, line int, rec *Record, err error) {
	text, line, rec, err := r.NextLine()
	switch {
	case err != nil:
		return nil, 0, 0, nil, err
	case rec == nil:
		return nthField(text, i), bytes.Count(text, comma) + 1, line, nil, nil
	case rec.Err == nil:
		return rec.Field(i), len(rec.Fields), line, rec, nil
	}
	return nil, 0, line, rec, nil
}

var comma = []byte{','}

// NextLine reads the next record like Next but leaves a plain line (no
// quote, within the limits) unsplit: it returns its text without the line
// terminator, with rec nil, and SplitPlain splits it into the fields Next
// would give. Any other record comes back whole in rec, exactly as Next
// returns it. It lets a reader hand lines to other goroutines to split.
// io.EOF and read errors are returned as Next returns them; Offset and
// Line advance as with Next.
func (r *Reader) NextLine() (text []byte, line int, rec *Record, err error) {
	data := r.buf[r.pos:r.end]
	if !r.bomDone || len(data) == 0 || data[0] == '\n' || data[0] == '\r' {
		if data, err = r.start(); err != nil {
			return nil, 0, nil, err
		}
	}
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
		text := data[:nl]
		if len(text) > 0 && text[len(text)-1] == '\r' {
			text = text[:len(text)-1]
		}
		// Within both limits a line cannot hold an over-long field.
		if len(text) <= r.opts.MaxFieldBytes && len(text) <= r.opts.MaxRecordBytes &&
			bytes.IndexByte(text, '"') < 0 {
			line = r.line
			r.pos += nl + 1
			r.line++
			return text, line, nil, nil
		}
		if r.fastLine(data[:nl]) {
			return nil, r.rec.Line, &r.rec, nil
		}
	}
	if rec, err = r.slow(); err != nil {
		return nil, 0, nil, err
	}
	return nil, rec.Line, rec, nil
}

// nthField returns field i of a line holding no quote, with its capacity cut
// at its end as fastLine does, or nil when there is no such field. It finds
// the comma before the field with the comma masks fastLine uses, eight bytes
// at a time, and the comma after it with bytes.IndexByte.
func nthField(text []byte, i int) []byte {
	if i < 0 {
		return nil
	}
	start := 0
	if i > 0 {
		seen := 0 // commas before text[j]
		j := 0
		for ; j+8 <= len(text); j += 8 {
			m := commaMask(binary.LittleEndian.Uint64(text[j:]))
			if c := bits.OnesCount64(m); seen+c < i {
				seen += c
				continue
			}
			for k := i - seen; k > 1; k-- {
				m &= m - 1
			}
			start = j + bits.TrailingZeros64(m)>>3 + 1
			break
		}
		if start == 0 {
			for ; seen < i; j++ {
				if j == len(text) {
					return nil
				}
				if text[j] == ',' {
					seen++
				}
			}
			start = j
		}
	}
	end := len(text)
	if k := bytes.IndexByte(text[start:], ','); k >= 0 {
		end = start + k
	}
	return text[start:end:end]
}
